"""schemathesis drives every operation in /openapi.json over real HTTP: no input gives a 5xx,
and every response matches the schema documented for it."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance
from schemathesis.core.result import Ok

from app.migrations import migrate
from devtools import uvicorn
from tests.support import SECRET, auth, backend_env, new_user, token


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    migrate(database_url)
    with uvicorn(backend_env(BETTER_AUTH_SECRET=SECRET, DATABASE_URL=database_url)) as api:
        yield api.url


@pytest.fixture(scope="module")
def api_schema(server: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(f"{server}/openapi.json")


# One user for the whole run, so that generated ids sometimes hit real tasks.
FUZZ_USER = new_user()


def test_no_server_errors(server: str, api_schema: schemathesis.BaseSchema) -> None:
    # Driven through hypothesis directly: schemathesis' pytest plugin does not load on pytest 9.
    headers = auth(token(FUZZ_USER))
    for title in ("one", "two"):  # so that lists hold rows to check against the schema
        created = httpx.post(f"{server}/tasks", headers=headers, json={"title": title})
        assert created.status_code == 201, created.text
    results = list(api_schema.get_all_operations())
    assert len(results) >= 8
    for result in results:
        assert isinstance(result, Ok), result  # an operation the schema describes badly
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(
                headers={**case.headers, **headers},
                checks=[not_a_server_error, response_schema_conformance],
            )

        call()
