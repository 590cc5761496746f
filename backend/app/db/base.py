"""What every task database offers: one statement (or one short script) at a time, run as one
caller."""

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, Protocol

from sqlalchemy import Executable

Row = dict[str, Any]

# Every statement names its caller with this bound parameter, and `Database.run` binds it
# from the same user id it hands to row-level security: the SQL filter and the policy cannot
# disagree, because they have one source.
CALLER = "caller"
# Row-level security on PostgreSQL reads the caller from this setting (see the migrations).
USER_SETTING = "app.user_id"
PING = "SELECT 1"
NO_PARAMS: Mapping[str, Any] = {}


class Transaction(Protocol):
    """Statements run one after another in one transaction, as one caller (see
    Database.transaction)."""

    async def run(self, statement: Executable, params: Mapping[str, Any] = NO_PARAMS) -> list[Row]:
        """One statement; its rows."""
        ...

    async def run_many(
        self, statement: Executable, params: Sequence[Mapping[str, Any]]
    ) -> list[Row]:
        """One statement for each of `params`, sent together; with RETURNING, the row each
        returned, in the order of `params`."""
        ...

    async def run_script(
        self, statements: Sequence[Executable], params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        """Statements in order, as Database.run_script runs them (an earlier one's returned
        columns become parameters of the later ones); the last one's rows."""
        ...


class Database(Protocol):
    async def open(self) -> None: ...

    async def run(
        self, user_id: str, statement: Executable, params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        """Run one statement in a transaction of its own, in which the database knows the
        caller (row-level security on PostgreSQL, the `caller` parameter everywhere); its rows
        as dicts."""
        ...

    async def run_script(
        self, user_id: str, statements: Sequence[Executable], params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        """Run statements in order in one transaction, as `run` runs one; the last one's rows.

        For changes that take several statements (a task and its tags). Each statement sees
        what the ones before it did, and starts from the latest committed data (so a statement
        that locks a row first makes the later ones see what its previous holder wrote). A
        statement before the last may return one row (RETURNING): its columns become
        parameters, by name, of the statements after it. On PostgreSQL the script is still one
        round trip."""
        ...

    def transaction(self, user_id: str) -> AbstractAsyncContextManager[Transaction]:
        """A transaction for many statements (an import): it commits when the block ends and
        rolls back when it raises. Statements are sent one by one (or one batch at a time), so
        this is for the rare write too large for one script; each statement has the
        database's time budget, not the whole transaction."""
        ...

    async def ping(self) -> None: ...

    def pool_usage(self) -> tuple[int, int, int]:
        """Connections lent out now, idle in the pool, and the most the pool may open."""
        ...

    async def close(self) -> None: ...
