"""Hostile requests get a 4xx, never a 5xx, and the server keeps serving."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.support import preflight

Headers = dict[str, str]
JSON = {"Content-Type": "application/json"}


def still_serving(client: TestClient, headers: Headers) -> None:
    assert client.post("/tasks", headers=headers, json={"title": "after"}).status_code == 201


def test_body_over_64_kib_is_413(client: TestClient, headers: Headers) -> None:
    body = b'{"title": "x", "description": "' + b"d" * 70_000 + b'"}'
    response = client.post("/tasks", headers={**headers, **JSON}, content=body)
    assert response.status_code == 413
    assert response.json() == {"detail": "request body too large"}
    still_serving(client, headers)


def test_chunked_body_over_the_limit_is_413(client: TestClient, headers: Headers) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted as the body arrives
        yield b'{"title": "x", "description": "'
        for _ in range(20):
            yield b"d" * 8192
        yield b'"}'

    response = client.post("/tasks", headers={**headers, **JSON}, content=chunks())
    assert response.status_code == 413
    still_serving(client, headers)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 20_000 + b"]" * 20_000,
        b'{"title": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_000 + b"}",
        b'{"title": "\xff\xfe invalid utf-8"}',
        b"\x00\x01\x02",
        b"",
        b"null",
    ],
    ids=["nested arrays", "nested objects", "invalid utf-8", "binary", "empty", "null"],
)
def test_hostile_bodies_are_4xx(client: TestClient, headers: Headers, body: bytes) -> None:
    response = client.post("/tasks", headers={**headers, **JSON}, content=body)
    assert 400 <= response.status_code < 500, response.text
    still_serving(client, headers)


def test_huge_query_string_is_4xx(client: TestClient, headers: Headers) -> None:
    response = client.get("/tasks?limit=" + "9" * 50_000, headers=headers)
    assert response.status_code == 422
    response = client.get("/tasks?" + "&".join(f"k{n}=v" for n in range(5_000)), headers=headers)
    assert response.status_code == 200


def test_cors_lets_the_browser_resume_the_change_stream(client: TestClient) -> None:
    preflight = client.options(
        "/events",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization, last-event-id",
        },
    )
    assert preflight.status_code == 200
    allowed = preflight.headers["access-control-allow-headers"].lower()
    assert {"authorization", "last-event-id"} <= set(allowed.split(", "))


def test_cors_allows_the_frontend_origin(client: TestClient) -> None:
    answer = preflight(client, "PATCH", "authorization, content-type, idempotency-key")
    assert answer.status_code == 200
    assert answer.headers["access-control-allow-origin"] == "http://localhost:3000"
    assert "PATCH" in answer.headers["access-control-allow-methods"]
    allowed = answer.headers["access-control-allow-headers"].lower()
    assert {"authorization", "content-type", "idempotency-key"} <= set(allowed.split(", "))
    # Even a refusal carries the header, or the browser could not read the 401.
    refused = client.get("/tasks", headers={"Origin": "http://localhost:3000"})
    assert refused.status_code == 401
    assert refused.headers["access-control-allow-origin"] == "http://localhost:3000"
    # A 503's Retry-After, its request's id and an export's file name are readable from the
    # frontend's origin.
    exposed = refused.headers["access-control-expose-headers"]
    assert exposed == "Retry-After, X-Request-ID, Content-Disposition"


def test_cors_refuses_other_origins(client: TestClient) -> None:
    answer = client.options(
        "/tasks",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
    )
    assert "access-control-allow-origin" not in answer.headers
