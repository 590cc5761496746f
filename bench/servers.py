"""The processes a benchmark needs: the API under uvicorn, and wrk driving it."""

import json
import os
import subprocess
from contextlib import AbstractContextManager
from pathlib import Path

from devtools import Server, uvicorn

BENCH_DIR = Path(__file__).resolve().parent
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
    url: str, method: str, path: str, tokens: Path | None, seconds: float, connections: int = 32
) -> dict[str, float]:
    """One bounded wrk run (2 threads); returns req/s, p50/p99 in ms and error counts."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s"]
    command += ["-s", str(BENCH_DIR / "load.lua"), url, "--", method, path]
    if tokens:
        command.append(str(tokens))
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
