"""On PostgreSQL: the API needs privileges on its own tables alone (it is stateless: it never
reads Better-Auth's tables), and row-level security stops even an unfiltered query crossing
users."""

import asyncio

import asyncpg
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.db import database_for
from app.db.postgres import PostgresDatabase
from app.main import create_app
from devtools import libpq_url
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.support import auth, new_user, token

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL")


def test_the_role_cannot_read_better_auth_tables(api_role_url: str) -> None:
    with psycopg.connect(libpq_url(api_role_url)) as conn:
        for table in ('"user"', '"session"', "alembic_version"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT * FROM {table}")
            conn.rollback()


def test_the_whole_api_works_with_privileges_on_its_tables_alone(api_role_url: str) -> None:
    settings = make_settings(api_role_url, auto_migrate=False)
    with TestClient(create_app(settings)) as client:
        headers = auth(token(new_user()))
        body = {"title": "stateless", "tags": ["home"]}
        created = client.post("/tasks", headers=headers, json=body)
        assert created.status_code == 201, created.text
        url = f"/tasks/{created.json()['id']}"
        changes = {"completed": True, "tags": ["home", "work"]}
        assert client.patch(url, headers=headers, json=changes).status_code == 200
        assert (
            client.get("/tasks?completed=true&tag=work", headers=headers).json()[0]["title"]
            == "stateless"
        )
        assert client.get("/tasks/counts", headers=headers).json()["completed"] == 1
        assert client.get("/tags", headers=headers).json() == [
            {"name": "home", "count": 1},
            {"name": "work", "count": 1},
        ]
        assert client.patch("/tasks", headers=headers, json={"completed": False}).json() == {
            "updated": 1
        }
        assert client.delete(url, headers=headers).status_code == 204
        assert client.get("/tags", headers=headers).json() == []
        client.post("/tasks", headers=headers, json=body)
        assert client.delete("/me", headers=headers).status_code == 204
        assert client.get("/tasks", headers=headers).json() == []
        assert client.get("/tags", headers=headers).json() == []
        assert client.get("/health/ready").status_code == 200


def test_row_level_security_holds_for_unfiltered_queries(api_role_url: str) -> None:
    alice, bob = new_user(), new_user()
    settings = make_settings(api_role_url, auto_migrate=False)
    with TestClient(create_app(settings)) as client:
        for title in ("a1", "a2"):
            client.post("/tasks", headers=auth(token(alice)), json={"title": title})
        client.post("/tasks", headers=auth(token(bob)), json={"title": "b1"})

    async def as_bob() -> tuple[list[str], int, int, list[str]]:
        database = database_for(settings)
        await database.open()
        try:
            # Deliberately no WHERE user_id: only the policy stands between users here.
            seen = await database.run(bob, text("SELECT title FROM task"))
            updated = await database.run(bob, text("UPDATE task SET title = 'pwned' RETURNING id"))
            deleted = await database.run(
                bob, text("DELETE FROM task WHERE title LIKE 'a%' RETURNING id")
            )
            left = await database.run(alice, text("SELECT title FROM task ORDER BY title"))
            titles = [row["title"] for row in left]
            return [row["title"] for row in seen], len(updated), len(deleted), titles
        finally:
            await database.close()

    seen, updated, deleted, alices = asyncio.run(as_bob())
    assert seen == ["b1"]
    assert (updated, deleted) == (1, 0)
    assert alices == ["a1", "a2"]


def test_row_level_security_holds_for_tags_and_links(api_role_url: str) -> None:
    alice, bob = new_user(), new_user()
    settings = make_settings(api_role_url, auto_migrate=False)
    with TestClient(create_app(settings)) as client:
        body = {"title": "a", "tags": ["alice-only", "both"]}
        alices_task = client.post("/tasks", headers=auth(token(alice)), json=body).json()
        client.post("/tasks", headers=auth(token(bob)), json={"title": "b", "tags": ["both"]})

    async def as_bob() -> tuple[list[str], int, list[str]]:
        database = database_for(settings)
        await database.open()
        try:
            # No WHERE user_id again: the policies on tag and task_tag alone.
            names = await database.run(bob, text("SELECT name FROM tag ORDER BY name"))
            links = await database.run(bob, text("SELECT task_id FROM task_tag"))
            bobs_tag = "SELECT id FROM tag WHERE name = 'both'"
            with pytest.raises(asyncpg.InsufficientPrivilegeError):
                # Linking Alice's task (its id guessed) to a tag: refused by WITH CHECK.
                await database.run(
                    bob,
                    text(
                        f"INSERT INTO task_tag (task_id, tag_id, user_id) SELECT :task, id, "
                        f":owner FROM ({bobs_tag}) AS t RETURNING task_id"
                    ),
                    {"task": alices_task["id"], "owner": alice},
                )
            alices = await database.run(alice, text("SELECT name FROM tag ORDER BY name"))
            return [r["name"] for r in names], len(links), [r["name"] for r in alices]
        finally:
            await database.close()

    names, links, alices = asyncio.run(as_bob())
    assert (names, links) == (["both"], 1)
    assert alices == ["alice-only", "both"]


def test_without_a_user_context_no_rows_are_visible(api_role_url: str) -> None:
    with psycopg.connect(libpq_url(api_role_url)) as conn:
        assert conn.execute("SELECT count(*) FROM task").fetchone() == (0,)
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(
                "INSERT INTO task (user_id, title, created_at, updated_at) "
                "VALUES ('x', 'y', now(), now())"
            )


def test_the_caller_ends_with_the_statement(api_role_url: str) -> None:
    """The next user of a pooled connection inherits no caller: the id is set inside each
    statement's own transaction, and is gone when that commits or fails."""
    alice = new_user()
    settings = make_settings(api_role_url, auto_migrate=False, db_pool_size=1)
    insert = text(
        "INSERT INTO task (user_id, title, created_at, updated_at) "
        "VALUES (:owner, 't', now(), now()) RETURNING id"
    )

    async def left_on_the_connection() -> list[tuple[str, bool, object, int]]:
        database = database_for(settings)
        assert isinstance(database, PostgresDatabase)  # its pool is what this test looks into
        await database.open()
        try:
            found = []
            for owner in (alice, "someone else"):
                try:
                    await database.run(alice, insert, {"owner": owner})
                    refused = False
                except asyncpg.InsufficientPrivilegeError:
                    refused = True
                async with database.pool.acquire() as connection:  # the pool's only one
                    setting = await connection.fetchval(
                        "SELECT current_setting('app.user_id', true)"
                    )
                    visible = await connection.fetchval("SELECT count(*) FROM task")
                found.append((owner, refused, setting, visible))
            return found
        finally:
            await database.close()

    found = asyncio.run(left_on_the_connection())
    # Alice's own row went in; the policy refused the row for someone else.
    assert [(owner, refused) for owner, refused, _, _ in found] == [
        (alice, False),
        ("someone else", True),
    ]
    for _, _, setting, visible in found:
        assert setting in ("", None)
        assert visible == 0


def test_row_level_security_holds_for_idempotency_keys(api_role_url: str) -> None:
    alice, bob = new_user(), new_user()
    settings = make_settings(api_role_url, auto_migrate=False)
    with TestClient(create_app(settings)) as client:
        for user in (alice, bob):
            headers = {**auth(token(user)), "Idempotency-Key": f'"{user}"'}
            assert client.post("/tasks", headers=headers, json={"title": "k"}).status_code == 201
            assert client.post("/tasks", headers=headers, json={"title": "k"}).status_code == 200

    async def as_bob() -> list[str]:
        database = database_for(settings)
        await database.open()
        try:
            # No WHERE user_id: the policy on idempotency_key alone.
            rows = await database.run(bob, text("SELECT key FROM idempotency_key"))
            return [row["key"] for row in rows]
        finally:
            await database.close()

    assert asyncio.run(as_bob()) == [bob]


def test_export_and_import_work_under_row_level_security(api_role_url: str) -> None:
    """The import's transaction sets the caller for row-level security, as every statement
    does: as the plain role, an import lands and an export reads the caller's rows alone."""
    settings = make_settings(api_role_url, auto_migrate=False)
    with TestClient(create_app(settings)) as client:
        headers, other = auth(token(new_user())), auth(token(new_user()))
        client.post("/tasks", headers=other, json={"title": "someone else's"})
        body = b"TYPE,CONTENT,INDENT\r\ntask,Parent @home,1\r\ntask,Child,2\r\n"
        imported = client.post(
            "/import?format=todoist-csv&list_name=Moved", headers=headers, content=body
        )
        assert imported.status_code == 200, imported.text
        assert imported.json()["created"] == {"lists": 1, "tasks": 2}
        exported = client.get("/export?format=json", headers=headers).json()
        assert sorted(task["title"] for task in exported["tasks"]) == ["Child", "Parent"]
        assert [item["name"] for item in exported["lists"]] == ["Moved"]
        assert client.get("/tags", headers=headers).json() == [{"name": "home", "count": 1}]
