"""The statements of export and import (GET /export, POST /import), each filtered by the
caller's user id as every statement is (app/statements.py).

An export reads the caller's tasks a page at a time, in id order from where the last page
ended (an index walk: no page costs more than the first). An import writes everything in one
transaction (Database.transaction): its lists, its tasks (parents before their subtasks), the
originals of completed copies, and the tags; a limit it would break rolls it all back."""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Integer, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as upsert

from app.core.folding import search_text
from app.db import Database, Row
from app.db.base import Transaction
from app.db.portable import writing_as_user
from app.list_statements import fold
from app.models import LISTS_PER_USER, PRIORITIES, tag, task, task_list, task_tag
from app.portability.json_format import TASK_FIELDS
from app.portability.records import Parsed, TaskRecord
from app.statements import CALLER_PARAM as _CALLER
from app.statements import PRIORITY_NAME, Quotas

EXPORT_PAGE = 500

_EXPORTED = tuple(PRIORITY_NAME if name == "priority" else task.c[name] for name in TASK_FIELDS)
_TASK_PAGE = (
    select(*_EXPORTED)
    .where(task.c.user_id == _CALLER, task.c.id > bindparam("after", type_=task.c.id.type))
    .order_by(task.c.id)
    .limit(bindparam("limit", type_=Integer))
)
_LISTS = (
    select(
        task_list.c.id,
        task_list.c.name,
        task_list.c.color,
        task_list.c.position,
        task_list.c.created_at,
    )
    .where(task_list.c.user_id == _CALLER)
    .order_by(task_list.c.position, task_list.c.id)
)


async def export_lists(db: Database, user_id: str) -> list[Row]:
    return await db.run(user_id, _LISTS)


async def export_tasks(
    db: Database, user_id: str, page: int = EXPORT_PAGE
) -> AsyncIterator[list[Row]]:
    """The caller's tasks in id order (a parent, and a completed copy's original, before the
    task that names it), a page at a time."""
    after = 0
    while True:
        rows = await db.run(user_id, _TASK_PAGE, {"after": after, "limit": page})
        if rows:
            yield rows
        if len(rows) < page:
            return
        after = rows[-1]["id"]


# Import. A list already there (same name, ignoring case) is used rather than created: its
# created_at tells the two apart (the import's own time is only on the lists it created).
_list_upsert = upsert(task_list).values(
    user_id=_CALLER,
    name=bindparam("name", type_=task_list.c.name.type),
    folded_name=bindparam("folded_name", type_=task_list.c.folded_name.type),
    color=bindparam("color", type_=task_list.c.color.type),
    position=bindparam("position", type_=task_list.c.position.type),
    created_at=bindparam("now", type_=task_list.c.created_at.type),
)
_ENSURE_LIST = _list_upsert.on_conflict_do_update(
    index_elements=[task_list.c.user_id, task_list.c.folded_name],
    set_={"name": task_list.c.name},
).returning(task_list.c.id, task_list.c.created_at, sort_by_parameter_order=True)
_LIST_COUNT = select(func.count().label("lists")).where(task_list.c.user_id == _CALLER)
_LAST_LIST = select(func.max(task_list.c.position).label("last")).where(
    task_list.c.user_id == _CALLER
)
_LAST_TOP = select(func.max(task.c.position).label("last")).where(
    task.c.user_id == _CALLER, task.c.parent_id.is_(None)
)
# An import is a write like any other: it takes the caller's lock, shared (app/statements.py).
_WRITING = select(writing_as_user(_CALLER))
_TASK_COUNT = select(func.count().label("tasks")).where(task.c.user_id == _CALLER)
_TAG_COUNT = select(func.count().label("tags")).where(tag.c.user_id == _CALLER)
# What an import writes of each task (its references are the file's: mapped to new ids), with
# its folded text for search (app/core/folding.py).
_NEW_TASK_COLUMNS = (
    *(name for name in TASK_FIELDS if name not in ("id", "repeat_of")),
    "search_text",
)
_INSERT_TASK = (
    insert(task)
    .values(
        user_id=_CALLER,
        **{name: bindparam(f"new_{name}", type_=task.c[name].type) for name in _NEW_TASK_COLUMNS},
    )
    .returning(task.c.id, sort_by_parameter_order=True)
)
_SET_ORIGINAL = (
    update(task)
    .where(task.c.user_id == _CALLER, task.c.id == bindparam("copy", type_=task.c.id.type))
    .values(repeat_of=bindparam("original", type_=task.c.repeat_of.type))
)
_tag_upsert = upsert(tag).values(user_id=_CALLER, name=bindparam("name", type_=tag.c.name.type))
_ENSURE_TAG = _tag_upsert.on_conflict_do_update(
    index_elements=[tag.c.user_id, tag.c.name], set_={"name": _tag_upsert.excluded.name}
).returning(tag.c.id, sort_by_parameter_order=True)
_LINK_TAG = insert(task_tag).values(
    task_id=bindparam("task_id", type_=task_tag.c.task_id.type),
    tag_id=bindparam("tag_id", type_=task_tag.c.tag_id.type),
    user_id=_CALLER,
)


class ImportRefused(Exception):
    """The import would break a limit: nothing was written."""


@dataclass(frozen=True)
class Created:
    lists: int
    tasks: int


def _offset(last: float | None, positions: Sequence[float]) -> float:
    """What to add to the file's positions so that they come after the account's `last`
    (nothing in an empty account: an export imported there keeps its positions)."""
    if last is None or not positions:
        return 0.0
    return float(last) - min(positions) + 1


async def import_parsed(db: Database, user_id: str, parsed: Parsed, quotas: Quotas) -> Created:
    now = datetime.now(UTC)
    async with db.transaction(user_id) as tx:
        await tx.run(_WRITING)
        list_ids, created_lists = await _import_lists(tx, parsed, now)
        task_ids = await _import_tasks(tx, parsed, list_ids, now)
        await tx.run_many(
            _SET_ORIGINAL,
            [
                {"copy": task_ids[item.key], "original": task_ids[item.repeat_of_key]}
                for item in parsed.tasks
                if item.repeat_of_key is not None
            ],
        )
        await _link_tags(tx, parsed.tasks, task_ids)
        await _check_quotas(tx, len(task_ids), quotas)
    return Created(lists=created_lists, tasks=len(task_ids))


async def _check_quotas(tx: Transaction, added: int, quotas: Quotas) -> None:
    """The caller's tasks and tags, the file's included, within MAX_TASKS_PER_USER and
    MAX_TAGS_PER_USER; else the transaction is rolled back."""
    (tasks,) = await tx.run(_TASK_COUNT)
    if tasks["tasks"] > quotas.tasks:
        raise ImportRefused(
            f"the file adds {added} tasks to your {tasks['tasks'] - added}: at most "
            f"{quotas.tasks} tasks per user"
        )
    (tags,) = await tx.run(_TAG_COUNT)
    if tags["tags"] > quotas.tags:
        raise ImportRefused(f"the file brings your tags to {tags['tags']}: at most {quotas.tags}")


async def _import_lists(
    tx: Transaction, parsed: Parsed, now: datetime
) -> tuple[dict[str, int], int]:
    if not parsed.lists:
        return {}, 0
    (last,) = await tx.run(_LAST_LIST)
    positions = [
        item.position if item.position is not None else float(index + 1)
        for index, item in enumerate(parsed.lists)
    ]
    offset = _offset(last["last"], positions)
    rows = await tx.run_many(
        _ENSURE_LIST,
        [
            {
                "name": item.name,
                "folded_name": fold(item.name),
                "color": item.color,
                "position": position + offset,
                "now": now,
            }
            for item, position in zip(parsed.lists, positions, strict=True)
        ],
    )
    created = sum(_same_instant(row["created_at"], now) for row in rows)
    (count,) = await tx.run(_LIST_COUNT)
    if count["lists"] > LISTS_PER_USER:
        raise ImportRefused(
            f"the file adds {created} lists to your {count['lists'] - created}: at most "
            f"{LISTS_PER_USER} lists per user"
        )
    return {item.key: row["id"] for item, row in zip(parsed.lists, rows, strict=True)}, created


def _same_instant(stored: datetime, now: datetime) -> bool:
    # SQLite hands timestamps back without a zone; they were stored as UTC.
    return (stored if stored.tzinfo else stored.replace(tzinfo=UTC)) == now


def _position(item: TaskRecord, index: int) -> float:
    return item.position if item.position is not None else float(index + 1)


async def _import_tasks(
    tx: Transaction, parsed: Parsed, list_ids: dict[str, int], now: datetime
) -> dict[str, int]:
    (last,) = await tx.run(_LAST_TOP)
    top = [item for item in parsed.tasks if item.parent_key is None]
    subtasks = [item for item in parsed.tasks if item.parent_key is not None]
    offset = _offset(last["last"], [_position(item, n) for n, item in enumerate(top)])
    ids: dict[str, int] = {}
    for level, items, shift in ((0, top, offset), (1, subtasks, 0.0)):
        values = [
            _new_task(item, _position(item, n) + shift, list_ids, ids if level else {}, now)
            for n, item in enumerate(items)
        ]
        rows = await tx.run_many(_INSERT_TASK, values)
        ids.update((item.key, row["id"]) for item, row in zip(items, rows, strict=True))
    return ids


def _new_task(
    item: TaskRecord,
    position: float,
    list_ids: dict[str, int],
    parents: dict[str, int],
    now: datetime,
) -> dict[str, Any]:
    completed_at = (item.completed_at or now) if item.completed else None
    return {
        "new_title": item.title,
        "new_description": item.description,
        "new_completed": item.completed,
        "new_completed_at": completed_at,
        "new_created_at": item.created_at or now,
        "new_updated_at": now,
        "new_priority": PRIORITIES.index(item.priority),
        "new_due_date": item.due_date,
        "new_due_time": item.due_time,
        "new_tags": item.tags,
        "new_repeat": item.repeat,
        "new_repeat_from": item.repeat_from,
        "new_list_id": None if item.list_key is None else list_ids[item.list_key],
        "new_parent_id": None if item.parent_key is None else parents[item.parent_key],
        "new_position": position,
        "new_search_text": search_text(item.title, item.description),
    }


async def _link_tags(tx: Transaction, tasks: Sequence[TaskRecord], ids: dict[str, int]) -> None:
    # In name order, as every writer of tags locks them (app/statements.py).
    names = sorted({name for item in tasks for name in item.tags})
    rows = await tx.run_many(_ENSURE_TAG, [{"name": name} for name in names])
    tag_ids = {name: row["id"] for name, row in zip(names, rows, strict=True)}
    await tx.run_many(
        _LINK_TAG,
        [
            {"task_id": ids[item.key], "tag_id": tag_ids[name]}
            for item in tasks
            for name in item.tags
        ],
    )
