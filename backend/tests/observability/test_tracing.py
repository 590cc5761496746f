"""OTEL_EXPORTER_OTLP_ENDPOINT: the API's span continues the caller's traceparent, and its SQL
statement (asyncpg) is a span of the same trace, exported to a real OTLP/HTTP receiver."""

import secrets
import time
from collections.abc import Iterator

import httpx
import pytest

from devtools import Received, Server, Span, otlp_receiver
from tests.support import api_server, auth, new_user, token


@pytest.fixture(scope="module")
def traced(database_url: str) -> Iterator[tuple[Server, Received]]:
    with (
        otlp_receiver() as received,
        api_server(
            database_url,
            OTEL_EXPORTER_OTLP_ENDPOINT=received.url,
            # Export each batch at once rather than every 5 s.
            OTEL_BSP_SCHEDULE_DELAY="50",
        ) as api,
    ):
        yield api, received


def spans_until(received: Received, trace_id: str, parent: str, database: bool) -> list[Span]:
    """The trace's spans once its request span (and a database span, if asked) has arrived:
    the export is asynchronous, in batches."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        spans = received.of_trace(trace_id)
        if any(span.parent_id == parent for span in spans) and (
            not database or any("db.system" in span.attributes for span in spans)
        ):
            break
        time.sleep(0.05)
    return spans


def test_the_request_span_continues_the_callers_trace(traced: tuple[Server, Received]) -> None:
    api, received = traced
    trace_id, parent = traced_request(api, "/tasks")
    spans = spans_until(received, trace_id, parent, database=False)
    (server,) = [span for span in spans if span.parent_id == parent]
    assert server.service == "todo-api"
    assert server.name == "GET /tasks"
    assert server.attributes["http.route"] == "/tasks"
    assert server.attributes["http.response.status_code"] == "200"
    # Only the request's own span: none for each ASGI message sent or received.
    assert not [span for span in spans if span.name.endswith((" send", " receive"))]


def test_the_sql_is_part_of_the_same_trace(
    traced: tuple[Server, Received], postgres_url: str
) -> None:
    api, received = traced
    trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
    response = httpx.post(
        f"{api.url}/tasks",
        json={"title": "traced"},
        headers={**auth(token(new_user())), "traceparent": f"00-{trace_id}-{parent}-01"},
    )
    assert response.status_code == 201
    spans = spans_until(received, trace_id, parent, database=True)
    database = [span for span in spans if "db.system" in span.attributes]
    (server,) = [span for span in spans if span.parent_id == parent]
    assert database, [span.name for span in spans]
    # One statement function per request: one span, named after what it does (no SQL text).
    (statement,) = database
    assert statement.parent_id == server.span_id
    assert statement.attributes == {"db.system": "postgresql"}
    assert "INSERT task" in statement.name.split("; ")


def traced_request(api: Server, path: str) -> tuple[str, str]:
    trace_id, parent = secrets.token_hex(16), secrets.token_hex(8)
    response = httpx.get(
        f"{api.url}{path}",
        headers={**auth(token(new_user())), "traceparent": f"00-{trace_id}-{parent}-01"},
    )
    assert response.status_code == 200
    return trace_id, parent


def test_health_checks_are_not_traced(traced: tuple[Server, Received]) -> None:
    api, received = traced
    health, _ = traced_request(api, "/health")
    # Spans are exported oldest first: once a later request's span is in, the health
    # check's would be too.
    spans_until(received, *traced_request(api, "/tasks"), database=False)
    assert received.of_trace(health) == []
