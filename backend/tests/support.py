"""Helpers shared by the tests: secrets, token builders, throwaway databases and servers."""

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import psycopg
from sqlalchemy import make_url

from app.core.security import DEFAULT_AUDIENCE

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


@contextmanager
def postgres_database(server_url: str) -> Iterator[str]:
    """A fresh, empty database on the server, dropped afterwards."""
    url = make_url(server_url)
    name = f"todo_test_{uuid.uuid4().hex[:12]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def backend_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "BETTER_AUTH_SECRET"}}
    env.update(settings)
    return env


@contextmanager
def uvicorn_server(env: dict[str, str], *args: str, log: Path | None = None) -> Iterator[str]:
    """A real uvicorn process serving app.main:app; yields its base URL once it answers.

    Its output goes to a file (`log`, or a temporary one), not a pipe: under load the access
    log would fill a pipe nobody reads and stall the server.
    """
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port), *args]
    with tempfile.TemporaryDirectory() as scratch:
        log = log or Path(scratch) / "uvicorn.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                command, cwd=BACKEND_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                if process.poll() is not None:
                    raise RuntimeError(
                        f"uvicorn exited with {process.returncode}:\n{log.read_text()}"
                    )
                try:
                    httpx.get(f"{base}/health", timeout=1)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
