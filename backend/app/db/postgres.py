"""PostgreSQL, the production database, driven through asyncpg directly.

SQLAlchemy's async layer (greenlets, cursor emulation, result processing) cost more CPU per
request than the rest of the request together (see bench/README.md); the statements are still
SQLAlchemy Core (app/crud.py), compiled once for asyncpg.
"""

import asyncio
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import asyncpg
from asyncpg.prepared_stmt import PreparedStatement
from sqlalchemy import URL, ClauseElement, Executable
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql.compiler import SQLCompiler

from app.core.config import Settings
from app.db.base import CALLER, NO_PARAMS, PING, USER_SETTING, Row

_ASYNCPG = asyncpg_dialect()
_BODY_QUOTE = "$app_statement$"


@dataclass(frozen=True, slots=True)
class _CallerStatement:
    """A statement as PostgreSQL runs it for a caller: a PL/pgSQL function that sets the
    caller for row-level security, then runs the statement.

    Setting the caller and running the statement must happen in one transaction. As separate
    statements that costs three round trips (BEGIN with the setting, the statement, COMMIT),
    a large share of the CPU of a request, the API's and PostgreSQL's together (figures in
    bench/README.md). A function call is one round trip, and it is its own transaction: the
    setting is transaction-local, so it ends with the call and never outlives it on a pooled
    connection. The statements inside a function run in order, so the setting is in place
    before the policy reads it.
    """

    sql: str  # the statement itself, with $1..$n parameters, for asyncpg
    names: tuple[str, ...]  # its parameters' names, in order
    defaults: dict[str, Any]  # values bound in the statement itself
    function: str  # pg_temp.<name>: session-local, so the API needs no DDL privileges
    call: str  # SELECT * FROM the function, with the caller as its last parameter

    def definition(self, prepared: PreparedStatement) -> str:
        """CREATE FUNCTION, with the parameter and column types PostgreSQL found in the
        statement (so the function returns exactly what the statement would)."""
        columns = [f"{_quoted(a.name)} {_type_name(a.type)}" for a in prepared.get_attributes()]
        if not columns:
            raise ValueError(f"a statement must return rows (add RETURNING): {self.sql}")
        parameters = [*(_type_name(t) for t in prepared.get_parameters()), "pg_catalog.text"]
        return (
            f"CREATE OR REPLACE FUNCTION {self.function}({', '.join(parameters)}) "
            f"RETURNS TABLE ({', '.join(columns)}) LANGUAGE plpgsql AS {_BODY_QUOTE}\n"
            # The output columns are also variables; names in the statement mean columns.
            "#variable_conflict use_column\n"
            f"BEGIN\n  PERFORM pg_catalog.set_config('{USER_SETTING}', ${len(parameters)}, true);\n"
            f"  RETURN QUERY {self.sql};\nEND\n{_BODY_QUOTE}"
        )


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _type_name(type_: Any) -> str:
    return f"{_quoted(type_.schema)}.{_quoted(type_.name)}"


@lru_cache(maxsize=256)
def _caller_statement(statement: Executable) -> _CallerStatement:
    """Compiled once per statement: crud.py builds its statements once (and the variants of an
    update once each), so this is a cache of a handful of entries."""
    compiled = statement.compile(dialect=_ASYNCPG) if isinstance(statement, ClauseElement) else None
    if not isinstance(compiled, SQLCompiler):  # DDL, for one, compiles otherwise
        raise TypeError(f"not a query or DML statement: {statement!r}")
    sql = str(compiled)
    if _BODY_QUOTE in sql:
        raise ValueError(f"a statement must not contain {_BODY_QUOTE}")
    names = tuple(compiled.positiontup or ())
    # Named after the SQL: every connection and every worker agrees on it.
    function = f"pg_temp.app_statement_{hashlib.sha256(sql.encode()).hexdigest()[:20]}"
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 2))
    call = f"SELECT * FROM {function}({placeholders})"  # noqa: S608 (no input in it)
    return _CallerStatement(sql, names, compiled.params, function, call)


# The function is not there yet; before a session's first temporary object, neither is pg_temp.
_NOT_DEFINED = (asyncpg.UndefinedFunctionError, asyncpg.InvalidSchemaNameError)


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Nothing to reset when a connection goes back to the pool: every statement is a
    transaction of its own, and the session keeps only its statement functions, which are
    meant to last. (asyncpg's default reset is a round trip per request.)"""


class PostgresDatabase:
    def __init__(self, url: URL, settings: Settings) -> None:
        self.timeout = settings.db_timeout_seconds
        self._pool_size = settings.db_pool_size
        # The same keywords SQLAlchemy's asyncpg dialect passes (ssl from sslmode included).
        self._connect_args: dict[str, Any] = {
            **url.translate_connect_args(username="user"),
            **url.query,
        }
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        # No connection is opened here: the API starts (and says "not ready") without its
        # database, and connects once the database answers.
        self._pool = await asyncpg.create_pool(
            min_size=0,
            max_size=self._pool_size,
            max_inactive_connection_lifetime=1800,
            timeout=self.timeout,
            command_timeout=self.timeout * 2,
            reset=_keep_session,
            **self._connect_args,
        )

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database is not open (await database.open() first)")
        return self._pool

    async def run(
        self, user_id: str, statement: Executable, params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        caller = _caller_statement(statement)
        values = {**caller.defaults, **params, CALLER: user_id}
        arguments = [*(values[name] for name in caller.names), user_id]
        # asyncio.timeout rather than acquire(timeout=...), which waits in a task of its own.
        async with asyncio.timeout(self.timeout):
            connection = await self.pool.acquire()
        try:
            try:
                records = await connection.fetch(caller.call, *arguments)
            except _NOT_DEFINED:
                # First use of this statement on this connection: define its function, once.
                # (Should the error come from inside the statement instead, the retry fails
                # the same way and that error is raised.)
                prepared = await connection.prepare(caller.sql)
                await connection.execute(caller.definition(prepared))
                records = await connection.fetch(caller.call, *arguments)
        finally:
            await self.pool.release(connection)
        return [dict(record) for record in records]

    async def ping(self) -> None:
        async with asyncio.timeout(self.timeout), self.pool.acquire() as connection:
            await connection.fetchval(PING)

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
