"""The per-user change feed behind GET /events: what a stream sends, and how a write wakes it.

Write side: triggers on task and task_list (migration 0011) record every change in the `change`
table, in the writing transaction, whatever statement wrote it. Its id is the stream's cursor.
On PostgreSQL the trigger takes a per-user lock until the commit, so that one user's changes
take their ids in the order they commit: a stream that read up to cursor N can never later
find a committed change below N (with a plain sequence, a transaction that took id 10 could
commit after one that took id 11 had been sent).

Fan-out: each worker keeps its open streams by user (`ChangeHub`). A commit wakes the
user's streams in every worker: on PostgreSQL through NOTIFY (the trigger's, one per
transaction) and the worker's one LISTEN connection (app/db/listen.py); on SQLite, one process,
the database wakes them itself after a write (app/db/sqlite.py). A woken stream reads its
user's changes after its cursor, as the caller (row-level security applies), and the rows they
name as they are now; the notification carries a user id only. Nothing depends on a
notification arriving: a stream that missed some (the listener reconnected) is woken to read
the table again, and the table holds every change for CHANGE_RETENTION_HOURS.

An idle stream holds no database connection: each read borrows one from the pool, as a
request does, and gives it back.
"""

import asyncio
import logging
import time
import weakref
from collections import defaultdict
from collections.abc import AsyncGenerator, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import bindparam, delete, exists, func, or_, select

from app import list_statements, statements
from app.db.base import Database, Row
from app.db.portable import hours_ago, pruning_changes
from app.models import change

logger = logging.getLogger("app.changes")

# The most changes one read takes; a stream further behind reads again at once.
BATCH = 500
# The oldest changes one pruning statement looks at (it repeats while it finds expired ones).
PRUNE_BATCH = 1000
_ID_MAX = 2**63 - 1

_OWNED = change.c.user_id == statements.CALLER_PARAM
_AFTER = bindparam("after", type_=change.c.id.type)
_CHANGES_AFTER = (
    select(change.c.id, change.c.kind, change.c.entity_id, change.c.action)
    .where(_OWNED, change.c.id > _AFTER)
    .order_by(change.c.id)
    .limit(BATCH)
)
# Where a stream starts: the caller's latest cursor, and whether the one the client sent is
# one of the caller's changes still kept.
_POSITION = select(
    select(func.coalesce(func.max(change.c.id), 0)).where(_OWNED).scalar_subquery().label("latest"),
    exists().where(_OWNED, change.c.id == _AFTER).label("known"),
)

# Oldest first, and only a run of expired rows from the oldest on: a change kept means every
# later one is kept too, so that a cursor still found replays everything after it. (Ids and
# times are not in quite the same order: a transaction's time is when it began.)
_oldest = select(change.c.id, change.c.created_at).order_by(change.c.id).limit(PRUNE_BATCH)
_oldest_rows = _oldest.subquery("oldest")
_kept = _oldest.subquery("kept")
_FIRST_KEPT = (
    select(func.min(_kept.c.id))
    .where(_kept.c.created_at >= hours_ago(bindparam("hours")))
    .correlate(None)
    .scalar_subquery()
)
_PRUNE = (
    delete(change)
    .where(
        change.c.id.in_(
            select(_oldest_rows.c.id).where(
                or_(_FIRST_KEPT.is_(None), _oldest_rows.c.id < _FIRST_KEPT)
            )
        )
    )
    .returning(change.c.id)
)
_PRUNING = select(pruning_changes())

_JSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NAIVE_UTC
CONNECTED = b": connected\n\n"
HEARTBEAT = b": ping\n\n"


class ChangeHub:
    """The event streams open in this worker, by user: a change to a user's data wakes that
    user's streams (and no one else's)."""

    def __init__(self) -> None:
        self._streams: defaultdict[str, set[asyncio.Event]] = defaultdict(set)
        self.ending = False
        _HUBS.add(self)

    def open_streams(self, user_id: str) -> int:
        streams = self._streams.get(user_id)
        return len(streams) if streams else 0

    @contextmanager
    def subscription(self, user_id: str) -> Iterator[asyncio.Event]:
        """An event set whenever the user's data may have changed, for as long as the block
        runs."""
        woken = asyncio.Event()
        self._streams[user_id].add(woken)
        try:
            yield woken
        finally:
            streams = self._streams[user_id]
            streams.discard(woken)
            if not streams:
                del self._streams[user_id]

    def changed(self, user_id: str) -> None:
        for woken in self._streams.get(user_id, ()):
            woken.set()

    def resync(self) -> None:
        """Notifications may have been lost (the listener reconnected): every stream reads."""
        for streams in self._streams.values():
            for woken in streams:
                woken.set()

    def end(self) -> None:
        """Every stream ends (the server is stopping), and any opened from now on."""
        self.ending = True
        self.resync()


_HUBS: "weakref.WeakSet[ChangeHub]" = weakref.WeakSet()


def end_streams() -> None:
    """The process is stopping: every stream of every app in it ends at once, as a response
    should (app/server.py)."""
    for hub in list(_HUBS):
        hub.end()


@dataclass(frozen=True, slots=True)
class _Change:
    cursor: int
    kind: str  # "task" or "list"
    entity_id: int
    action: str  # "created", "updated" or "deleted"


def coalesced(rows: Sequence[Row]) -> list[_Change]:
    """One change per task or list of a batch, at its last cursor: deleted if the batch saw it
    deleted (an id is never used again; a list's deletion is followed by its tasks' moves,
    which touch it), else created if the batch saw it created, else updated. Applied in order,
    they leave a client where the whole batch would (created/updated carry the row as it is
    now)."""
    last: dict[tuple[str, int], int] = {}
    actions: defaultdict[tuple[str, int], set[str]] = defaultdict(set)
    for row in rows:
        key = (row["kind"], row["entity_id"])
        actions[key].add(row["action"])
        last.pop(key, None)  # re-inserted: the dict keeps the order of last changes
        last[key] = row["id"]
    return [
        _Change(cursor, kind, entity_id, _action_of_a_batch(actions[kind, entity_id]))
        for (kind, entity_id), cursor in last.items()
    ]


def _action_of_a_batch(actions: set[str]) -> str:
    return next(action for action in ("deleted", "created", "updated") if action in actions)


def _event(cursor: int, data: dict[str, Any]) -> bytes:
    return b"id: %d\ndata: %s\n\n" % (cursor, orjson.dumps(data, option=_JSON_OPTIONS))


def reset_event(latest: int) -> bytes:
    """The client's cursor is not one this feed can replay from: refetch, then go on from
    `latest` (no id when the caller has no change kept: the client then has no cursor)."""
    cursor = b"id: %d\n" % latest if latest else b""
    return b'event: reset\n%sdata: {"type":"reset"}\n\n' % cursor


async def _current_rows(
    db: Database, user_id: str, changes: list[_Change]
) -> dict[tuple[str, int], Row]:
    wanted: dict[str, set[int]] = {"task": set(), "list": set()}
    for item in changes:
        if item.action != "deleted":
            wanted[item.kind].add(item.entity_id)
    rows: dict[tuple[str, int], Row] = {}
    if wanted["task"]:
        for row in await statements.get_tasks(db, user_id, wanted["task"]):
            rows["task", row["id"]] = row
    if wanted["list"]:
        for row in await list_statements.get_lists(db, user_id, wanted["list"]):
            rows["list", row["id"]] = row
    return rows


@dataclass(frozen=True, slots=True)
class Batch:
    cursor: int  # read up to here
    events: list[bytes]
    full: bool  # there may be more to read at once


async def read_events(db: Database, user_id: str, after: int) -> Batch:
    """The caller's events after cursor `after`, one batch at most. A created/updated whose
    row is gone is left out: its deletion was committed before the row was read, so it comes
    later in the feed."""
    rows = await db.run(user_id, _CHANGES_AFTER, {"after": after})
    if not rows:
        return Batch(after, [], full=False)
    changes = coalesced(rows)
    current = await _current_rows(db, user_id, changes)
    events = []
    for item in changes:
        data: dict[str, Any] = {"type": f"{item.kind}.{item.action}", "id": item.entity_id}
        if item.action != "deleted":
            row = current.get((item.kind, item.entity_id))
            if row is None:
                continue
            data["row"] = row
        events.append(_event(item.cursor, data))
    return Batch(rows[-1]["id"], events, full=len(rows) == BATCH)


def parse_cursor(value: str | None) -> int | None:
    """A Last-Event-ID as the feed wrote it (plain decimal), or None."""
    if value is None or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    cursor = int(value)
    return cursor if 0 < cursor <= _ID_MAX else None


async def start(db: Database, user_id: str, last_event_id: str | None) -> tuple[int, bytes | None]:
    """Where a stream starts, and the reset event to send first if it must: a stream without
    Last-Event-ID starts after the caller's latest change; one with a cursor still kept
    replays every change after it; any other (pruned, unknown, another user's, malformed)
    gets a reset and starts after the latest."""
    requested = parse_cursor(last_event_id)
    rows = await db.run(user_id, _POSITION, {"after": requested or 0})
    latest: int = rows[0]["latest"]
    if last_event_id is None:
        return latest, None
    if requested is not None and rows[0]["known"]:
        return requested, None
    return latest, reset_event(latest)


async def stream(
    db: Database,
    hub: ChangeHub,
    user_id: str,
    cursor: int,
    reset: bytes | None,
    *,
    ends_at: float,
    heartbeat_seconds: float,
) -> AsyncGenerator[bytes]:
    """The caller's event stream from where `start` put it, until `ends_at` (epoch seconds:
    the token's expiry): a comment first, then events as they commit, a comment after
    `heartbeat_seconds` without one."""
    with hub.subscription(user_id) as woken:
        yield CONNECTED
        if reset is not None:
            yield reset
        while not hub.ending:
            woken.clear()
            batch = await read_events(db, user_id, cursor)
            cursor = batch.cursor
            for event in batch.events:
                yield event
            if batch.full:
                continue
            # Until woken, a comment now and then and no read: with a thousand idle streams a
            # read per heartbeat was a hundred statements a second for nothing.
            while True:
                left = ends_at - time.time()
                if left <= 0:
                    return
                try:
                    async with asyncio.timeout(min(heartbeat_seconds, left)):
                        await woken.wait()
                    break
                except TimeoutError:
                    if time.time() >= ends_at:
                        return
                    yield HEARTBEAT


async def prune(db: Database, retention_hours: int) -> int:
    """Deletes every user's changes older than `retention_hours`, oldest first; how many."""
    pruned = 0
    while True:
        async with db.transaction("") as transaction:
            await transaction.run(_PRUNING)
            deleted = len(await transaction.run(_PRUNE, {"hours": retention_hours}))
        pruned += deleted
        if deleted < PRUNE_BATCH:
            return pruned


async def pruning(db: Database, retention_hours: int, every_seconds: float) -> None:
    """Prunes every `every_seconds`, for as long as the worker runs (a task). Not at once: a
    worker that starts and stops at once (a test's app) would stop under a statement."""
    while True:
        await asyncio.sleep(every_seconds)
        try:
            await prune(db, retention_hours)
        except Exception:
            # The next round tries again; the feed only grows meanwhile.
            logger.warning("pruning the change feed failed", exc_info=True)
