"""Log lines: JSON with the request's fields, nothing secret or personal in them."""

import json
import logging
import sys

import pytest
from fastapi.testclient import TestClient

from app.observability.logs import JsonFormatter, TextFormatter, UserHasher, redact
from tests.support import SECRET, token

Headers = dict[str, str]


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    made = logging.LogRecord("app.test", logging.WARNING, __file__, 1, message, args, None)
    made.__dict__.update(extra)
    return made


def test_a_json_line_has_the_request_fields() -> None:
    line = json.loads(
        JsonFormatter().format(
            record(
                "GET /tasks/7 200",
                request_id="r-1",
                method="GET",
                route="/tasks/{task_id}",
                status=200,
                duration_ms=1.25,
            )
        )
    )
    assert line["level"] == "warning"
    assert line["message"] == "GET /tasks/7 200"
    assert line["time"].endswith("+00:00")
    assert {k: line[k] for k in ("request_id", "method", "route", "status", "duration_ms")} == {
        "request_id": "r-1",
        "method": "GET",
        "route": "/tasks/{task_id}",
        "status": 200,
        "duration_ms": 1.25,
    }


def test_an_error_line_is_one_json_object_with_its_traceback() -> None:
    try:
        raise ValueError("bad for alice@example.com")
    except ValueError:
        failed = record("failed")
        failed.exc_info = sys.exc_info()
    text = JsonFormatter().format(failed)
    assert "\n" not in text
    line = json.loads(text)
    assert "ValueError" in line["error"]
    assert "alice@example.com" not in text


@pytest.mark.parametrize(
    "secret",
    [
        "alice@example.com",
        "Bearer abc.def.ghi",
        token("someone"),
        "password=hunter22",
        "cookie: better-auth.session_token=abcdef",
    ],
)
def test_secrets_and_emails_are_redacted(secret: str) -> None:
    for formatter in (JsonFormatter(), TextFormatter()):
        text = formatter.format(record("saw %s here", secret))
        assert secret not in text
        assert "here" in text


def test_redact_keeps_ordinary_text() -> None:
    assert redact("GET /tasks/{task_id} 200 1.5ms") == "GET /tasks/{task_id} 200 1.5ms"


def test_user_ids_are_hashed_with_a_key_from_the_secret() -> None:
    hashed = UserHasher(SECRET.encode()).hash("user-42")
    assert hashed == UserHasher(SECRET.encode()).hash("user-42")
    assert hashed != UserHasher(b"another secret of 32 bytes or more!").hash("user-42")
    assert "user-42" not in hashed and len(hashed) == 16


def test_the_access_line_names_the_request_not_the_user(
    client: TestClient, headers: Headers, user: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="app.access"):
        response = client.get("/tasks/5", headers={**headers, "X-Request-ID": "line-1"})
    (line,) = [r for r in caplog.records if r.name == "app.access"]
    assert line.__dict__["request_id"] == "line-1" == response.headers["x-request-id"]
    assert line.__dict__["route"] == "/tasks/{task_id}"
    assert line.__dict__["status"] == 404
    assert line.__dict__["user"] == UserHasher(SECRET.encode()).hash(user)
    text = JsonFormatter().format(line)
    assert user not in text
    assert headers["Authorization"].split()[1] not in text
