"""The API under uvicorn, with a bound on the request line and headers.

Usage: `python -m app.server [--host H] [--port P] [--workers N] [--log-level L]
[--no-access-log]`. This is how `make run`, the benchmarks, the tests and the documented
deployment start the API: plain `uvicorn app.main:app` would use httptools without any limit on
the size of a request's head, which it keeps in memory while it parses it: a flood of headers
costs memory and CPU that grow faster than its size, and holds up every other request of the
worker meanwhile (issue 10).
"""

import argparse
import asyncio
import json
import sys
import uuid
from collections.abc import Sequence
from typing import Any

import uvicorn
from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.core.config import ConfigError, get_settings
from app.observability import multiprocess
from app.observability.logs import log_config

TOO_LARGE = json.dumps({"detail": "request header fields too large"}).encode()


def _refusal(request_id: str) -> bytes:
    # A new id: the client's own is somewhere in a head that was never parsed whole.
    return (
        b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
        b"content-type: application/json\r\n"
        b"content-length: " + str(len(TOO_LARGE)).encode() + b"\r\n"
        b"x-request-id: " + request_id.encode() + b"\r\n"
        b"connection: close\r\n"
        b"\r\n" + TOO_LARGE
    )


# After refusing, the connection reads (and drops) what the client is still sending, for a
# moment, before it closes: closing with unread data resets the connection, and a client
# still busy sending its head would lose the 431 it has not read yet.
LINGER_SECONDS = 1.0
LINGER_BYTES = 8 * 1024 * 1024
WORKER_START_SECONDS = 30


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a limit on the bytes of a request's head, and on the
    time it takes to arrive.

    Bytes are counted as they arrive, from the end of one request (or the start of the
    connection) until the parser has seen the whole head of the next, and handed to the
    parser no further than the limit: a head that has not ended by then gets 431 (JSON,
    `Connection: close`) and the connection is closed; the rest of it is never parsed nor
    kept.

    Time: a new connection, and a kept-alive one once the next request's first byte arrives,
    has HEADER_TIMEOUT_SECONDS to send its whole head, or it is closed. uvicorn closes an idle
    kept-alive connection after its keep-alive timeout, but not one that sends nothing at all,
    or half a head a byte at a time: such connections held a file descriptor each for as long
    as the client liked, and enough of them left none for anyone else (issue 19).
    """

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        settings = get_settings()
        self.max_head_bytes = settings.max_header_bytes
        self.header_timeout = settings.header_timeout_seconds
        self._head_bytes: int | None = 0  # None while a body is read or a response is due
        self._refused_bytes: int | None = None  # bytes dropped since the 431, once refused
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        """On SIGTERM uvicorn lets every response under way finish. An event stream (GET
        /events) would go on until its token's exp, holding the shutdown that long: every
        stream of the worker ends now, and its client reconnects, to another replica, with its
        Last-Event-ID (nothing is lost). Other requests finish as they would."""
        # Imported here: the worker has the app loaded by now; the parent process never calls
        # this, and need not load it.
        from app.changes import end_streams

        end_streams()
        super().shutdown()

    def _start_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self._head_bytes is not None and not self.transport.is_closing():
            self.logger.debug("Request head not complete within %ss: closed", self.header_timeout)
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self._head_bytes == 0 and data:
            self._start_head_timer()  # the first byte of a kept-alive connection's next head
        if self._refused_bytes is not None:
            self._refused_bytes += len(data)
            if self._refused_bytes > LINGER_BYTES:
                self.transport.close()
            return
        while data and self._head_bytes is not None:
            room = self.max_head_bytes - self._head_bytes
            if room <= 0:  # the limit reached, and the head goes on
                self._refuse()
                return
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            super().data_received(piece)
            if self.transport.is_closing():
                return
        if data:
            super().data_received(data)

    def on_headers_complete(self) -> None:
        self._head_bytes = None
        self._stop_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._head_bytes = 0

    def _refuse(self) -> None:
        request_id = uuid.uuid4().hex
        self.logger.warning(
            "Request line and headers over %d bytes: 431",
            self.max_head_bytes,
            extra={"request_id": request_id, "status": 431},
        )
        self._unset_keepalive_if_required()
        if self.cycle is not None and not self.cycle.response_complete:
            # A pipelined head while a response is under way: no room for an answer of ours.
            self.transport.close()
            return
        self.transport.write(_refusal(request_id))
        self._refused_bytes = 0
        self.loop.call_later(LINGER_SECONDS, self.transport.close)


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m app.server", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--no-access-log", dest="access_log", action="store_false")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    arguments = _arguments(argv)
    try:
        settings = get_settings()
    except ConfigError as error:
        sys.exit(f"error: {error}")
    scratch = None
    if settings.metrics_port is not None:
        # Before prometheus_client is imported here or in a worker (see multiprocess.py).
        scratch = multiprocess.prepare_dir()
        from app.observability import prometheus

        prometheus.serve(settings.metrics_port, arguments.host)
    try:
        uvicorn.run(
            "app.main:app",
            host=arguments.host,
            port=arguments.port,
            workers=arguments.workers,
            log_level=arguments.log_level,
            log_config=log_config(settings.log_format, arguments.log_level, arguments.access_log),
            # The app writes its own access lines (app/observability/requests.py).
            access_log=False,
            http=BoundedHttpToolsProtocol,
            # A worker that takes longer than uvicorn's 5 s to answer its first ping (a busy
            # machine starting several at once) would be killed and started again, in a loop.
            timeout_worker_healthcheck=WORKER_START_SECONDS,
        )
    finally:
        if scratch is not None:
            multiprocess.remove(scratch)


if __name__ == "__main__":
    main()
