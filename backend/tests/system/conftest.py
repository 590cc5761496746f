"""Fixtures of the system tests: a migrated PostgreSQL database, and a role for the API that
has privileges on the API's own tables alone (so row-level security applies to it)."""

from collections.abc import Iterator

import psycopg
import pytest

from app.migrations import migrate
from devtools import libpq_url, postgres_database
from tests.conftest import TEST_DATABASE_URL
from tests.support import plain_role

BETTER_AUTH_TABLES = """
CREATE TABLE "user" (id text PRIMARY KEY, email text NOT NULL, name text NOT NULL);
CREATE TABLE "session" (id text PRIMARY KEY, "userId" text NOT NULL, token text NOT NULL);
INSERT INTO "user" VALUES ('u1', 'a@example.com', 'A');
INSERT INTO "session" VALUES ('s1', 'u1', 'secret-session-token');
"""


@pytest.fixture(scope="module")
def api_role_url() -> Iterator[str]:
    """A migrated database beside Better-Auth's tables, and a role that may use the API's tables
    only."""
    if not TEST_DATABASE_URL:
        pytest.skip("needs TEST_DATABASE_URL (PostgreSQL)")
    with postgres_database(TEST_DATABASE_URL) as owner_url:
        migrate(owner_url)
        with psycopg.connect(libpq_url(owner_url), autocommit=True) as conn:
            conn.execute(BETTER_AUTH_TABLES)
        with plain_role(owner_url) as url:
            yield url
