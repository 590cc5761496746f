"""get_current_user over HTTP: the only way in is a valid HS256 bearer token."""

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support import PREVIOUS_SECRET, auth, token
from tests.tokens import BAD_TOKENS

INVALID_TOKEN = 'Bearer error="invalid_token"'


def assert_refused(response: httpx.Response, *, challenge: str = INVALID_TOKEN) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == challenge
    assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_bad_token_is_401_without_echoing_it(client: TestClient, user: str, kind: str) -> None:
    bad = BAD_TOKENS[kind](user)
    response = client.get("/tasks", headers=auth(bad))
    assert_refused(response)
    assert bad not in response.text


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_no_header_is_401_not_403(client: TestClient, method: str) -> None:
    path = "/tasks" if method in {"GET", "POST"} else "/tasks/1"
    response = client.request(method, path, json={"title": "x"} if method != "GET" else None)
    assert_refused(response, challenge="Bearer")
    assert response.json() == {"detail": "not authenticated"}


@pytest.mark.parametrize(
    "value",
    ["Basic dXNlcjpwYXNz", "Token abc", "Bearer", "Bearer ", "Bearer a b", "Bearertoken", ""],
)
def test_other_schemes_and_shapes_are_401(client: TestClient, value: str) -> None:
    assert_refused(client.get("/tasks", headers={"Authorization": value}), challenge="Bearer")


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
def test_scheme_is_case_insensitive(client: TestClient, user: str, scheme: str) -> None:
    response = client.get("/tasks", headers={"Authorization": f"{scheme} {token(user)}"})
    assert response.status_code == 200


def test_several_authorization_headers_are_a_bad_request(client: TestClient, user: str) -> None:
    good = f"Bearer {token(user)}"
    for pair in ([good, "Bearer junk"], ["Bearer junk", good], [good, good]):
        response = client.get("/tasks", headers=[("Authorization", value) for value in pair])
        assert response.status_code == 400
        assert response.headers["www-authenticate"] == 'Bearer error="invalid_request"'


def test_valid_token_is_accepted(client: TestClient, user: str) -> None:
    assert client.get("/tasks", headers=auth(token(user))).status_code == 200


def test_token_from_a_previous_secret_is_accepted(client: TestClient, user: str) -> None:
    headers = auth(token(user, secret=PREVIOUS_SECRET))
    created = client.post("/tasks", headers=headers, json={"title": "rotated"})
    assert created.status_code == 201
    # Same user, whichever secret signed the token.
    listed = client.get("/tasks", headers=auth(token(user)))
    assert [t["id"] for t in listed.json()] == [created.json()["id"]]


def test_health_needs_no_token(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}


def test_openapi_declares_the_bearer_scheme(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes == {
        "BearerToken": {
            "type": "http",
            "scheme": "bearer",
            "description": "HS256 JWT from /api/auth/token",
        }
    }
    assert spec["paths"]["/tasks"]["get"]["security"] == [{"BearerToken": []}]
    assert "security" not in spec["paths"]["/health"]["get"]
