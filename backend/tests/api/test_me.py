"""DELETE /me: everything the caller owns goes, in one transaction; nobody else's rows."""

from fastapi.testclient import TestClient
from sqlalchemy import Table

from app import statements
from app.models import metadata
from tests.api.test_tags import tags
from tests.api.test_tasks import Headers, create, titles
from tests.support import auth, new_user, token


def test_deletes_the_callers_tasks_and_tags(client: TestClient, headers: Headers) -> None:
    create(client, headers, "a", tags=["home", "work"])
    create(client, headers, "b", tags=["home"])
    create(client, headers, "c")
    client.patch("/tasks?q=c", headers=headers, json={"completed": True})

    response = client.delete("/me", headers=headers)

    assert (response.status_code, response.content) == (204, b"")
    assert titles(client, headers) == []
    assert tags(client, headers) == []
    assert client.get("/tasks/counts", headers=headers).json() == {
        "all": 0,
        "active": 0,
        "completed": 0,
    }


def test_only_the_callers_rows_go(client: TestClient, headers: Headers) -> None:
    other = auth(token(new_user()))
    create(client, headers, "mine", tags=["shared-name"])
    create(client, other, "theirs", tags=["shared-name"])

    assert client.delete("/me", headers=headers).status_code == 204

    assert titles(client, other) == ["theirs"]
    assert tags(client, other) == [("shared-name", 1)]


def test_nothing_to_delete_is_still_204(client: TestClient, headers: Headers) -> None:
    assert client.delete("/me", headers=headers).status_code == 204
    assert client.delete("/me", headers=headers).status_code == 204


def test_the_user_can_start_again(client: TestClient, headers: Headers) -> None:
    create(client, headers, "old", tags=["home"])
    client.delete("/me", headers=headers)
    create(client, headers, "new", tags=["home"])
    assert titles(client, headers) == ["new"]
    assert tags(client, headers) == [("home", 1)]


def test_needs_a_token(client: TestClient, headers: Headers) -> None:
    create(client, headers, "kept")
    response = client.delete("/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert titles(client, headers) == ["kept"]


def test_every_table_with_a_user_is_emptied() -> None:
    """A new per-user table must be added to statements.USER_TABLES, or DELETE /me leaves it
    behind."""
    owned = {t.name for t in metadata.tables.values() if "user_id" in t.c}
    listed: tuple[Table, ...] = statements.USER_TABLES
    assert {t.name for t in listed} == owned
