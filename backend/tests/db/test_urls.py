"""Database URLs as people paste them (Neon's included) reach the right driver."""

import pytest

from app.db.urls import database_url


@pytest.mark.parametrize(
    ("raw", "asynchronous", "expected"),
    [
        (
            "postgresql://u:p@ep-x.neon.tech/db?sslmode=require&channel_binding=require",
            True,
            "postgresql+asyncpg://u:p@ep-x.neon.tech/db?ssl=require",
        ),
        (
            "postgresql://u:p@ep-x.neon.tech/db?sslmode=require&channel_binding=require",
            False,
            "postgresql+psycopg://u:p@ep-x.neon.tech/db?channel_binding=require&sslmode=require",
        ),
        ("postgres://u@localhost:5432/db", True, "postgresql+asyncpg://u@localhost:5432/db"),
        ("postgresql+asyncpg://u@h/db", False, "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/app.sqlite", True, "sqlite+aiosqlite:////tmp/app.sqlite"),
        ("sqlite:////tmp/app.sqlite", False, "sqlite:////tmp/app.sqlite"),
    ],
)
def test_driver_and_options(raw: str, asynchronous: bool, expected: str) -> None:
    url = database_url(raw, asynchronous=asynchronous)
    assert url.render_as_string(hide_password=False) == expected


def test_other_databases_are_refused_clearly() -> None:
    with pytest.raises(ValueError, match="use PostgreSQL or SQLite"):
        database_url("mysql://root@localhost/db", asynchronous=True)
