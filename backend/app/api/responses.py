"""Task rows as JSON, straight from the database."""

from typing import Any

import orjson
from starlette.responses import Response


class RowsResponse(Response):
    """Rows as the task statements return them, serialized by orjson.

    The statements select exactly the public columns, with the database's types
    (app/statements.py), so validating them again against TaskPublic would only cost time:
    pydantic's validation and serialization of a page cost several times orjson's
    (bench/README.md). The routes still declare TaskPublic for the OpenAPI schema, and
    tests/system/test_api_contract.py (schemathesis) checks every response against it.
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        # SQLite hands timestamps back without a zone; they were stored as UTC.
        return orjson.dumps(content, option=orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC)
