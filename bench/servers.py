"""The processes a benchmark needs: the API under uvicorn, the load balancer in front of it,
and wrk driving it."""

import json
import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from devtools import Server, free_port, uvicorn

BENCH_DIR = Path(__file__).resolve().parent
HAPROXY_CONFIG = BENCH_DIR.parent / "deploy" / "haproxy.cfg"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server: Server) -> float:
    """User + system CPU of the server and its workers so far (from /proc)."""
    pids = [server.process.pid, *_children(server.process.pid)]
    return sum(_cpu_seconds(pid) for pid in pids)


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    # Fields 14 and 15 of proc(5), utime and stime; [0] here is field 3.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def api(env: dict[str, str], log: Path, workers: int = 1) -> AbstractContextManager[Server]:
    """The API as it is deployed (no reload, no access log), ready once its database answers."""
    options = ["--no-access-log", "--log-level", "warning", "--workers", str(workers)]
    return uvicorn(env, *options, log=log, ready="/health/ready")


def wrk(
    url: str,
    method: str,
    path: str,
    tokens: Path | None,
    seconds: float,
    connections: int = 32,
    paths: Path | None = None,
) -> dict[str, float]:
    """One bounded wrk run (2 threads); returns req/s, p50/p99 in ms and error counts.
    `paths`: a path per token, in place of `path`."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(BENCH_DIR / "load.lua"), url, "--", method, path]
    if tokens:
        command.append(str(tokens))
        if paths:
            command.append(str(paths))
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    raw = json.loads(output.strip().splitlines()[-1])
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "errors": raw["non_2xx"] + raw["socket_errors"],
    }


@contextmanager
def balancer(apis: list[Server], log: Path) -> Iterator[Server]:
    """HAProxy with the deployed configuration (deploy/haproxy.cfg) in front of one or two
    API replicas (one: both of its server lines name it); the API is at /api/v1 on its URL.
    Its web servers are left unset (a closed port): the benchmark calls the API alone."""
    haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="todo-balancer-") as scratch:
        nowhere = f"127.0.0.1:{free_port()}"
        env = {
            **os.environ,
            "BALANCER_BIND": f"127.0.0.1:{port}",
            "BALANCER_SECRET": secrets.token_urlsafe(24),
            "BALANCER_SOCKET": str(Path(scratch) / "haproxy.sock"),
            "API1": apis[0].url.removeprefix("http://"),
            "API2": apis[-1].url.removeprefix("http://"),
            "WEB1": nowhere,
            "WEB2": nowhere,
        }
        with log.open("ab") as output:
            process = subprocess.Popen(
                [haproxy, "-db", "-f", str(HAPROXY_CONFIG)],
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        server = Server(f"http://127.0.0.1:{port}", process)
        try:
            _wait_for_api(server)
            yield server
        finally:
            process.terminate()
            process.wait(timeout=15)


def _wait_for_api(server: Server) -> None:
    """Until the balancer has checked its API replicas and sends requests through."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"haproxy exited with {server.process.returncode}")
        try:
            url = f"{server.url}/api/v1/health/ready"
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the balancer did not pass requests to the API")
