"""Create or drop a throwaway PostgreSQL database for a test run.

python scripts/scratch_db.py create SERVER_URL   # prints the new database's URL
python scripts/scratch_db.py drop DATABASE_URL
"""

import sys
import uuid

import psycopg
from sqlalchemy import make_url


def _admin(url: str) -> str:
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(False)


def create(server_url: str) -> str:
    name = f"todo_e2e_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_admin(server_url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop(database_url: str) -> None:
    name = make_url(database_url).database
    if not name or not name.startswith("todo_e2e_"):
        sys.exit(f"refusing to drop {name!r}: not a scratch database")
    with psycopg.connect(_admin(database_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    action, url = sys.argv[1:3]
    if action == "create":
        print(create(url))
    else:
        drop(url)
