"""The counting functions: nothing until metrics are on, then each event in its metric."""

import asyncio

import pytest
from prometheus_client import REGISTRY

from app.db.postgres import PostgresDatabase
from app.db.urls import database_url
from app.observability import metrics
from tests.conftest import make_settings
from tests.support import until


def value(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(autouse=True)
def metrics_on() -> None:
    metrics.enable()


def test_an_open_event_stream_is_counted_while_it_lasts() -> None:
    async def stream() -> float:
        async with metrics.event_stream():
            return value("event_streams_open")

    before = value("event_streams_open")
    assert asyncio.run(stream()) == before + 1
    assert value("event_streams_open") == before


def test_a_request_over_its_database_budget_is_counted(postgres_url: str) -> None:
    settings = make_settings(postgres_url, db_timeout_seconds=0.2)
    database = PostgresDatabase(database_url(postgres_url, asynchronous=True), settings)

    async def too_slow() -> None:
        await database.open()
        try:
            with pytest.raises(TimeoutError):
                await database._within_budget(lambda c: c.execute("SELECT pg_sleep(2)"))
            # The connection comes back once PostgreSQL has confirmed the cancel.
            await until(lambda: database.pool_usage()[0] == 0, "the connection back in the pool")
            assert database.pool_usage()[2] == settings.db_pool_size
        finally:
            await database.close()

    before = value("db_budget_exceeded_total"), value("db_pool_wait_seconds_count")
    asyncio.run(too_slow())
    assert value("db_budget_exceeded_total") == before[0] + 1
    # The wait for its connection is counted. Not "exactly one more": the histogram is the
    # process's, and a database an earlier test of this process left open (a client's app
    # with its change feed) may take a connection meanwhile (seen once: 1907 for 1906).
    assert value("db_pool_wait_seconds_count") >= before[1] + 1
