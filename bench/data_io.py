"""Import and export of 10,000 tasks (issue 23): time and the API process's peak memory, on
SQLite and PostgreSQL, over real HTTP against `python -m app.server`.

Usage (from the repository root, after `make test` or `bash bench/run.sh` made backend/.venv):
    backend/.venv/bin/python bench/data_io.py [POSTGRES_SERVER_URL]

Each figure runs on a fresh server: the process's peak resident memory (VmHWM) after the
operation, less its resident memory just before it, is what the operation added. An export of
50,000 tasks is measured too: streamed a page at a time, it should add no more than 10,000's.
Writes bench/results/data_io.json and the "Export and import" section of docs/benchmarks.md
(between its markers; bench/report.py keeps that section when it rewrites the file).
"""

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "backend"))

from tests.support import SECRET, backend_env, new_user, token  # noqa: E402

from app.migrations import migrate  # noqa: E402
from devtools import postgres_database, uvicorn  # noqa: E402
from sections import markers, publish  # noqa: E402

SIZES = (10_000, 50_000)
BATCH = 25_000  # tasks per import file (under the 10 MB limit)
START, END = markers("data-io")


def _kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/{pid}/status")


def document(count: int, offset: int = 0) -> bytes:
    """An export file of `count` tasks: a list, tags, a quarter dated, every tenth repeating."""
    tasks = []
    for n in range(offset, offset + count):
        dated = n % 4 == 0
        tasks.append(
            {
                "id": n + 1, "title": f"Task {n} with a title of ordinary length",
                "description": "A line of description" if n % 3 == 0 else None,
                "completed": n % 5 == 0,
                "completed_at": "2026-11-01T10:00:00Z" if n % 5 == 0 else None,
                "created_at": "2026-11-01T09:00:00Z", "updated_at": "2026-11-01T09:00:00Z",
                "priority": ("none", "low", "medium", "high")[n % 4],
                "due_date": "2026-12-01" if dated else None,
                "due_time": "09:30" if n % 8 == 0 else None,
                "tags": ["work", f"t{n % 20}"] if n % 2 else [],
                "repeat": "FREQ=WEEKLY;BYDAY=MO" if dated and n % 10 == 0 else None,
                "repeat_from": "due", "repeat_of": None, "list_id": 1 if n % 2 else None,
                "parent_id": None, "position": float(n + 1),
            }
        )  # fmt: skip
    created = "2026-11-01T09:00:00Z"
    lists = [{"id": 1, "name": "Work", "color": "blue", "position": 1.0, "created_at": created}]
    body = {"format": "todo-export", "version": 1, "exported_at": "2026-12-01T00:00:00Z"}
    return json.dumps({**body, "lists": lists, "tasks": tasks}).encode()


def measured(
    database_url: str,
    headers: dict[str, str],
    work: Callable[[httpx.Client, dict[str, str]], None],
) -> dict[str, float]:
    """`work`'s wall time and added peak memory, on a fresh server."""
    env = backend_env(BETTER_AUTH_SECRET=SECRET, DATABASE_URL=database_url, AUTO_MIGRATE="false")
    with uvicorn(env) as server, httpx.Client(base_url=server.url, timeout=600) as client:
        client.get("/tasks", headers=headers).raise_for_status()  # warm: first statements
        pid = server.process.pid
        before = _kib(pid, "VmRSS")
        started = time.perf_counter()
        work(client, headers)
        seconds = time.perf_counter() - started
        added = (_kib(pid, "VmHWM") - before) / 1024
        return {"seconds": round(seconds, 2), "peak_added_mib": round(added, 1)}


def user() -> dict[str, str]:
    return {"Authorization": f"Bearer {token(new_user(), exp=int(time.time()) + 3600)}"}


def imports(count: int) -> Callable[[httpx.Client, dict[str, str]], None]:
    files = [document(min(BATCH, count - start), start) for start in range(0, count, BATCH)]

    def run(client: httpx.Client, headers: dict[str, str]) -> None:
        for body in files:
            response = client.post(
                "/import", params={"format": "json"}, content=body, headers=headers
            )
            response.raise_for_status()

    return run


def exports(file_format: str) -> Callable[[httpx.Client, dict[str, str]], None]:
    def run(client: httpx.Client, headers: dict[str, str]) -> None:
        size = 0
        with client.stream(
            "GET", "/export", params={"format": file_format}, headers=headers
        ) as response:
            response.raise_for_status()
            for chunk in response.iter_bytes():
                size += len(chunk)
        assert size > 0

    return run


def figures(database_url: str) -> dict[str, dict[str, float]]:
    """Each size is imported once, for a user of its own (the 10k import is measured), then
    exported in each format."""
    migrate(database_url)
    found: dict[str, dict[str, float]] = {}
    for size in SIZES:
        headers = user()
        imported = measured(database_url, headers, imports(size))
        if size == SIZES[0]:
            found[f"import json {size // 1000}k"] = imported
        for file_format in ("json", "csv", "ics"):
            name = f"export {file_format} {size // 1000}k"
            found[name] = measured(database_url, headers, exports(file_format))
    return found


def section(results: dict[str, object]) -> str:
    lines = [
        START,
        "## Export and import (issue 23)",
        "",
        f"`bench/data_io.py`, {results['when']}: one server process (`python -m app.server`), a",
        "fresh one per figure; *peak added* is its peak resident memory after the operation less",
        "its resident memory before (`/proc`: VmHWM - VmRSS). Imports send our JSON export format",
        "(25,000 tasks per file, under the 10 MB limit); exports are streamed to the client. An",
        "export reads and writes 500 tasks at a time, so 50k should add about what 10k adds. The",
        "iCalendar export is the slowest: the icalendar library builds each VTODO as objects.",
        "",
        "| Database | Operation | Time (s) | Peak added (MiB) |",
        "|---|---|---|---|",
    ]
    for database, found in results["databases"].items():  # type: ignore[attr-defined]
        for name, figure in found.items():
            lines.append(
                f"| {database} | {name} | {figure['seconds']} | {figure['peak_added_mib']} |"
            )
    return "\n".join([*lines, END, ""])


def main() -> None:
    postgres = (
        sys.argv[1]
        if len(sys.argv) > 1
        else os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    )
    results: dict[str, object] = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "databases": {},
    }
    databases: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        databases["SQLite"] = figures(f"sqlite:///{scratch}/bench.sqlite")
    with postgres_database(postgres, "bench") as url:
        databases["PostgreSQL"] = figures(url)
    results["databases"] = databases
    publish("data-io", results, section(results))


if __name__ == "__main__":
    main()
