"""The API's Prometheus metrics, and the /metrics endpoint on METRICS_PORT.

With several uvicorn workers each is a process of its own: prometheus_client's multiprocess
mode has every worker write its values to files in PROMETHEUS_MULTIPROC_DIR, and the process
that serves /metrics (app/server.py's, the workers' parent) adds them up at each scrape. That
directory must be set before the workers start and emptied at each start, or the counters of
a previous run would be added in: `multiprocess.prepare_dir` does both, before this module
(prometheus_client reads the setting once, when it is imported) is.

Names and labels follow OpenTelemetry's HTTP semantic conventions where there is one
(http_server_request_duration_seconds).
"""

import os
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
    start_http_server,
)
from prometheus_client.metrics_core import Metric

from app.observability.multiprocess import MULTIPROC_DIR

# OpenTelemetry's advice for http.server.request.duration.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)
WAIT_BUCKETS = (0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)


class PrometheusMetrics:
    def __init__(self) -> None:
        self.request_duration = Histogram(
            "http_server_request_duration_seconds",
            "Duration of HTTP requests, by method, route template and status code",
            ["http_request_method", "http_route", "http_response_status_code"],
            buckets=DURATION_BUCKETS,
        )
        self.tokens_rejected = Counter(
            "auth_tokens_rejected",
            "Requests refused for their bearer token, by reason",
            ["reason"],
        )
        self.idempotent_replays = Counter(
            "idempotent_replays",
            "Creates answered with the task an earlier request with the same Idempotency-Key made",
        )
        self.rate_limit_refusals = Counter(
            "rate_limit_refusals", "Requests refused with 429, by limit", ["limit"]
        )
        self.db_budget_exceeded = Counter(
            "db_budget_exceeded",
            "Requests whose database work ran out of DB_TIMEOUT_SECONDS",
        )
        self.db_pool_wait = Histogram(
            "db_pool_wait_seconds",
            "Time a request waited for a pooled database connection (PostgreSQL)",
            buckets=WAIT_BUCKETS,
        )
        # Summed over the live workers: a replica's totals.
        gauge: dict[str, Any] = {"multiprocess_mode": "livesum"}
        self.pool_in_use = Gauge(
            "db_pool_connections_in_use", "Database connections lent to requests", **gauge
        )
        self.pool_idle = Gauge(
            "db_pool_connections_idle", "Open database connections waiting in the pool", **gauge
        )
        self.pool_max = Gauge(
            "db_pool_connections_max", "Most connections the pools may open", **gauge
        )
        self.event_streams_open = Gauge(
            "event_streams_open", "Event streams (the change feed) open now", **gauge
        )

    @staticmethod
    @cache
    def of_this_process() -> "PrometheusMetrics":
        """Created once: prometheus_client registers each name once per process."""
        return PrometheusMetrics()

    def set_pool_usage(self, usage: tuple[int, int, int]) -> None:
        in_use, idle, most = usage
        self.pool_in_use.set(in_use)
        self.pool_idle.set(idle)
        self.pool_max.set(most)

    @staticmethod
    def process_stopped(pid: int) -> None:
        """A worker's gauges no longer count once it has stopped."""
        if os.environ.get(MULTIPROC_DIR):
            multiprocess.mark_process_dead(pid)


class WorkerFilesCollector(multiprocess.MultiProcessCollector):
    """Adds up the workers' files, leaving out a file that is still empty.

    A worker creates its file before it sizes it (prometheus_client issue 1199): a scrape in
    that moment, as a worker starts, failed whole with a 500, and a worker killed then would
    leave the empty file behind for good. An empty file holds no values yet; once sized it only
    grows, so a file seen non-empty here reads whole."""

    def collect(self) -> Iterable[Metric]:
        files = []
        for file in Path(self._path).glob("*.db"):
            try:
                if file.stat().st_size:
                    files.append(str(file))
            except FileNotFoundError:  # a stopped worker's gauges, removed since the glob
                continue
        merged: Iterable[Metric] = self.merge(files, accumulate=True)
        return merged


def serve(port: int, host: str) -> None:
    """GET /metrics on host:port, from a thread of this process: the workers' values added up
    in multiprocess mode, this process's own otherwise."""
    registry = REGISTRY
    if os.environ.get(MULTIPROC_DIR):
        registry = CollectorRegistry()
        WorkerFilesCollector(registry)
    start_http_server(port, host, registry=registry)
