"""The PostgreSQL path under change: a column's type altered while the pool is warm, and the
request's time budget when the database stops answering."""

from collections.abc import Iterator

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.migrations import migrate
from devtools import libpq_url, postgres_database
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.support import auth, new_user, token

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL")


@pytest.fixture
def own_database() -> Iterator[str]:
    """A database of this test's own: it changes the schema."""
    assert TEST_DATABASE_URL
    with postgres_database(TEST_DATABASE_URL, "altered") as url:
        migrate(url)
        yield url


def _every_kind_of_call(client: TestClient, headers: dict[str, str]) -> list[int]:
    created = client.post("/tasks", headers=headers, json={"title": "t", "tags": ["a"]})
    task = f"/tasks/{created.json()['id']}"
    return [
        created.status_code,
        client.post("/tasks", headers=headers, json={"title": "plain"}).status_code,
        client.get("/tasks", headers=headers).status_code,
        client.get("/tasks?sort=title&q=t", headers=headers).status_code,
        client.get(task, headers=headers).status_code,
        client.patch(task, headers=headers, json={"title": "u"}).status_code,
        client.patch(task, headers=headers, json={"tags": ["b"]}).status_code,
        client.get("/tags", headers=headers).status_code,
        client.delete(task, headers=headers).status_code,
    ]


@pytest.mark.parametrize("mode", ["session", "transaction"])
def test_a_column_type_changed_under_a_warm_pool_causes_no_error(
    own_database: str, mode: str
) -> None:
    headers = auth(token(new_user()))
    settings = make_settings(own_database, db_pool_size=2, db_pooler_mode=mode)
    expected = [201, 201, 200, 200, 200, 200, 200, 200, 204]
    with TestClient(create_app(settings)) as client:
        assert _every_kind_of_call(client, headers) == expected  # every statement is warm
        with psycopg.connect(libpq_url(own_database), autocommit=True) as conn:
            conn.execute("ALTER TABLE task ALTER COLUMN title TYPE text")
            conn.execute("ALTER TABLE task ALTER COLUMN description TYPE text")
        assert _every_kind_of_call(client, headers) == expected
        titles = [task["title"] for task in client.get("/tasks", headers=headers).json()]
        assert titles == ["plain", "plain"]
