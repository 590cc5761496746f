"""What the tests, scripts/ and bench/ need around the backend: the API under a real uvicorn,
throwaway PostgreSQL databases, and a receiver for the traces the API exports.

A module of the backend project beside `app` (not in it, and not in `tests`): the installed
project puts it on every backend environment's path, so the tests, scripts/scratch_db.py and
the benchmarks import it alike. It needs nothing beyond the runtime's own packages.
"""

import gzip
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psycopg
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue
from psycopg import sql
from sqlalchemy import make_url

from app.db.listen import APPLICATION_NAME as LISTENER_APPLICATION_NAME
from app.models import metadata

BACKEND_DIR = Path(__file__).resolve().parent
# The API's tables, which README.md tells operators to grant its role: every table the models
# declare (a new one is granted in the tests' and the benchmarks' roles without a word).
API_TABLES = ", ".join(table.name for table in metadata.sorted_tables)
# Throwaway databases are named todo_<purpose>_<12 hex digits>; nothing else is ever dropped.
_THROWAWAY = re.compile(r"todo_[a-z0-9]+_[0-9a-f]{12}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def uvicorn(
    env: dict[str, str], *args: str, log: Path | None = None, ready: str = "/health"
) -> Iterator[Server]:
    """The API as deployed (`python -m app.server`: uvicorn with the head size bound) on a free
    loopback port, with extra `args` of app.server's;
    yields once `ready` answers 200, and stops the server afterwards.

    Its output goes to a file (appended to `log`, or a temporary one), not a pipe: under load
    the access log would fill a pipe nobody reads and stall the server.
    """
    port = free_port()
    command = [sys.executable, "-m", "app.server", "--port", str(port), *args]
    with tempfile.TemporaryDirectory() as scratch:
        log = log or Path(scratch) / "uvicorn.log"
        with log.open("ab") as output:
            process = subprocess.Popen(  # noqa: S603 (our own command line)
                command, cwd=BACKEND_DIR, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        server = Server(f"http://127.0.0.1:{port}", process)
        try:
            _wait_until_ready(server, f"{server.url}{ready}", log)
            yield server
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _wait_until_ready(server: Server, url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"uvicorn exited with {server.process.returncode}:\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our server)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"uvicorn did not answer at {url}:\n{log.read_text()[-3000:]}")


def libpq_url(url: str, database: str | None = None) -> str:
    """The URL (of any driver) as libpq and psycopg take it, optionally for another database."""
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def create_database(server_url: str, purpose: str) -> str:
    """A new, empty database todo_<purpose>_<random> on the server; its URL, with the driver
    and credentials of `server_url`."""
    name = f"todo_{purpose}_{uuid.uuid4().hex[:12]}"
    if not _THROWAWAY.fullmatch(name):
        raise ValueError(f"a purpose is lowercase letters and digits: {purpose!r}")
    with psycopg.connect(libpq_url(server_url, "postgres"), autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    """Drops a database create_database made (connections to it are ended); refuses any other."""
    name = make_url(database_url).database or ""
    if not _THROWAWAY.fullmatch(name):
        raise ValueError(f"refusing to drop {name!r}: not a throwaway database")
    with psycopg.connect(libpq_url(database_url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def postgres_database(server_url: str, purpose: str = "test") -> Iterator[str]:
    """A fresh, empty database on the server, dropped afterwards."""
    url = create_database(server_url, purpose)
    try:
        yield url
    finally:
        drop_database(url)


# An OTLP/HTTP trace receiver: what an exporter posts to /v1/traces, kept as spans.
@dataclass(frozen=True)
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    parent_id: str
    attributes: dict[str, str]


@dataclass
class Received:
    """What the receiver got; kept as posted, and parsed only when asked (the benchmarks
    export spans under load: the receiver must cost little)."""

    url: str
    bodies: list[bytes] = field(default_factory=list)
    connections: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def spans(self) -> list[Span]:
        with self.lock:
            bodies = list(self.bodies)
        return [span for body in bodies for span in _spans(body)]

    def of_trace(self, trace_id: str) -> list[Span]:
        return [span for span in self.spans() if span.trace_id == trace_id]


def _spans(body: bytes) -> Iterator[Span]:
    request = ExportTraceServiceRequest()
    request.ParseFromString(body)
    for resource_spans in request.resource_spans:
        resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
        for scope_spans in resource_spans.scope_spans:
            for span in scope_spans.spans:
                yield Span(
                    service=resource.get("service.name", ""),
                    name=span.name,
                    trace_id=span.trace_id.hex(),
                    span_id=span.span_id.hex(),
                    parent_id=span.parent_span_id.hex(),
                    attributes={a.key: _value(a.value) for a in span.attributes},
                )


def _value(value: AnyValue) -> str:
    """An attribute's value, whatever its type, as text (the status code: "200")."""
    kind = value.WhichOneof("value")
    return "" if kind is None else str(getattr(value, kind))


@contextmanager
def otlp_receiver() -> Iterator[Received]:
    received = Received(url="")

    class Handler(BaseHTTPRequestHandler):
        # Keeps the exporter's connection open between batches, as a collector does: with
        # HTTP/1.0's default, every batch paid a new connection (the API's CPU too, in B12).
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()
            with received.lock:
                received.connections += 1

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            if self.path == "/v1/traces":
                with received.lock:
                    received.bodies.append(body)
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    received.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()


def role_backends(conn: psycopg.Connection, role: str) -> tuple[int, int]:
    """How many client backends `role` holds on the server for its pools, and how many of
    them are running a statement (what a storm of slow requests must not leave behind). Each
    worker's change-feed listener is one more connection, outside the pool: not counted."""
    row = conn.execute(
        "SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity"
        " WHERE usename = %s AND backend_type = 'client backend'"
        " AND application_name IS DISTINCT FROM %s",
        (role, LISTENER_APPLICATION_NAME),
    ).fetchone()
    assert row is not None
    return row[0], row[1]
