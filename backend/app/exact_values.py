"""Query values read exactly: one spelling for each value, no lax coercions.

Left to pydantic, an integer would also be "1_0", "+1", " 1" or "1.0", and a boolean "yes",
"on" or "1". These types accept what a client's serializer writes and nothing else.
"""

import re
from typing import Annotated

from pydantic import BeforeValidator, WithJsonSchema

_INTEGER = re.compile(r"-?(0|[1-9][0-9]*)")


def _integer(value: object) -> object:
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise ValueError("must be an integer written in decimal digits")
    return value


def exact_boolean(value: object) -> object:
    if value == "true":
        return True
    if value == "false":
        return False
    raise ValueError("must be true or false")


# Metadata after Query(...): `Annotated[int, Query(ge=1), EXACT_INTEGER]` (placed before
# it, the validator would hide the bounds from the OpenAPI schema).
EXACT_INTEGER = BeforeValidator(_integer)
# Optional in the query, never null: the schema says boolean, not boolean-or-null.
QueryBool = Annotated[
    bool | None, BeforeValidator(exact_boolean), WithJsonSchema({"type": "boolean"})
]
