"""What the API counts, for Prometheus: one function per event, called where it happens.

Each function does nothing until `enable()` (METRICS_PORT set): with metrics off,
prometheus_client is never imported and a call costs a closure and one comparison. The metrics
themselves, their names and labels, are in `prometheus`.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

from app.db.base import Database

if TYPE_CHECKING:
    from app.observability.prometheus import PrometheusMetrics

# How often each worker reads its database pool's connection counts into the gauges.
POOL_SAMPLE_SECONDS = 1.0

_metrics: "PrometheusMetrics | None" = None


def enable() -> None:
    global _metrics
    from app.observability.prometheus import PrometheusMetrics

    _metrics = PrometheusMetrics.of_this_process()


def enabled() -> bool:
    return _metrics is not None


def _record(update: "Callable[[PrometheusMetrics], object]") -> None:
    """Applies `update` to the metrics once `enable()` has made them; until then, nothing."""
    if _metrics is not None:
        update(_metrics)


def request_served(method: str, route: str, status: int, seconds: float) -> None:
    _record(lambda m: m.request_duration.labels(method, route, str(status)).observe(seconds))


def token_rejected(reason: str) -> None:
    """A request refused for its Authorization header (401/400); `reason` is one word."""
    _record(lambda m: m.tokens_rejected.labels(reason).inc())


def idempotent_replay() -> None:
    """A create answered with the task an earlier request with its Idempotency-Key made."""
    _record(lambda m: m.idempotent_replays.inc())


def rate_limit_refused(limit: str) -> None:
    """A request refused (429) by the rate limit named `limit` (e.g. "in_flight")."""
    _record(lambda m: m.rate_limit_refusals.labels(limit).inc())


def db_budget_exceeded() -> None:
    """A request's database work ran out of DB_TIMEOUT_SECONDS."""
    _record(lambda m: m.db_budget_exceeded.inc())


def db_pool_waited(seconds: float) -> None:
    """How long a request waited for a pooled connection."""
    _record(lambda m: m.db_pool_wait.observe(seconds))


@asynccontextmanager
async def event_stream() -> AsyncIterator[None]:
    """Counts an open event stream (the change feed) for as long as the block runs:
    `async with metrics.event_stream(): ...` around the stream's response."""
    if _metrics is None:
        yield
        return
    _metrics.event_streams_open.inc()
    try:
        yield
    finally:
        _metrics.event_streams_open.dec()


@asynccontextmanager
async def sampling(database: Database) -> AsyncIterator[None]:
    """Reads the pool's connection counts into the gauges every POOL_SAMPLE_SECONDS while
    the block runs (a scrape is served by another process, which cannot ask the pool)."""
    assert _metrics is not None
    metrics = _metrics

    async def sample() -> None:
        while True:
            metrics.set_pool_usage(database.pool_usage())
            await asyncio.sleep(POOL_SAMPLE_SECONDS)

    task = asyncio.create_task(sample())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
        metrics.process_stopped(os.getpid())
