"""What every task database offers: one statement at a time, run as one caller."""

from collections.abc import Mapping
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


class Database(Protocol):
    async def open(self) -> None: ...

    async def run(
        self, user_id: str, statement: Executable, params: Mapping[str, Any] = NO_PARAMS
    ) -> list[Row]:
        """Run one statement in a transaction of its own, in which the database knows the
        caller (row-level security on PostgreSQL, the `caller` parameter everywhere); its rows
        as dicts."""
        ...

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
