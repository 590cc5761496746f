"""What only a real server shows: header bytes exactly as sent on the wire."""

import socket
from collections.abc import Iterator

import httpx
import pytest

from app.migrations import migrate
from devtools import uvicorn
from tests.support import SECRET, backend_env, new_user, token


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    migrate(database_url)
    with uvicorn(backend_env(BETTER_AUTH_SECRET=SECRET, DATABASE_URL=database_url)) as api:
        yield api.url


@pytest.mark.parametrize(
    "separator", [b" ", b"\xa0", b"\x85", b"\t"], ids=["SP", "NBSP", "NEL", "tab"]
)
def test_only_a_space_separates_the_scheme_from_the_token(server: str, separator: bytes) -> None:
    value = b"Bearer" + separator + token(new_user()).encode()
    response = httpx.get(f"{server}/tasks", headers=[(b"Authorization", value)])
    assert response.status_code == (200 if separator == b" " else 401), response.text


@pytest.mark.parametrize(
    "around", [(b"", b" "), (b"", b"\t"), (b" ", b"")], ids=["SP", "tab", "2SP"]
)
def test_whitespace_around_the_token_on_the_wire_is_401(
    server: str, around: tuple[bytes, bytes]
) -> None:
    # httpx will not send trailing whitespace, and uvicorn passes it on untrimmed: a socket.
    before, after = around
    value = b"Bearer " + before + token(new_user()).encode() + after
    url = httpx.URL(server)
    with socket.create_connection((url.host, url.port or 80), timeout=10) as sock:
        sock.sendall(b"GET /tasks HTTP/1.1\r\nHost: api\r\nConnection: close\r\n")
        sock.sendall(b"Authorization: " + value + b"\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n")[0].lower()
    assert head.startswith(b"http/1.1 401"), head
    assert b"www-authenticate: bearer" in head
