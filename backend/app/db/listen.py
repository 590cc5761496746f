"""The worker's one LISTEN connection: PostgreSQL's notifications of committed changes.

LISTEN needs a session of its own for as long as it listens: not a connection borrowed from
the pool (it goes back after each statement), and not one through a transaction-mode pooler
(which hands each transaction another server session). It connects to DATABASE_LISTEN_URL,
by default DATABASE_URL; behind PgBouncer in transaction mode, set it to a direct or
session-mode URL.

A dropped connection says nothing by itself: it is pinged every `ping_seconds`, and when it
fails (or asyncpg reports it closed) it is opened again, after a pause that grows to
`MAX_PAUSE_SECONDS`. Each time it is (re)opened every stream is told to read the feed again,
for notifications sent while nobody listened are lost; the change table is not.
"""

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import asyncpg

from app.db.base import PING

logger = logging.getLogger("app.listen")

CHANNEL = "app_changes"  # migration 0011's triggers notify it
APPLICATION_NAME = "todo-api-listen"
FIRST_PAUSE_SECONDS = 0.1
MAX_PAUSE_SECONDS = 5.0


class ChangeListener:
    def __init__(
        self,
        connect_args: dict[str, Any],
        *,
        changed: Callable[[str], None],
        resync: Callable[[], None],
        ping_seconds: float,
        timeout: float,
    ) -> None:
        self._connect_args = connect_args
        self._changed = changed
        self._resync = resync
        self._ping_seconds = ping_seconds
        self._timeout = timeout
        self.connected = False

    def _notified(self, _connection: object, _pid: int, _channel: str, payload: object) -> None:
        self._changed(str(payload))

    async def run(self) -> None:
        """Listens until cancelled, reconnecting as often as it must."""
        pause = FIRST_PAUSE_SECONDS
        while True:
            try:
                await self._listen()
            except Exception as error:  # whatever it was, the worker must go on listening
                logger.warning("change listener: %s; reconnecting", type(error).__name__)
            if self.connected:
                pause = FIRST_PAUSE_SECONDS
            self.connected = False
            await asyncio.sleep(pause)
            pause = min(pause * 2, MAX_PAUSE_SECONDS)

    async def _listen(self) -> None:
        lost = asyncio.Event()
        connection: asyncpg.Connection = await asyncpg.connect(
            **self._connect_args,
            timeout=self._timeout,
            statement_cache_size=0,
            # So that an operator (and a test) can tell it in pg_stat_activity.
            server_settings={"application_name": APPLICATION_NAME},
        )
        try:
            connection.add_termination_listener(lambda _connection: lost.set())
            await connection.add_listener(CHANNEL, self._notified)
            self.connected = True
            self._resync()
            while not connection.is_closed():
                try:
                    async with asyncio.timeout(self._ping_seconds):
                        await lost.wait()
                    return  # closed: reconnect
                except TimeoutError:
                    pass
                async with asyncio.timeout(self._timeout):
                    await connection.execute(PING)
        finally:
            connection.terminate()
