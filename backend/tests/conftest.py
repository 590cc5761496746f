"""Fixtures: one database for the session (PostgreSQL when TEST_DATABASE_URL is set,
else a SQLite file), and an app served through Starlette's TestClient (httpx)."""

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from devtools import postgres_database
from tests.support import PREVIOUS_SECRET, SECRET, Opened, auth, new_user, opened_database, token

# app.main builds its app from the environment on import; give it a valid one.
os.environ["BETTER_AUTH_SECRET"] = SECRET
os.environ.pop("DATABASE_URL", None)

from app.core.config import Settings
from app.main import create_app

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL' if TEST_DATABASE_URL else 'SQLite'}"


@contextmanager
def fresh_database(sqlite_file: Path) -> Iterator[str]:
    """An empty database: a new one on TEST_DATABASE_URL's server (dropped afterwards) when
    that is set, else the SQLite file given."""
    if TEST_DATABASE_URL:
        with postgres_database(TEST_DATABASE_URL) as url:
            yield url
    else:
        yield f"sqlite:///{sqlite_file}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db") / "test.sqlite") as url:
        yield url


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not TEST_DATABASE_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    return database_url


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "better_auth_secret": SECRET,
        "better_auth_secret_previous": [PREVIOUS_SECRET],
        "database_url": database_url,
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def db(settings: Settings, client: TestClient) -> Iterator[Opened]:
    """The suite's database, migrated (by the client's start), for statements of a test's own."""
    with opened_database(settings) as opened:
        yield opened


@pytest.fixture
def user() -> str:
    return new_user()


@pytest.fixture
def headers(user: str) -> dict[str, str]:
    return auth(token(user))
