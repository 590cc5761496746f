"""The task database: each statement runs as one caller, in a transaction of its own.

`base` says what a database offers, `urls` turns the configured URL into drivers, `postgres`
and `sqlite` are the two implementations; both run the same SQLAlchemy Core statements.
"""

from app.core.config import Settings
from app.db.base import CALLER, Database, Row
from app.db.postgres import PostgresDatabase
from app.db.sqlite import SqliteDatabase
from app.db.urls import database_url, is_postgres

__all__ = ["CALLER", "Database", "Row", "database_for"]


def database_for(settings: Settings) -> Database:
    url = database_url(settings.database_url, asynchronous=True)
    return PostgresDatabase(url, settings) if is_postgres(url) else SqliteDatabase(url, settings)
