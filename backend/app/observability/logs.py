"""Log lines: plain text by default, one JSON object per line with LOG_FORMAT=json.

A line written while a request is served carries its request id (`current_request_id`). No
line may carry a token, a cookie, a password or an email: the API logs none of them, and
`redact` blanks anything that looks like one in a message all the same (an exception's text,
a library's warning). A user id appears only as a keyed hash (`UserHasher`): lines of one user
can be followed without the logs naming anyone.
"""

import hashlib
import hmac
import logging
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

import orjson

current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

# The fields of a request's line (app/observability/requests.py), in this order.
REQUEST_FIELDS = ("request_id", "method", "route", "path", "status", "duration_ms", "user")
_REDACTIONS = (
    (re.compile(r"(?i)\bbearer\s+\S+"), "Bearer [redacted]"),
    # A JWT (its header is base64 of '{"'), whatever it is part of.
    (re.compile(r"eyJ[\w-]*\.[\w-]*\.?[\w-]*"), "[token]"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"(?i)\b(password|cookie|secret|token)(\"?\s*[:=]\s*)\S+"), r"\1\2[redacted]"),
)


def redact(text: str) -> str:
    for pattern, replacement in _REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


class UserHasher:
    """A user id -> its HMAC-SHA256 (16 hex digits) under a key derived from the secret, so
    nobody without the secret can tell whose lines they are, or test a guess."""

    def __init__(self, secret: bytes) -> None:
        self._key = hmac.new(secret, b"todo-api log user id", hashlib.sha256).digest()
        # A client's requests come one after another: each id is hashed once in a while.
        self.hash: Callable[[str], str] = lru_cache(maxsize=4096)(self._hash)

    def _hash(self, user_id: str) -> str:
        return hmac.new(self._key, user_id.encode(), hashlib.sha256).hexdigest()[:16]


def _request_id(record: logging.LogRecord) -> str | None:
    explicit: str | None = getattr(record, "request_id", None)
    return explicit or current_request_id.get()


class JsonFormatter(logging.Formatter):
    """time, level, logger, message; a request's fields; the error's traceback, if any."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
        }
        request_id = _request_id(record)
        if request_id is not None:
            line["request_id"] = request_id
        for name in (*REQUEST_FIELDS[1:], "trace_id"):
            value = getattr(record, name, None)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        return orjson.dumps(line).decode()


class TextFormatter(logging.Formatter):
    """uvicorn's look (`INFO:     message`), with the request id when there is one."""

    def __init__(self) -> None:
        super().__init__("%(levelname)s:%(padding)s%(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.padding = " " * max(1, 9 - len(record.levelname))
        text = redact(super().format(record))
        request_id = _request_id(record)
        return text if request_id is None else f"{text} request_id={request_id}"


def log_config(
    log_format: Literal["text", "json"], level: str = "info", access_log: bool = True
) -> dict[str, Any]:
    """logging.config.dictConfig for uvicorn (its log_config) and the app: every line, the
    server's and the app's, through one formatter on stderr. The API writes its own access
    lines (logger app.access), with the request id, route and duration uvicorn's lack."""
    formatter = JsonFormatter if log_format == "json" else TextFormatter
    handler = {"class": "logging.StreamHandler", "formatter": "lines", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"lines": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {"lines": handler},
        "loggers": {
            "uvicorn": {"handlers": ["lines"], "level": level.upper(), "propagate": False},
            "uvicorn.access": {"handlers": [], "propagate": False},
            "app": {"handlers": ["lines"], "level": level.upper(), "propagate": False},
            "app.access": {"level": "INFO" if access_log else "WARNING"},
        },
        "root": {"handlers": ["lines"], "level": "WARNING"},
    }
