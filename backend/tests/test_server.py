"""The head size bound of `python -m app.server`, over raw sockets against the real server."""

import contextlib
import json
import re
import select
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from devtools import uvicorn
from tests.sse import events
from tests.support import SECRET, api_server, backend_env, new_user, token

LIMIT = 8192
FLOOD_BYTES = 128 * 1024 * 1024
CHUNK = 64 * 1024
# What a client can push into the two sockets' buffers (and the server's short drain after
# its answer) before it notices the answer: far below the flood.
MOST_SENT = 32 * 1024 * 1024


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    with api_server(database_url, MAX_HEADER_BYTES=str(LIMIT)) as api:
        yield api.url


def _address(url: str) -> tuple[str, int]:
    parsed = httpx.URL(url)
    return parsed.host, parsed.port or 80


def _exchange(url: str, request: bytes) -> bytes:
    """Sends `request` whole, then reads until the server closes or 5 s pass."""
    with socket.create_connection(_address(url), timeout=5) as sock:
        sock.sendall(request)
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer and b"connection: close" not in answer.lower():
                    break
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def _flood(url: str, head_start: bytes, filler: bytes) -> tuple[bytes, int]:
    """Sends `head_start`, then `filler` over and over (up to 128 MiB) without ending the
    head, reading whatever the server answers meanwhile; stops once it has answered and
    closed, or refuses more. The answer and how many bytes were sent."""
    answer, sent = b"", 0
    with socket.create_connection(_address(url), timeout=10) as sock:
        try:
            sock.sendall(head_start)
            sent += len(head_start)
            while sent < FLOOD_BYTES:
                sock.sendall(filler)
                sent += len(filler)
                readable, _, _ = select.select([sock], [], [], 0)
                if readable:
                    chunk = sock.recv(65536)
                    answer += chunk
                    if not chunk or b"\r\n\r\n" in answer:
                        break
        except OSError:  # the server closed the connection: what it sent is read below
            pass
        try:
            while chunk := sock.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer, sent


def _status_and_body(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines)
    return int(status_line.split()[1]), headers, body


def _health_request(padding: int) -> bytes:
    """GET /health whose request line and headers are exactly `padding` bytes longer than
    the bare request's."""
    bare = b"GET /health HTTP/1.1\r\nHost: t\r\nX-Pad: \r\nConnection: close\r\n\r\n"
    return bare.replace(b"X-Pad: ", b"X-Pad: " + b"a" * padding)


def test_a_head_of_exactly_the_limit_is_served(server: str) -> None:
    request = _health_request(LIMIT - len(_health_request(0)))
    assert len(request) == LIMIT
    status, _, body = _status_and_body(_exchange(server, request))
    assert (status, json.loads(body)) == (200, {"status": "ok"})


def test_one_byte_over_the_limit_is_431_json_and_closed(server: str) -> None:
    request = _health_request(LIMIT + 1 - len(_health_request(0)))
    status, headers, body = _status_and_body(_exchange(server, request))
    assert status == 431
    assert headers["connection"] == "close"
    assert headers["content-type"] == "application/json"
    assert json.loads(body) == {"detail": "request header fields too large"}
    assert re.fullmatch("[0-9a-f]{32}", headers["x-request-id"])


@pytest.mark.parametrize(
    "filler", [b"a" * CHUNK, b"X-Many: 1\r\n" * (CHUNK // 11)], ids=["one-header", "many-headers"]
)
def test_a_128_mib_head_is_refused_without_being_read(server: str, filler: bytes) -> None:
    start = b"GET /tasks HTTP/1.1\r\nHost: t\r\n" + (b"X-Flood: " if filler[:1] == b"a" else b"")
    answer, sent = _flood(server, start, filler)
    status, headers, _ = _status_and_body(answer)
    assert (status, headers["connection"]) == (431, "close"), answer[:300]
    assert sent < MOST_SENT, f"the server read {sent} bytes of the head before refusing it"


def test_other_requests_are_served_while_a_flood_is_under_way(server: str) -> None:
    """A head still being sent (below the limit, unfinished) and a flood being refused hold
    nothing up: /health answers on other connections meanwhile."""
    with socket.create_connection(_address(server), timeout=10) as slow:
        slow.sendall(b"GET /tasks HTTP/1.1\r\nHost: t\r\nX-Slow: " + b"a" * (LIMIT // 2))
        floods = [
            threading.Thread(target=_flood, args=(server, b"GET / HTTP/1.1\r\nX: ", b"a" * CHUNK))
            for _ in range(4)
        ]
        for flood in floods:
            flood.start()
        try:
            with httpx.Client(base_url=server, timeout=10) as http:
                answers = [http.get("/health").status_code for _ in range(20)]
        finally:
            for flood in floods:
                flood.join()
        assert answers == [200] * 20
        # The unfinished head's connection is still open, waiting for the rest.
        slow.sendall(b"\r\nConnection: close\r\n\r\n")
        status, _, _ = _status_and_body(slow.recv(65536))
        assert status == 401  # a complete request (without a token) at last


HEAD_TIMEOUT = 1.0
TRICKLERS = 1100
FILE_LIMIT = 1024


def test_slow_heads_are_cut_so_a_full_server_answers_again(database_url: str) -> None:
    """Under a 1,024 file limit, 1,100 connections trickling half a head (or nothing) take
    every descriptor the server has; each is closed HEADER_TIMEOUT_SECONDS after it was
    accepted, so a request waiting behind them is answered within that and 2 s (issue 19)."""
    with api_server(database_url, HEADER_TIMEOUT_SECONDS=str(HEAD_TIMEOUT)) as api:
        subprocess.run(
            ["prlimit", f"--pid={api.process.pid}", f"--nofile={FILE_LIMIT}:{FILE_LIMIT}"],
            check=True,
        )
        address = _address(api.url)
        sockets = [socket.socket() for _ in range(TRICKLERS)]
        try:
            for sock in sockets:
                sock.setblocking(False)
                sock.connect_ex(address)  # completed by the kernel, accepted when the server can
            # Half of them send nothing; the others half a head, then a byte of it now and then.
            slow = sockets[1::2]
            for sock in slow:
                sock.send(b"GET /health HTTP/1.1\r\nX-Slow: ")
            stop = threading.Event()
            trickle = threading.Thread(target=_trickle, args=(slow, stop))
            trickle.start()
            try:
                waited = _until_healthy(api.url)
            finally:
                stop.set()
                trickle.join()
        finally:
            for sock in sockets:
                sock.close()
    assert waited <= HEAD_TIMEOUT + 2


def _until_healthy(url: str) -> float:
    """How long until /health answers 200. Out of descriptors, the server (uvloop) accepts a
    connection and closes it at once: the client tries again, as one would."""
    started = time.monotonic()
    while time.monotonic() - started < 15:  # a guard: without the cut it never answers
        try:
            if httpx.get(f"{url}/health", timeout=HEAD_TIMEOUT + 2).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    return time.monotonic() - started


def _trickle(sockets: list[socket.socket], stop: threading.Event) -> None:
    """A byte of a header's value now and then on each connection, as a slow client sends."""
    while not stop.wait(0.2):
        for sock in sockets:
            with contextlib.suppress(OSError):  # closed by the server, or not accepted yet
                sock.send(b"a")


def test_sigterm_ends_open_event_streams_and_the_server_stops(database_url: str) -> None:
    """Without it, uvicorn would wait for each stream to end by itself: at its token's exp."""
    env = backend_env(BETTER_AUTH_SECRET=SECRET, DATABASE_URL=database_url)
    with uvicorn(env, "--no-access-log") as api, events(api.url, token(new_user())) as stream:
        api.process.terminate()
        while stream.block() is not None:
            pass  # heartbeats, until the server ends the stream
        # Stopped by the signal, as uvicorn reports a graceful stop (it raises it again).
        assert api.process.wait(timeout=30) == -signal.SIGTERM
