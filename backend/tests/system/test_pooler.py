"""Behind a transaction-mode pooler (a real PgBouncer, pool_mode=transaction): with
DB_POOLER_MODE=transaction the API works and row-level security holds; the default mode's
per-session functions and prepared statements cannot work there, and say so."""

import asyncio
import os
import shutil
import socket
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import make_url, text

from app.core.config import Settings
from app.db.postgres import PoolerModeError, PostgresDatabase
from app.main import create_app
from app.models import TaskListQuery
from app.statements import list_tasks
from devtools import free_port, libpq_url
from tests.conftest import TEST_DATABASE_URL, make_settings
from tests.support import auth, new_user, token

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="needs PostgreSQL")

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
# Fewer server connections than the API's pool holds: its sessions must share them.
SERVER_CONNECTIONS = 2


def _wait_for_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"pgbouncer did not listen:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def pooled_url(api_role_url: str) -> Iterator[str]:
    """api_role_url through a PgBouncer of this module's own, in transaction mode."""
    if not os.access(PGBOUNCER, os.X_OK):
        pytest.skip("needs pgbouncer (Debian package pgbouncer; make test installs it)")
    database = make_url(api_role_url)
    port = free_port()
    # PgBouncer refuses to run as root; as root it is told to become `nobody`, who must be
    # able to read its configuration.
    as_root = os.geteuid() == 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        users = folder / "users.txt"
        users.write_text(f'"{database.username}" ""\n')
        config = folder / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            f"* = host={database.host or '127.0.0.1'} port={database.port or 5432}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {users}\npool_mode = transaction\n"
            f"default_pool_size = {SERVER_CONNECTIONS}\nmax_client_conn = 100\n"
        )
        if as_root:
            folder.chmod(stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
        log = folder / "pgbouncer.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [PGBOUNCER, *(["-u", "nobody"] if as_root else []), str(config)],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        try:
            _wait_for_port(port, process, log)
            yield database.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
        finally:
            process.terminate()
            process.wait(timeout=10)


def _settings(url: str, mode: str, pool_size: int = 8) -> Settings:
    return make_settings(url, auto_migrate=False, db_pooler_mode=mode, db_pool_size=pool_size)


def test_the_api_works_in_transaction_mode(pooled_url: str) -> None:
    headers = auth(token(new_user()))
    with TestClient(create_app(_settings(pooled_url, "transaction"))) as client:
        created = client.post("/tasks", headers=headers, json={"title": "p", "tags": ["x"]})
        assert created.status_code == 201, created.text
        task = f"/tasks/{created.json()['id']}"
        changed = client.patch(task, headers=headers, json={"completed": True, "tags": ["y"]})
        assert (changed.status_code, changed.json()["tags"]) == (200, ["y"])
        assert [t["title"] for t in client.get("/tasks?tag=y", headers=headers).json()] == ["p"]
        assert client.get("/tags", headers=headers).json() == [{"name": "y", "count": 1}]
        assert client.delete(task, headers=headers).status_code == 204
        keyed = {**headers, "Idempotency-Key": '"pooled"'}
        statuses = [client.post("/tasks", headers=keyed, json={"title": "k"}).status_code]
        statuses.append(client.post("/tasks", headers=keyed, json={"title": "k"}).status_code)
        statuses.append(client.post("/tasks", headers=keyed, json={"title": "x"}).status_code)
        assert statuses == [201, 200, 422]
        assert client.get("/health/ready").status_code == 200


def test_many_callers_at_once_each_see_only_their_rows(pooled_url: str) -> None:
    """More concurrent callers than server connections, so transactions of different users
    take turns on the same server sessions; row-level security alone decides what an
    unfiltered query sees, and no caller is left on a session."""
    users = [new_user() for _ in range(6)]
    insert = text(
        "INSERT INTO task (user_id, title, created_at, updated_at) "
        "VALUES (:caller, :caller, now(), now()) RETURNING id"
    )
    everything = text("SELECT DISTINCT title FROM task")  # no WHERE: the policy only

    async def scenario() -> list[list[str]]:
        database = PostgresDatabase(make_url(pooled_url), _settings(pooled_url, "transaction"))
        await database.open()
        try:
            await asyncio.gather(*(database.run(u, insert) for u in users * 5))
            seen = await asyncio.gather(*(database.run(u, everything) for u in users * 3))
            listed = await asyncio.gather(
                *(list_tasks(database, u, TaskListQuery()) for u in users)
            )
            assert [len(rows) for rows in listed] == [5] * len(users)
            return [[row["title"] for row in rows] for rows in seen]
        finally:
            await database.close()

    seen = asyncio.run(scenario())
    assert seen == [[user] for user in users * 3]
    with psycopg.connect(libpq_url(pooled_url), autocommit=True) as conn:
        for _ in range(SERVER_CONNECTIONS * 2):
            assert conn.execute("SELECT current_setting('app.user_id', true)").fetchone() in (
                ("",),
                (None,),
            )


@pytest.mark.parametrize("mode", ["session", "transaction"])
def test_a_statement_that_moves_to_another_server_session(pooled_url: str, mode: str) -> None:
    """The pooler hands the API's next transaction to another server session (the first one
    is busy with another client's transaction). The default mode's function and prepared
    statement stayed on the first session: it fails, and names the setting that fixes it;
    transaction mode does not care."""
    user = new_user()

    async def scenario() -> str:
        database = PostgresDatabase(make_url(pooled_url), _settings(pooled_url, mode, 1))
        await database.open()
        try:
            await list_tasks(database, user, TaskListQuery())
            with psycopg.connect(libpq_url(pooled_url)) as other:
                other.execute("SELECT 1")  # holds the session the API just used, until rollback
                try:
                    await list_tasks(database, user, TaskListQuery())
                except PoolerModeError as error:
                    return str(error)
            return "ok"
        finally:
            await database.close()

    outcome = asyncio.run(scenario())
    if mode == "transaction":
        assert outcome == "ok"
    else:
        assert "set DB_POOLER_MODE=transaction" in outcome
