"""METRICS_PORT under `python -m app.server` with two workers: one /metrics that adds up what
every worker counted, JSON log lines whose request ids match the responses."""

import json
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devtools import Server, free_port, uvicorn
from tests.sse import events
from tests.support import SECRET, auth, backend_env, new_user, token, wait_until

REQUESTS = 40
Scrape = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(url: str) -> Scrape:
    """Every sample of the Prometheus text at `url`: (name, labels) -> value."""
    samples: Scrape = {}
    for line in httpx.get(url).text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"(\w+)(?:\{(.*)\})? (\S+)", line)
        assert match, line
        labels = frozenset(re.findall(r'(\w+)="([^"]*)"', match[2] or ""))
        samples[match[1], labels] = float(match[3])
    return samples


def count(samples: Scrape, name: str, **labels: str) -> float:
    wanted = set(labels.items())
    return sum(value for (n, ls), value in samples.items() if n == name and wanted <= ls)


@pytest.fixture(scope="module")
def served(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Server, str, Path, Path]]:
    scratch = tmp_path_factory.mktemp("metrics")
    multiproc, log = scratch / "multiproc", scratch / "api.log"
    multiproc.mkdir()
    (multiproc / "counter_1.db").write_bytes(b"left by an earlier run")
    port = free_port()
    env = backend_env(
        BETTER_AUTH_SECRET=SECRET,
        DATABASE_URL=database_url,
        METRICS_PORT=str(port),
        LOG_FORMAT="json",
        PROMETHEUS_MULTIPROC_DIR=str(multiproc),
    )
    with uvicorn(env, "--workers", "2", log=log) as api:
        yield api, f"http://127.0.0.1:{port}/metrics", multiproc, log


def test_metrics_add_up_every_worker(served: tuple[Server, str, Path, Path]) -> None:
    api, metrics, multiproc, _ = served
    assert not (multiproc / "counter_1.db").exists()  # wiped at start
    route = {"http_request_method": "GET", "http_route": "/tasks/{task_id}"}
    before = count(scrape(metrics), "http_server_request_duration_seconds_count", **route)
    headers = auth(token(new_user()))
    for n in range(REQUESTS):
        # A new connection each: the workers share the listening socket.
        assert httpx.get(f"{api.url}/tasks/{n + 1}", headers=headers).status_code == 404
    samples = scrape(metrics)
    after = count(samples, "http_server_request_duration_seconds_count", **route)
    assert after - before == REQUESTS
    assert count(samples, "db_pool_connections_max") > 0
    for name in ("db_budget_exceeded_total", "idempotent_replays_total"):
        assert (name, frozenset()) in samples


def test_a_worker_file_not_yet_sized_does_not_fail_the_scrape(
    served: tuple[Server, str, Path, Path],
) -> None:
    """A worker starting creates its file empty, then sizes it: a scrape in between is served."""
    _, metrics, multiproc, _ = served
    starting = multiproc / "histogram_4194304.db"
    starting.touch()
    try:
        response = httpx.get(metrics)
        assert response.status_code == 200, response.text
        assert count(scrape(metrics), "db_pool_connections_max") > 0
    finally:
        starting.unlink()


def test_json_lines_carry_the_request_ids_of_the_responses(
    served: tuple[Server, str, Path, Path],
) -> None:
    api, _, _, log = served
    user = f"{new_user()}@example.com"
    bearer = token(user)
    ids = [
        httpx.get(f"{api.url}/tasks", headers=auth(bearer)).headers["x-request-id"],
        httpx.get(f"{api.url}/tasks", headers={"X-Request-ID": "mine.1"}).headers["x-request-id"],
    ]
    assert ids[1] == "mine.1"
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]
    access = {line["request_id"]: line for line in lines if line["logger"] == "app.access"}
    assert access[ids[0]]["status"] == 200 and access[ids[0]]["route"] == "/tasks"
    assert access[ids[1]]["status"] == 401
    for field in ("time", "level", "message", "method", "duration_ms"):
        assert field in access[ids[0]]
    assert bearer not in text and user not in text and "@" not in text


def test_open_event_streams_add_up_every_worker(served: tuple[Server, str, Path, Path]) -> None:
    api, metrics, _, _ = served
    jwt = token(new_user())
    before = count(scrape(metrics), "event_streams_open")
    with events(api.url, jwt), events(api.url, jwt), events(api.url, jwt):
        # Three new connections, shared out between the two workers as they come.
        assert count(scrape(metrics), "event_streams_open") == before + 3
    wait_until(
        lambda: count(scrape(metrics), "event_streams_open") == before, "the streams are closed"
    )
