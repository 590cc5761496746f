"""X-Request-ID on every response, and the route template (never a raw id) in the metrics."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from app.main import create_app
from app.observability.requests import UNMATCHED
from tests.conftest import make_settings
from tests.support import preflight

Headers = dict[str, str]
DURATION = "http_server_request_duration_seconds_count"


@pytest.fixture
def metered(database_url: str) -> Iterator[TestClient]:
    """An app with metrics on (counted in this process; nothing served)."""
    settings = make_settings(database_url, metrics_port=1)
    with TestClient(create_app(settings)) as client:
        yield client


def served(route: str, status: int, method: str = "GET") -> float:
    labels = {
        "http_request_method": method,
        "http_route": route,
        "http_response_status_code": str(status),
    }
    return REGISTRY.get_sample_value(DURATION, labels) or 0.0


@pytest.mark.parametrize(
    "value", ["abc", "A.b_c-9", "x" * 64, "0f8fad5b-d9cb-469f-a165-70867728950e"]
)
def test_a_safe_request_id_is_kept(client: TestClient, headers: Headers, value: str) -> None:
    response = client.get("/tasks", headers={**headers, "X-Request-ID": value})
    assert response.headers["x-request-id"] == value


@pytest.mark.parametrize(
    "value", [b"", b"x" * 65, b"has space", b"semi;colon", b'quote"', "é".encode(), b"a/b", b"<a>"]
)
def test_an_unsafe_request_id_is_replaced(
    client: TestClient, headers: Headers, value: bytes
) -> None:
    response = client.get("/tasks", headers=[*headers.items(), ("X-Request-ID", value)])
    new = response.headers["x-request-id"]
    assert new.encode() != value
    assert len(new) == 32 and new.isalnum()


def test_two_request_ids_are_replaced(client: TestClient, headers: Headers) -> None:
    response = client.get(
        "/tasks", headers=[*headers.items(), ("X-Request-ID", "one"), ("X-Request-ID", "two")]
    )
    assert response.headers["x-request-id"] not in {"one", "two"}


def test_every_response_has_a_request_id(client: TestClient, headers: Headers) -> None:
    ids = {
        client.get("/tasks").headers.get("x-request-id"),  # 401
        client.get("/tasks/999999999", headers=headers).headers.get("x-request-id"),  # 404
        client.get("/no/such/path", headers=headers).headers.get("x-request-id"),  # 404
        client.post(
            "/tasks", headers={**headers, "Content-Length": "999999"}, content=b"{}"
        ).headers.get("x-request-id"),  # 413
        client.post("/tasks", headers=headers, json={}).headers.get("x-request-id"),  # 422
        client.put("/tasks", headers=headers).headers.get("x-request-id"),  # 405
        client.get("/health").headers.get("x-request-id"),
    }
    assert None not in ids
    assert len(ids) == 7  # a new one each time


def test_cors_lets_the_browser_send_and_read_the_request_id(client: TestClient) -> None:
    answer = preflight(client, "GET", "authorization, x-request-id, traceparent")
    assert answer.status_code == 200
    assert "x-request-id" in answer.headers
    response = client.get("/tasks", headers={"Origin": "http://localhost:3000"})
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()


def test_an_unexpected_error_is_a_500_with_the_request_id(
    database_url: str, headers: Headers
) -> None:
    app = create_app(make_settings(database_url))

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom", headers={**headers, "X-Request-ID": "the-failing-one"})
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "the-failing-one"


def test_metrics_label_the_route_template_never_the_id(
    metered: TestClient, headers: Headers
) -> None:
    before = served("/tasks/{task_id}", 404), served("/tasks/{task_id}", 401)
    metered.get("/tasks/424242", headers=headers)
    metered.get("/tasks/434343")  # refused before routing: still its route
    assert served("/tasks/{task_id}", 404) == before[0] + 1
    assert served("/tasks/{task_id}", 401) == before[1] + 1
    labels = {
        sample.labels.get("http_route")
        for metric in REGISTRY.collect()
        for sample in metric.samples
    }
    assert not any("424242" in str(label) or "434343" in str(label) for label in labels)


def test_an_unmatched_path_has_a_fixed_route_label(metered: TestClient, headers: Headers) -> None:
    before = served(UNMATCHED, 404)
    metered.get("/random/path/123", headers=headers)
    assert served(UNMATCHED, 404) == before + 1


def test_token_rejections_are_counted_by_reason(metered: TestClient) -> None:
    def rejected(reason: str) -> float:
        return REGISTRY.get_sample_value("auth_tokens_rejected_total", {"reason": reason}) or 0.0

    before = {reason: rejected(reason) for reason in ("missing", "malformed", "scheme")}
    metered.get("/tasks")
    metered.get("/tasks", headers={"Authorization": "Bearer not.a.jwt"})
    metered.get("/tasks", headers={"Authorization": "Basic abc"})
    assert {reason: rejected(reason) - before[reason] for reason in before} == {
        "missing": 1,
        "malformed": 1,
        "scheme": 1,
    }


def test_idempotent_replays_are_counted(metered: TestClient, headers: Headers) -> None:
    def replays() -> float:
        return REGISTRY.get_sample_value("idempotent_replays_total") or 0.0

    before = replays()
    keyed = {**headers, "Idempotency-Key": '"replayed-key"'}
    assert metered.post("/tasks", headers=keyed, json={"title": "once"}).status_code == 201
    assert replays() == before
    assert metered.post("/tasks", headers=keyed, json={"title": "once"}).status_code == 200
    assert replays() == before + 1
