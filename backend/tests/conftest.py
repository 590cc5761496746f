"""Fixtures: one database for the session (PostgreSQL when TEST_DATABASE_URL is set,
else a SQLite file), and an app served through Starlette's TestClient (httpx)."""

import os
import sys
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


# What a module names when it reads which database the suite runs on.
_DATABASE_NAMES = ("TEST_DATABASE_URL", "fresh_database")


def _depends_on_the_database(item: pytest.Item) -> bool:
    """Whether the test's outcome can differ between SQLite and PostgreSQL: it uses the suite's
    database (the `database_url` fixture, directly or through another fixture), or its module,
    or the module of a fixture it uses, reads TEST_DATABASE_URL (or fresh_database) itself."""
    if "database_url" in getattr(item, "fixturenames", ()):
        return True
    modules = {getattr(item, "module", None)}
    info = getattr(item, "_fixtureinfo", None)
    for definitions in info.name2fixturedefs.values() if info else ():
        for definition in definitions:
            module = sys.modules.get(getattr(definition.func, "__module__", ""))
            if module is not sys.modules[__name__]:  # this module's fixtures: database_url above
                modules.add(module)
    return any(name in vars(module) for module in modules if module for name in _DATABASE_NAMES)


def pytest_configure(config: pytest.Config) -> None:
    # Here rather than in pyproject.toml, whose every change makes the next `make run`
    # reinstall the backend's environment.
    config.addinivalue_line(
        "markers",
        "database: set below on a test whose outcome can depend on the database (SQLite or "
        "PostgreSQL)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # make test runs the tests that need no database once, on SQLite; on PostgreSQL, only
    # those whose outcome can depend on the database (-m database).
    for item in items:
        if _depends_on_the_database(item):
            item.add_marker(pytest.mark.database)


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
def jwt(user: str) -> str:
    return token(user)


@pytest.fixture
def headers(jwt: str) -> dict[str, str]:
    return auth(jwt)
