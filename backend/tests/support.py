"""Helpers shared by the tests: secrets, token builders, the backend's Python.

Servers and throwaway databases come from `devtools`, which scripts/ and bench/ use too.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import psycopg
from fastapi.testclient import TestClient
from sqlalchemy import make_url

from app.core.config import Settings
from app.core.security import DEFAULT_AUDIENCE
from app.db import Database, database_for
from devtools import API_TABLES, Server, libpq_url, uvicorn

SECRET = "test-secret-0123456789abcdef0123456789abcdef"
PREVIOUS_SECRET = "old-secret-fedcba9876543210fedcba9876543210"
BACKEND_DIR = Path(__file__).resolve().parents[1]


def new_user() -> str:
    return f"user-{uuid.uuid4().hex}"


def claims(sub: str, **overrides: Any) -> dict[str, Any]:
    """A bridge token's claims, as the frontend's token route signs them."""
    now = int(time.time())
    return {"sub": sub, "iat": now, "exp": now + 900, "aud": DEFAULT_AUDIENCE, **overrides}


def token(
    sub: str, secret: str = SECRET, headers: dict[str, Any] | None = None, **over: Any
) -> str:
    return jwt.encode(claims(sub, **over), secret, algorithm="HS256", headers=headers)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], payload: dict[str, Any], signature: str = "") -> str:
    """A token put together by hand, for shapes PyJWT refuses to produce."""
    parts = (json.dumps(header).encode(), json.dumps(payload).encode())
    return ".".join((*map(b64, parts), signature))


def sign_raw(header: dict[str, Any], payload: str, secret: str = SECRET) -> str:
    """A correctly signed token whose payload is exactly the given JSON text."""
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(payload.encode())}"
    digest = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(digest)}"


def auth(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def run_python(
    *args: str, env: dict[str, str], timeout: float | None = None
) -> subprocess.CompletedProcess[str]:
    """The backend's Python run in backend/ (`-m module ...`, `-c code`), output as text."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def preflight(client: TestClient, method: str, headers: str) -> httpx.Response:
    """The browser's CORS preflight from the frontend's origin (http://localhost:3000, the
    default CORS_ORIGINS) for a `method` request to /tasks that sends `headers`."""
    answer: httpx.Response = client.options(
        "/tasks",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": headers,
        },
    )
    return answer


def backend_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BETTER_AUTH_SECRET"}}
    env.update(settings)
    return env


@contextmanager
def api_server(database_url: str, **settings: str) -> Iterator[Server]:
    """The API as deployed (devtools.uvicorn, no access log) on `database_url`, its tokens
    signed with SECRET, with more of its environment in `settings`."""
    env = backend_env(BETTER_AUTH_SECRET=SECRET, DATABASE_URL=database_url, **settings)
    with uvicorn(env, "--no-access-log") as api:
        yield api


@contextmanager
def plain_role(owner_url: str, privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> Iterator[str]:
    """A login role with `privileges` on the API's tables of the database at `owner_url` and
    nothing else (no superuser, owns nothing: row-level security applies to it); its URL.
    Dropped afterwards."""
    role = f"todo_api_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {role} LOGIN")
        conn.execute(f"GRANT CONNECT ON DATABASE {make_url(owner_url).database} TO {role}")
        conn.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.execute(f"GRANT {privileges} ON {API_TABLES} TO {role}")
    try:
        yield make_url(owner_url).set(username=role).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
            # Its grants, on the database too; then nothing depends on it.
            conn.execute(f"DROP OWNED BY {role}")
            conn.execute(f"DROP ROLE {role}")


def wait_until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Poll until `condition()` holds, instead of sleeping for a time that is sometimes not
    enough and mostly too much."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s: {what}"
        time.sleep(0.02)


async def until(condition: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """wait_until for a coroutine: the other tasks of its loop run while it polls."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds:.0f} s: {what}"
        await asyncio.sleep(0.02)


class Opened:
    """A database as the API opens it, and one event loop to run its statements in (asyncpg's
    connections belong to the loop that opened them)."""

    def __init__(self, database: Database, runner: asyncio.Runner) -> None:
        self.database = database
        self.run = runner.run


@contextmanager
def opened_database(settings: Settings) -> Iterator[Opened]:
    with asyncio.Runner() as runner:
        database = database_for(settings)
        runner.run(database.open())
        try:
            yield Opened(database, runner)
        finally:
            runner.run(database.close())
