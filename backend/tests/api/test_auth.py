"""The bearer check over HTTP (RequireBearerToken in app/api/auth.py; routes read its result
through deps.verified_caller): the only way in is a valid HS256 bearer token."""

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.deps import CurrentUser
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


def test_one_space_separates_scheme_and_token(client: TestClient, user: str) -> None:
    response = client.get("/tasks", headers={"Authorization": f"Bearer {token(user)}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "spelling",
    ["Bearer  {t}", "Bearer   {t}", "Bearer {t} ", "Bearer {t}  ", "Bearer {t}\t", "Bearer  {t} "],
    ids=["two spaces", "three spaces", "space after", "spaces after", "tab after", "around"],
)
def test_whitespace_around_the_token_is_401(client: TestClient, user: str, spelling: str) -> None:
    value = spelling.format(t=token(user)).encode()
    response = client.get("/tasks", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("segment", [0, 1, 2], ids=["header", "payload", "signature"])
@pytest.mark.parametrize("padding", ["=", "=="])
def test_a_padded_segment_is_401(client: TestClient, user: str, segment: int, padding: str) -> None:
    # RFC 7515: base64url without padding. PyJWT decodes the padded spelling all the same.
    parts = token(user).split(".")
    parts[segment] += padding
    assert_refused(client.get("/tasks", headers=auth(".".join(parts))))


@pytest.mark.parametrize(
    "separator",
    [b"\xa0", b"\xc2\xa0", b"\x85", b"\t", b" \t", b"\x0b", b"\x0c", b"\xe3\x80\x80"],
    ids=["NBSP", "NBSP in UTF-8", "NEL", "tab", "space and tab", "VT", "FF", "ideographic"],
)
def test_only_spaces_separate(client: TestClient, user: str, separator: bytes) -> None:
    value = b"Bearer" + separator + token(user).encode()
    response = client.get("/tasks", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


@pytest.mark.parametrize("suffix", ["\xa0", "!", "@", "\x85"])
def test_a_token_outside_token68_is_refused(client: TestClient, user: str, suffix: str) -> None:
    value = f"Bearer {token(user)}{suffix}".encode("latin-1")
    assert_refused(client.get("/tasks", headers={"Authorization": value}))


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


BAD_REQUESTS = [
    ("POST", "/tasks", b'{"title": "unterminated'),
    ("POST", "/tasks", b'{"title": "\xff\xfe not utf-8"}'),
    ("POST", "/tasks", b'{"title": ""}'),
    ("POST", "/tasks", b'{"title": "ok", "user_id": "someone"}'),
    ("PATCH", "/tasks/1", b"{}"),
    ("PATCH", "/tasks/abc", b'{"title": "x"}'),
    ("GET", "/tasks/0", None),
    ("GET", "/tasks/+1", None),
    ("GET", "/tasks/99999999999999999999", None),
    ("DELETE", "/tasks/9223372036854775808", None),
    ("GET", "/tasks?limit=abc", None),
    ("GET", "/tasks?completed=maybe", None),
    ("GET", "/tasks/1/", None),
    ("PUT", "/tasks/1", b'{"title": "x"}'),
    ("PATCH", "/tasks/counts", b"{}"),
    ("GET", "/no/such/path", None),
]


@pytest.mark.parametrize(("method", "path", "body"), BAD_REQUESTS)
def test_authentication_comes_before_any_validation(
    client: TestClient, method: str, path: str, body: bytes | None
) -> None:
    """Without a valid token, a request learns nothing about its body, path or query."""
    json = {"Content-Type": "application/json"}
    for headers, challenge in [
        (json, "Bearer"),
        ({**json, **auth("not-a-token")}, INVALID_TOKEN),
        ({**json, "Authorization": "Basic dXNlcjpwYXNz"}, "Bearer"),
    ]:
        response = client.request(method, path, headers=headers, content=body)
        assert_refused(response, challenge=challenge)


def test_the_body_size_limit_comes_before_authentication(client: TestClient) -> None:
    body = b'{"title": "' + b"x" * 70_000 + b'"}'
    response = client.post("/tasks", content=body, headers={"Content-Type": "application/json"})
    assert response.status_code == 413


@pytest.mark.parametrize("path", ["/health", "/health/ready", "/openapi.json", "/docs", "/redoc"])
def test_public_paths_need_no_token(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 200


def test_a_route_on_a_public_path_has_no_caller() -> None:
    """The dependency fails closed where the middleware does not check tokens."""
    app = FastAPI()

    @app.get("/whoami")
    async def whoami(user_id: CurrentUser) -> str:
        return user_id

    with TestClient(app) as bare:
        assert_refused(bare.get("/whoami"), challenge="Bearer")
        assert_refused(bare.get("/whoami", headers=auth(token("alice"))), challenge="Bearer")
