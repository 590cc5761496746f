"""The task database: each statement runs as one caller, in a transaction of its own.

`base` says what a database offers, `urls` turns the configured URL into drivers, `postgres`
and `sqlite` are the two implementations; both run the same SQLAlchemy Core statements.
"""

import asyncpg
from sqlalchemy.exc import IntegrityError

from app.core.config import Settings
from app.db.base import CALLER, Database, Row
from app.db.postgres import PostgresDatabase
from app.db.sqlite import SqliteDatabase
from app.db.urls import database_url, is_postgres

__all__ = ["CALLER", "CHECK_VIOLATION", "UNIQUE_VIOLATION", "Database", "Row", "database_for"]

# A write that a unique constraint refused, as each database reports it (SQLite's through
# SQLAlchemy, which reports other constraints the same way: callers check what they expected).
UNIQUE_VIOLATION = (asyncpg.UniqueViolationError, IntegrityError)
# A write that a CHECK constraint refused (SQLite's as above).
CHECK_VIOLATION = (asyncpg.CheckViolationError, IntegrityError)


def database_for(settings: Settings) -> Database:
    url = database_url(settings.database_url, asynchronous=True)
    return PostgresDatabase(url, settings) if is_postgres(url) else SqliteDatabase(url, settings)
