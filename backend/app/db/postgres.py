"""PostgreSQL, the production database, driven through asyncpg directly.

SQLAlchemy's async layer (greenlets, cursor emulation, result processing) cost more CPU per
request than the rest of the request together (see bench/README.md); the statements are still
SQLAlchemy Core (app/statements.py), compiled once for asyncpg.
"""

import asyncio
import hashlib
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import AbstractContextManager, asynccontextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeAlias, TypeVar

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.prepared_stmt import PreparedStatement
from sqlalchemy import URL, ClauseElement, Executable, Select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.sql.expression import FromClause, TableClause

from app.core.config import Settings
from app.db.base import CALLER, NO_PARAMS, PING, USER_SETTING, Row
from app.observability import metrics

_ASYNCPG = asyncpg_dialect()
_BODY_QUOTE = "$app_statement$"


@dataclass(frozen=True, slots=True)
class _Step:
    """One statement, as compiled for asyncpg."""

    sql: str  # with $1..$n parameters of its own
    names: tuple[str, ...]  # its parameters' names, in order
    constants: dict[str, Any]  # those of them bound to a value in the statement itself
    returns: tuple[str, ...]  # the names of its RETURNING columns
    summary: str  # `SELECT task`: its trace span's name (the SQL itself is not exported)


@dataclass(frozen=True, slots=True)
class _CallerStatement:
    """A statement (or a short script of them) as PostgreSQL runs it for a caller: a PL/pgSQL
    function that sets the caller for row-level security, then runs the statement.

    Setting the caller and running the statement must happen in one transaction. As separate
    statements that costs three round trips (BEGIN with the setting, the statement, COMMIT),
    a large share of the CPU of a request, the API's and PostgreSQL's together (figures in
    bench/README.md). A function call is one round trip, and it is its own transaction: the
    setting is transaction-local, so it ends with the call and never outlives it on a pooled
    connection. The statements inside a function run in order, so the setting is in place
    before the policy reads it; each takes a fresh snapshot (the function is volatile).
    """

    steps: tuple[_Step, ...]
    # For each step, what each of its $k reads: one of `names`, or one of `variables`.
    slots: tuple[tuple[str, ...], ...]
    names: tuple[str, ...]  # the function's parameters, in order (then the caller)
    variables: dict[str, str]  # a step's RETURNING column -> the variable that keeps it
    defaults: dict[str, Any]  # the values of the parameters bound in the statements themselves
    function: str  # pg_temp.<name>: session-local, so the API needs no DDL privileges
    call: str  # SELECT * FROM the function, with the caller as its last parameter
    summary: str  # its steps' summaries: the trace span's name

    def definition(self, prepared: Sequence[PreparedStatement]) -> str:
        """CREATE FUNCTION, with the parameter and column types PostgreSQL found in the
        statements (so the function returns exactly what the last statement would)."""
        columns = [f"{_quoted(a.name)} {_type_name(a.type)}" for a in prepared[-1].get_attributes()]
        if not columns:
            raise ValueError(f"a statement must return rows (add RETURNING): {self.steps[-1].sql}")
        types: dict[str, str] = {}
        for slots, statement in zip(self.slots, prepared, strict=True):
            types.update(zip(slots, map(_type_name, statement.get_parameters()), strict=True))
        for step, statement in zip(self.steps[:-1], prepared, strict=False):
            if not step.returns:  # a lock taken: its row goes nowhere (see _leading)
                continue
            returned = map(_type_name, (a.type for a in statement.get_attributes()))
            types.update(zip((self.variables[n] for n in step.returns), returned, strict=True))
        parameters = [*(types[name] for name in self.names), "pg_catalog.text"]
        body = [
            f"  {self._leading(index)}{self._into(step)};\n"
            for index, step in enumerate(self.steps[:-1])
        ]
        return (
            f"CREATE OR REPLACE FUNCTION {self.function}({', '.join(parameters)}) "
            f"RETURNS TABLE ({', '.join(columns)}) LANGUAGE plpgsql AS {_BODY_QUOTE}\n"
            # The output columns are also variables; names in the statement mean columns.
            "#variable_conflict use_column\n"
            + "".join(
                f"DECLARE {variable} {types[variable]};\n" for variable in self.variables.values()
            )
            + "BEGIN\n"
            + f"  PERFORM pg_catalog.set_config('{USER_SETTING}', ${len(parameters)}, true);\n"
            + "".join(body)
            + f"  RETURN QUERY {self._sql(len(self.steps) - 1)};\nEND\n{_BODY_QUOTE}"
        )

    def _leading(self, index: int) -> str:
        """A step before the last: a SELECT that feeds no later step (one taking a lock) is
        a PERFORM in PL/pgSQL, which has nowhere to put its row otherwise."""
        sql = self._sql(index)
        if not self.steps[index].returns and sql.startswith("SELECT "):
            return "PERFORM " + sql.removeprefix("SELECT ")
        return sql

    def _sql(self, index: int) -> str:
        """The step's SQL with its own $k turned into the function's parameters or variables."""
        if len(self.steps) == 1:
            return self.steps[0].sql
        slots, variables = self.slots[index], set(self.variables.values())

        def placeholder(match: re.Match[str]) -> str:
            slot = slots[int(match[1]) - 1]
            return slot if slot in variables else f"${self.names.index(slot) + 1}"

        return _PLACEHOLDER.sub(placeholder, self.steps[index].sql)

    def _into(self, step: _Step) -> str:
        if not step.returns:
            return ""
        return f" INTO {', '.join(self.variables[name] for name in step.returns)}"


_PLACEHOLDER = re.compile(r"\$(\d+)")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _type_name(type_: Any) -> str:
    # asyncpg names an array type after its elements ("text[]").
    base, brackets = (type_.name[:-2], "[]") if type_.name.endswith("[]") else (type_.name, "")
    return f"{_quoted(type_.schema)}.{_quoted(base)}{brackets}"


def _step(statement: Executable) -> _Step:
    if not isinstance(statement, ClauseElement):
        raise TypeError(f"not a SQL statement: {statement!r}")
    compiled = statement.compile(dialect=_ASYNCPG)
    assert isinstance(compiled, SQLCompiler)
    sql = str(compiled)
    # The function body is quoted with $...$, and a script renumbers the $n: no other $.
    if sql.count("$") != len(_PLACEHOLDER.findall(sql)):
        raise ValueError(f"a statement must not contain $ outside its parameters: {sql}")
    names = tuple(compiled.positiontup or ())
    values = compiled.params
    constants = {name: values[name] for name in names if not compiled.binds[name].required}
    # An INSERT may return its primary key without having been asked to (implicit RETURNING).
    returns = tuple(str(column.key) for column in compiled.effective_returning or ())
    return _Step(sql, names, constants, returns, _summary(statement, compiled))


def _summary(statement: ClauseElement, compiled: SQLCompiler) -> str:
    """The operation and its table, as OpenTelemetry's db.query.summary: `UPDATE task`."""
    tables: Sequence[FromClause]
    if isinstance(statement, UpdateBase):
        verb = "INSERT" if compiled.isinsert else "UPDATE" if compiled.isupdate else "DELETE"
        tables = [statement.table]
    else:
        # Not get_final_froms(): it compiles the statement again, without the app's dialect.
        verb = "SELECT"
        tables = statement.columns_clause_froms if isinstance(statement, Select) else []
    return " ".join([verb, *[table.name for table in tables if isinstance(table, TableClause)][:1]])


@lru_cache(maxsize=256)
def _caller_statement(statements: tuple[Executable, ...]) -> _CallerStatement:
    """Compiled once per statement (or script): app/statements.py builds each statement once
    and caches its variants (filter combinations times list orders, update field sets), so
    the same object comes back for the same request. The variants number in the thousands,
    but a workload uses few of them: the most recent 256 stay compiled, and an older one is
    compiled again on its next use."""
    steps = tuple(map(_step, statements))
    variables: dict[str, str] = {}
    slots: list[tuple[str, ...]] = []
    for index, step in enumerate(steps):
        # A value bound in the statement itself is its own, whatever the others bind.
        slots.append(
            tuple(
                variables.get(name) or (f"{name}@{index}" if name in step.constants else name)
                for name in step.names
            )
        )
        if index < len(steps) - 1:
            new = [name for name in step.returns if name not in variables]
            variables.update((name, f"app_fed_{len(variables) + n}") for n, name in enumerate(new))
    fed = set(variables.values())
    names = tuple(dict.fromkeys(slot for step in slots for slot in step if slot not in fed))
    defaults = {
        f"{name}@{index}": value
        for index, step in enumerate(steps)
        for name, value in step.constants.items()
    }
    # Named after the SQL: every connection and every worker agrees on it.
    sql = "\n;\n".join(step.sql for step in steps)
    function = f"pg_temp.app_statement_{hashlib.sha256(sql.encode()).hexdigest()[:20]}"
    placeholders = ", ".join(f"${i}" for i in range(1, len(names) + 2))
    call = f"SELECT * FROM {function}({placeholders})"  # noqa: S608 (no input in it)
    summary = "; ".join(step.summary for step in steps)
    return _CallerStatement(
        steps, tuple(slots), names, variables, defaults, function, call, summary
    )


# The function is not there yet; before a session's first temporary object, neither is pg_temp.
_NOT_DEFINED = (asyncpg.UndefinedFunctionError, asyncpg.InvalidSchemaNameError)
# The function's result types are no longer the statement's: a migration changed a column's
# type under a warm pool ("structure of query does not match function result type").
_STALE = asyncpg.DatatypeMismatchError
# A named prepared statement of this session is gone: the session changed server connection.
_GONE = asyncpg.InvalidSQLStatementNameError
_SET_CALLER = (
    f"SELECT pg_catalog.set_config('{USER_SETTING}', $1, true), "
    "pg_catalog.set_config('statement_timeout', $2, true)"
)
_SET_STATEMENT_TIMEOUT = "SELECT pg_catalog.set_config('statement_timeout', $1, $2)"

# Further attempts at a script that a deadlock or a serialization failure rolled back.
_RETRIES = 2

T = TypeVar("T")
# (Generic in asyncpg-stubs only.)
Connection: TypeAlias = "PoolConnectionProxy[asyncpg.Record]"


class PoolerModeError(RuntimeError):
    """DB_POOLER_MODE is `session`, but the connection is pooled per transaction."""

    def __init__(self) -> None:
        super().__init__(
            "the database connection changes server session between statements (a "
            "transaction-mode pooler: PgBouncer pool_mode=transaction, Neon's -pooler URL): "
            "set DB_POOLER_MODE=transaction"
        )


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Nothing to reset when a connection goes back to the pool: every statement is a
    transaction of its own, and the session keeps only its statement functions, which are
    meant to last. (asyncpg's default reset is a round trip per request.)"""


def _arguments(step: _Step, values: Mapping[str, Any], fed: Mapping[str, Any]) -> list[Any]:
    """A step's parameters, as its function would pass them: a value an earlier step returned
    first, then one bound in the statement itself, then the caller's."""
    return [
        fed[name]
        if name in fed
        else step.constants[name]
        if name in step.constants
        else values[name]
        for name in step.names
    ]


async def _script(
    connection: Connection, steps: Sequence[_Step], values: Mapping[str, Any]
) -> list[asyncpg.Record]:
    """Steps as plain statements on `connection`, in its transaction: a round trip each, an
    earlier step's returned columns fed to the later ones; the last one's rows."""
    *leading, last = steps
    fed: dict[str, Any] = {}
    for step in leading:
        rows = await connection.fetch(step.sql, *_arguments(step, values, fed))
        fed.update({name: rows[0][name] if rows else None for name in step.returns})
    return await connection.fetch(last.sql, *_arguments(last, values, fed))


@lru_cache(maxsize=64)
def _compiled(statement: Executable) -> _Step:
    return _step(statement)


_BATCH = 1000


class _PostgresTransaction:
    """Plain statements on one connection, in the transaction Database.transaction began."""

    def __init__(self, connection: Connection, user_id: str, timeout: float) -> None:
        self._connection = connection
        self._user_id = user_id
        self._timeout = timeout

    def _arguments(self, step: _Step, params: Mapping[str, Any]) -> list[Any]:
        return _arguments(step, {**params, CALLER: self._user_id}, {})

    async def run(self, statement: Executable, params: Mapping[str, Any] = NO_PARAMS) -> list[Row]:
        step = _compiled(statement)
        async with asyncio.timeout(self._timeout):
            records = await self._connection.fetch(step.sql, *self._arguments(step, params))
        return [dict(record.items()) for record in records]

    async def run_script(
        self, statements: Sequence[Executable], params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        steps = tuple(map(_compiled, statements))
        async with asyncio.timeout(self._timeout):
            records = await _script(self._connection, steps, {**params, CALLER: self._user_id})
        return [dict(record.items()) for record in records]

    async def run_many(
        self, statement: Executable, params: Sequence[Mapping[str, Any]]
    ) -> list[Row]:
        if not params:
            return []
        step = _compiled(statement)
        rows: list[Row] = []
        # Pipelined batches: the statement is prepared once, a batch's rows go in one round
        # trip, and each batch has the time budget of one statement.
        for start in range(0, len(params), _BATCH):
            arguments = [self._arguments(step, values) for values in params[start : start + _BATCH]]
            async with asyncio.timeout(self._timeout):
                if not step.returns:
                    await self._connection.executemany(step.sql, arguments)
                    continue
                records = await self._connection.fetchmany(step.sql, arguments)
            rows.extend(dict(record.items()) for record in records)
        return rows


def connect_arguments(url: URL) -> dict[str, Any]:
    """asyncpg's keywords for `url`: those SQLAlchemy's asyncpg dialect passes (ssl from
    sslmode included)."""
    return {**url.translate_connect_args(username="user"), **url.query}


class PostgresDatabase:
    def __init__(self, url: URL, settings: Settings) -> None:
        self.timeout = settings.db_timeout_seconds
        self._pool_size = settings.db_pool_size
        # Behind a transaction-mode pooler, nothing may outlive a transaction on the session:
        # no statement functions, no named prepared statements.
        self._per_transaction = settings.db_pooler_mode == "transaction"
        self._connect_args = connect_arguments(url)
        self._pool: asyncpg.Pool | None = None
        # Connections whose statement ran out of time, going back to the pool once cancelled.
        self._releasing: set[asyncio.Task[None]] = set()
        # With tracing on (app/observability/tracing.py): a span for each run of a statement,
        # its round trip alone (the wait for a connection is the gap before it).
        self.statement_span: Callable[[str], AbstractContextManager[object]] | None = None

    async def open(self) -> None:
        # No connection is opened here: the API starts (and says "not ready") without its
        # database, and connects once the database answers.
        self._pool = await asyncpg.create_pool(
            min_size=0,
            max_size=self._pool_size,
            max_inactive_connection_lifetime=1800,
            timeout=self.timeout,
            # A backstop only: the request's budget (_within_budget) ends a statement first.
            command_timeout=self.timeout * 2,
            init=None if self._per_transaction else self._limit_statements,
            reset=_keep_session,
            statement_cache_size=0 if self._per_transaction else 100,
            **self._connect_args,
        )

    async def _limit_statements(self, connection: asyncpg.Connection) -> None:
        """PostgreSQL itself ends any statement of this session that outlasts the budget,
        whatever becomes of the client (in transaction pooler mode, each transaction sets it
        for itself: see _in_transaction)."""
        await connection.execute(_SET_STATEMENT_TIMEOUT, self._statement_timeout, False)

    @property
    def _statement_timeout(self) -> str:
        return f"{max(1, round(self.timeout * 1000))}ms"

    @property
    def pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("the database is not open (await database.open() first)")
        return self._pool

    async def run(
        self, user_id: str, statement: Executable, params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        return await self.run_script(user_id, (statement,), params)

    async def run_script(
        self, user_id: str, statements: Sequence[Executable], params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        caller = _caller_statement(tuple(statements))
        values = {**params, CALLER: user_id}
        run = self._in_transaction if self._per_transaction else self._in_function

        async def attempt(connection: Connection) -> list[asyncpg.Record]:
            if self.statement_span is None:
                return await run(connection, caller, values)
            with self.statement_span(caller.summary):
                return await run(connection, caller, values)

        async def attempts(connection: Connection) -> list[asyncpg.Record]:
            # A deadlock or serialization failure rolled the whole script back: it is run
            # again, a few times, within the same budget (then the 503 says try later).
            for _ in range(_RETRIES):
                try:
                    return await attempt(connection)
                except asyncpg.TransactionRollbackError:
                    pass
            return await attempt(connection)

        records = await self._within_budget(attempts)
        # From items(): dict(record) looks every key up again, a third more CPU for a page.
        return [dict(record.items()) for record in records]

    async def _within_budget(self, work: Callable[[Connection], Awaitable[T]]) -> T:
        """`work` on a pooled connection, the wait for the pool, any connecting and the
        statements all within DB_TIMEOUT_SECONDS.

        When the time is up the request ends at once, but its connection is not dropped:
        asyncpg has sent PostgreSQL a cancel request, and the connection goes back to the pool
        only once the server confirmed it (or, on a silent network, after a grace period,
        closed). Closing it at once, as this did before, left its statement running in a
        backend that nobody waited for, while the pool opened another connection in its place:
        a storm of slow searches took the API's backends far past the pool size (issue 19).
        The server's own statement_timeout (set on every connection) is the backstop.
        """
        connection = None
        try:
            async with asyncio.timeout(self.timeout):
                asked = time.perf_counter()
                connection = await self.pool.acquire()
                metrics.db_pool_waited(time.perf_counter() - asked)
                return await work(connection)
        except TimeoutError:
            metrics.db_budget_exceeded()
            if connection is not None:
                self._release_when_cancelled(connection)
                connection = None
            raise
        finally:
            if connection is not None:
                await self.pool.release(connection)

    def _release_when_cancelled(self, connection: Connection) -> None:
        # Holding the pool slot meanwhile: the pool never has more backends than its size.
        release = asyncio.create_task(self.pool.release(connection, timeout=self.timeout))
        self._releasing.add(release)
        release.add_done_callback(self._releasing.discard)

    async def _in_function(
        self, connection: Connection, caller: _CallerStatement, values: dict[str, Any]
    ) -> list[asyncpg.Record]:
        """One round trip: the script's statement function, defined on first use."""
        values = {**caller.defaults, **values}
        arguments = [*(values[name] for name in caller.names), values[CALLER]]
        try:
            return await connection.fetch(caller.call, *arguments)
        except _NOT_DEFINED:
            # First use of this statement on this connection: define its function, once.
            # (Should the error come from inside the statement instead, the retry fails the
            # same way and that error is raised.)
            await self._define(connection, caller)
        except _STALE:
            # The failed call was rolled back: define the function again, and call it again.
            await connection.execute(f"DROP FUNCTION IF EXISTS {caller.function}")
            await self._define(connection, caller)
        except _GONE as error:
            raise PoolerModeError from error
        try:
            return await connection.fetch(caller.call, *arguments)
        except (*_NOT_DEFINED, _GONE) as error:
            # Defined a moment ago, yet not there: the call ran in another server session.
            raise PoolerModeError from error

    @staticmethod
    async def _define(connection: Connection, caller: _CallerStatement) -> None:
        prepared = [await connection.prepare(step.sql) for step in caller.steps]
        await connection.execute(caller.definition(prepared))

    async def _in_transaction(
        self, connection: Connection, caller: _CallerStatement, values: dict[str, Any]
    ) -> list[asyncpg.Record]:
        """The script as plain statements in one transaction (DB_POOLER_MODE=transaction):
        BEGIN, the caller set for this transaction only, each statement, COMMIT; each a round
        trip, and nothing left on the session."""
        async with connection.transaction():
            await connection.execute(_SET_CALLER, values[CALLER], self._statement_timeout)
            return await _script(connection, caller.steps, values)

    @asynccontextmanager
    async def transaction(self, user_id: str) -> AsyncIterator[_PostgresTransaction]:
        # The caller is set for this transaction only (as in _in_transaction), so nothing
        # outlives it on the pooled connection, whatever DB_POOLER_MODE says.
        async with asyncio.timeout(self.timeout):
            connection = await self.pool.acquire()
        try:
            async with connection.transaction():
                await connection.execute(_SET_CALLER, user_id, self._statement_timeout)
                yield _PostgresTransaction(connection, user_id, self.timeout)
        except TimeoutError:
            connection.terminate()
            raise
        finally:
            await self.pool.release(connection)

    async def ping(self) -> None:
        # A simple query (no parameters): no prepared statement, whatever the pooler.
        await self._within_budget(lambda connection: connection.execute(PING))

    def pool_usage(self) -> tuple[int, int, int]:
        if self._pool is None:
            return 0, 0, self._pool_size
        idle = self._pool.get_idle_size()
        return self._pool.get_size() - idle, idle, self._pool.get_max_size()

    async def close(self) -> None:
        if self._releasing:
            await asyncio.wait(self._releasing)
        if self._pool is not None:
            await self._pool.close()
