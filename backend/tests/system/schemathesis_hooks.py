"""schemathesis hooks for tests/system/test_api_contract.py (loaded through SCHEMATHESIS_HOOKS).

A valid Idempotency-Key sent again with another body is a 422, as the IETF draft says, and no
schema can say "a key must not be reused with another body": schemathesis reuses the schema's
example key and its own short values across cases. Every request that schemathesis means to be
valid therefore gets a key of its own (still valid); invalid ones keep the key generated, so
the key's syntax stays under test. Reuse itself is covered by tests/api/test_idempotency.py.
"""

import uuid
from typing import Any

import schemathesis
from schemathesis.generation.case import Case
from schemathesis.hooks import HookContext

HEADER = "Idempotency-Key"


@schemathesis.hook
def before_call(context: HookContext, case: Case[Any], kwargs: dict[str, Any]) -> None:
    meta = case.meta
    if case.headers and HEADER in case.headers and meta and meta.generation.mode.is_positive:
        case.headers[HEADER] = f'"{uuid.uuid4()}"'
