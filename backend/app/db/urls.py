"""Database URLs as configured (Neon's included) turned into the drivers this code uses."""

from pathlib import Path

from sqlalchemy import URL, make_url


def is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def database_url(raw: str, *, asynchronous: bool) -> URL:
    """The configured URL with the driver this process uses (asyncpg/aiosqlite, psycopg/sqlite3).

    A plain `postgresql://` URL as Neon hands it out works: libpq's `sslmode` becomes
    asyncpg's `ssl`, and `channel_binding`, which asyncpg does not take, is dropped.
    """
    url = make_url(raw)
    if url.drivername in {"postgres", "postgresql"} or is_postgres(url):
        if not asynchronous:
            return url.set(drivername="postgresql+psycopg")
        query = dict(url.query)
        query.pop("channel_binding", None)
        if "sslmode" in query:
            query["ssl"] = query.pop("sslmode")
        return url.set(drivername="postgresql+asyncpg", query=query)
    if url.get_backend_name() == "sqlite":
        return url.set(drivername="sqlite+aiosqlite" if asynchronous else "sqlite")
    raise ValueError(f"unsupported database: {url.get_backend_name()} (use PostgreSQL or SQLite)")


def ensure_sqlite_directory(url: URL) -> None:
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
