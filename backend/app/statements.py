"""The task and tag queries. Every statement is filtered by the caller's user id, on every
table it reads.

Statements are built once, with bound parameters: each database then reuses its compiled
(and on PostgreSQL, prepared) form on every request. The list's filters combine freely, so its
statements are built once per combination of the filters in use (a `_Shape`: at most 216, times
8 orders for the list) and cached; a connection only prepares the ones it is asked for. List
parameters (tags, priorities, search words) travel as one JSON array each, so their number does
not change the statement.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any, Literal

import orjson
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Date,
    Executable,
    Insert,
    Integer,
    Select,
    SmallInteger,
    String,
    Table,
    Update,
    and_,
    bindparam,
    case,
    cast,
    delete,
    exists,
    false,
    func,
    insert,
    literal_column,
    not_,
    null,
    select,
    union,
    union_all,
    update,
)

# Also compiles for SQLite, which spells ON CONFLICT the same way (the SQLite suite runs it).
from sqlalchemy.dialects.postgresql import insert as upsert

from app.core.folding import fold, search_text
from app.db import CALLER, UNIQUE_VIOLATION, Database, Row
from app.db.portable import (
    any_of,
    candidate_of,
    deleting_user,
    folded,
    folded_match,
    json_array_items,
    member_of,
    writing_as_user,
)
from app.models import (
    PRIORITIES,
    TaskCounts,
    TaskCreate,
    TaskFilter,
    TaskListQuery,
    TaskPublic,
    TaskSort,
    TaskStateFilter,
    TaskUpdate,
    idempotency_key,
    tag,
    task,
    task_tag,
)

# How long an Idempotency-Key holds: a retry within it gets the task the key created.
IDEMPOTENCY_WINDOW = timedelta(hours=24)

_CALLER = bindparam(CALLER, type_=task.c.user_id.type)
_OWNED = task.c.user_id == _CALLER
_TASK_ID = bindparam("task_id", type_=task.c.id.type)
_THIS_TASK = task.c.id == _TASK_ID
_TASK_EXISTS = exists().where(_OWNED, _THIS_TASK)

# Every write of the caller's rows starts by taking the caller's lock, shared: writes go on
# side by side, but DELETE /me, which takes it alone, waits for those under way and then
# deletes what they wrote, and writes that come later wait for it. Without it, DELETE /me
# and the same user's tagged writes locked rows in opposite orders (deadlocks) or linked a
# tag that was being deleted (foreign-key violations): 500s (issue 19).
_WRITING = select(writing_as_user(_CALLER))
_DELETING = select(deleting_user(_CALLER))


def _writing(*statements: Executable) -> tuple[Executable, ...]:
    """A write script: the caller's shared lock, then the statements."""
    return (_WRITING, *statements)


_PRIORITY_NAME = case(
    {
        literal_column(str(rank)): literal_column(f"'{name}'")
        for rank, name in enumerate(PRIORITIES)
    },
    value=task.c.priority,
).label("priority")
# What the API returns: TaskPublic's fields, each its column (the priority as its name).
_PUBLIC = tuple(
    _PRIORITY_NAME if name == "priority" else task.c[name] for name in TaskPublic.model_fields
)
# What q searches: the text as written (folded on the spot on SQLite, and on PostgreSQL for
# a task whose folded text is not stored), and its folded text (app/core/folding.py).
_SEARCHED = (
    task.c.title + literal_column("' '") + func.coalesce(task.c.description, literal_column("''"))
)


def _matches(pattern: ColumnElement[Any]) -> ColumnElement[bool]:
    return folded_match(task.c.search_text, _SEARCHED, pattern)


# The candidates of the longest word: on PostgreSQL an index-only scan of the caller's folded
# texts with a plain LIKE (the same test _matches makes of them), with every task whose text
# is not stored folded (migration 0008).
_found = task.alias("found")
_SEARCH_CANDIDATES = union_all(
    select(_found.c.id).where(
        _found.c.user_id == _CALLER,
        _found.c.search_text.like(bindparam("q_lead", type_=String)),
    ),
    select(_found.c.id).where(_found.c.user_id == _CALLER, _found.c.search_text.is_(None)),
).scalar_subquery()


def _items(name: str) -> Any:
    """The elements of the JSON array bound as `name`, as a FROM item with a `value` column."""
    return json_array_items(bindparam(name, type_=String)).table_valued("value")


def _listed(expr: ColumnElement[Any], name: str, type_: Any = None) -> ColumnElement[bool]:
    """`expr` is one of the elements of the JSON array bound as `name`."""
    value = _items(name).c.value
    return any_of(expr, select(value if type_ is None else cast(value, type_)).scalar_subquery())


def _tagged(name: str) -> ColumnElement[bool]:
    """The caller's tags named in the JSON array bound as `name`."""
    return and_(tag.c.user_id == _CALLER, _listed(tag.c.name, name))


def _json(values: list[Any]) -> str:
    return orjson.dumps(values).decode()


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which of the list's filters a request uses; one statement per shape."""

    completed: bool | None = None
    words: Literal[0, 1, 2] = 0  # none, one, several
    priorities: bool = False
    tags: Literal[0, 1, 2] = 0  # none, one, several
    dated: bool = False  # due_from, due_to or has_due=true
    undated: bool = False  # has_due=false


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.completed is not None:
        conditions.append(task.c.completed if shape.completed else not_(task.c.completed))
    if shape.words:
        # The longest word first, alone: likely the rarest, it rules most rows out at once.
        conditions.append(candidate_of(task.c.id, _SEARCH_CANDIDATES))
        conditions.append(_matches(bindparam("q_lead", type_=String)))
    if shape.words > 1:
        rest = _items("q_rest")
        missing = select(rest.c.value).where(not_(_matches(rest.c.value)))
        conditions.append(~missing.exists())
    if shape.priorities:
        conditions.append(_listed(task.c.priority, "priorities", SmallInteger))
    if shape.tags:
        # The tags' ids first, then their links (the index on task_tag starts with both).
        tag_ids = select(tag.c.id).where(_tagged("with_tags")).scalar_subquery()
        links = select(task_tag.c.task_id).where(task_tag.c.user_id == _CALLER)
        if shape.tags == 1:  # the common case, one tag: a plain equality, always in the index
            tagged = links.where(task_tag.c.tag_id == tag_ids)
        else:
            tagged = (
                links.where(any_of(task_tag.c.tag_id, tag_ids))
                .group_by(task_tag.c.task_id)
                .having(func.count() == bindparam("tag_count", type_=Integer))
            )
        conditions.append(member_of(task.c.id, tagged.scalar_subquery()))
    if shape.dated:
        due_from, due_to = bindparam("due_from", type_=Date), bindparam("due_to", type_=Date)
        conditions.append(task.c.due_date.between(due_from, due_to))
    if shape.undated:
        conditions.append(task.c.due_date.is_(None))
    return conditions


def _like_pattern(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _how_many(items: list[str]) -> Literal[0, 1, 2]:
    return 0 if not items else 1 if len(items) == 1 else 2


def _filtering(filters: TaskFilter, completed: bool | None) -> tuple[_Shape, dict[str, Any]]:
    """The shape of the filters and the parameters its statement takes."""
    params: dict[str, Any] = {}
    words = sorted(set(fold(filters.q or "").split()), key=len, reverse=True)
    if words:
        params["q_lead"] = _like_pattern(words[0])
    if len(words) > 1:
        params["q_rest"] = _json([_like_pattern(word) for word in words[1:]])
    if filters.priority:
        params["priorities"] = _json(sorted({PRIORITIES.index(p) for p in filters.priority}))
    names = sorted(set(filters.tag))
    if names:
        params["with_tags"] = _json(names)
    if len(names) > 1:
        params["tag_count"] = len(names)
    dated = filters.has_due is True or filters.due_from is not None or filters.due_to is not None
    if dated:
        params["due_from"] = filters.due_from or date.min
        params["due_to"] = filters.due_to or date.max
    shape = _Shape(
        completed=completed,
        words=_how_many(words),
        priorities=bool(filters.priority),
        tags=_how_many(names),
        dated=dated,
        undated=filters.has_due is False,
    )
    return shape, params


# Each sort's key and its own direction (True: descending). The other direction reverses the
# whole order, the id tie-break included, so one index serves both.
_SORTS: dict[TaskSort, tuple[ColumnElement[Any], bool]] = {
    "created": (task.c.created_at, True),
    "due": (task.c.due_date, False),
    "priority": (task.c.priority, True),
    "title": (folded(task.c.title), False),
}


def _order_by(sort: TaskSort, descending: bool) -> tuple[ColumnElement[Any], ...]:
    key = _SORTS[sort][0]
    if descending:
        # NULLS spelled out: the two databases' defaults differ. Undated tasks come last in
        # due order, so first in its reverse.
        return (key.desc().nulls_first() if sort == "due" else key.desc(), task.c.id.desc())
    return (key.asc().nulls_last() if sort == "due" else key.asc(), task.c.id.asc())


@cache
def _list_statement(shape: _Shape, sort: TaskSort, descending: bool) -> Select[Any]:
    order = _order_by(sort, descending)
    page = (
        select(*_PUBLIC)
        .where(_OWNED, *_conditions(shape))
        .order_by(*order)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    if shape != _Shape(tags=shape.tags) or not shape.tags or sort == "title":
        return page
    # Filtered by tags alone, in an order an index holds with the id (not title's: an
    # expression): the page's ids come from that index alone, tested against the tagged set,
    # and only the page's rows are read, not every row the walk passes over.
    ids = page.with_only_columns(task.c.id).scalar_subquery()
    return select(*_PUBLIC).where(_OWNED, any_of(task.c.id, ids)).order_by(*order)


LIST_TASKS = _list_statement(_Shape(), "created", True)


def _totals(done: ColumnElement[Any]) -> tuple[ColumnElement[Any], ...]:
    """The counts' row: how many rows, and how many of them have `done` 1."""
    return func.count().label("total"), func.coalesce(func.sum(done), 0).label("done")


@cache
def _counts_statement(shape: _Shape) -> Select[Any]:
    if shape != _Shape(tags=shape.tags) or not shape.tags:
        return select(*_totals(case((task.c.completed, 1), else_=0))).where(
            _OWNED, *_conditions(shape)
        )
    # Filtered by tags alone: the links carry their task's `completed` (migration 0007), in an
    # index with them; a link older than that column asks its task.
    completed = func.coalesce(
        task_tag.c.completed,
        select(task.c.completed).where(_OWNED, task.c.id == task_tag.c.task_id).scalar_subquery(),
    )
    done = case((completed, 1), else_=0)
    tag_ids = select(tag.c.id).where(_tagged("with_tags")).scalar_subquery()
    links = select(task_tag.c.task_id).where(task_tag.c.user_id == _CALLER)
    if shape.tags == 1:
        tasks = links.add_columns(done.label("done")).where(task_tag.c.tag_id == tag_ids)
    else:
        tasks = (
            links.add_columns(func.max(done).label("done"))
            .where(any_of(task_tag.c.tag_id, tag_ids))
            .group_by(task_tag.c.task_id)
            .having(func.count() == bindparam("tag_count", type_=Integer))
        )
    tagged = tasks.subquery()
    return select(*_totals(tagged.c.done))


@cache
def _complete_matching(shape: _Shape) -> tuple[Executable, ...]:
    """Bulk completion: only rows whose state changes are touched (and counted)."""
    new_completed = bindparam("new_completed", type_=Boolean)
    return _writing(
        update(task)
        .where(_OWNED, *_conditions(shape), task.c.completed != new_completed)
        .values(
            completed=new_completed,
            completed_at=bindparam("new_completed_at", type_=task.c.completed_at.type),
            updated_at=bindparam("now"),
        )
        .returning(task.c.id)
    )


@cache
def _delete_matching(shape: _Shape) -> tuple[Executable, ...]:
    # Their task_tag rows go by cascade (a trigger on SQLite), tag counts by trigger.
    return _writing(delete(task).where(_OWNED, *_conditions(shape)).returning(task.c.id))


_GET = select(*_PUBLIC).where(_OWNED, _THIS_TASK)


@dataclass(frozen=True, slots=True)
class Quotas:
    """The most rows one user may have (MAX_TASKS_PER_USER, MAX_TAGS_PER_USER)."""

    tasks: int
    tags: int

    def params(self) -> dict[str, int]:
        return {"task_room": self.tasks - 1, "tag_room": self.tags, "key_room": self.tasks - 1}


class QuotaExceeded(Exception):
    """A create or an update would take the caller past one of their quotas."""


def _has_room(table: Table, offset: str) -> ColumnElement[bool]:
    """The caller has at most `offset` rows in `table`: it stops reading there, so a user far
    below the quota costs little. Checked in the writing statement itself, against what it
    sees: concurrent writes of one user may each pass it (at most MAX_INFLIGHT_PER_USER per
    worker), never more."""
    theirs = table.alias(f"{table.name}_held")
    held = select(theirs.c.user_id).where(theirs.c.user_id == _CALLER)
    return ~exists(held.limit(1).offset(bindparam(offset, type_=Integer)))


# How many distinct tags the caller would have with the wanted ones (at most MAX_TAGS_PER_USER
# are kept, and a user's tags are few: this reads them all).
_tag_names_after = union(
    select(tag.c.name).where(tag.c.user_id == _CALLER),
    select(_items("tag_names").c.value),
).subquery()
_HAS_ROOM_FOR_TAGS = select(func.count()).select_from(_tag_names_after).scalar_subquery() <= (
    bindparam("tag_room", type_=Integer)
)

# The new task's values, typed: they are selected, not inserted as VALUES. Bound names differ
# from column names, which SQLAlchemy keeps for itself in INSERT and UPDATE; every field of
# TaskCreate is a column of its own name (_new_values binds them).
_NEW_VALUES: dict[str, Any] = {
    name: bindparam(f"new_{name}", type_=task.c[name].type) for name in TaskCreate.model_fields
} | {
    "user_id": _CALLER,
    "search_text": bindparam("new_search_text", type_=task.c.search_text.type),
    "completed": false(),
    "created_at": bindparam("now", type_=task.c.created_at.type),
    "updated_at": bindparam("now", type_=task.c.updated_at.type),
}


def _new_row(*, tagged: bool, keyed: bool) -> Insert:
    """The new task, written only if the caller has room for it (and its tags, and its key);
    else nothing, and the script's later steps find no task."""
    room = [_has_room(task, "task_room")]
    if tagged:
        room.append(_HAS_ROOM_FOR_TAGS)
    if keyed:
        room.append(_has_room(idempotency_key, "key_room"))
    return insert(task).from_select(list(_NEW_VALUES), select(*_NEW_VALUES.values()).where(*room))


_CREATE = _writing(_new_row(tagged=False, keyed=False).returning(*_PUBLIC))
_DELETE = _writing(delete(task).where(_OWNED, _THIS_TASK).returning(task.c.id))

# A task's links to its tags are set in three steps, run in one script after the task row is
# written with its `tags` (which, for an update, locks the row: a concurrent change of the same
# task's tags waits, then sees this one's links). `tag_names`: the JSON array of the names.
#
# 1. The wanted tags exist, and they and the task's current tags are locked (DO UPDATE), all in
#    name order, as the count triggers lock them: no two writers wait for each other in a
#    circle, and a concurrent removal of a tag's last link (which deletes the tag) waits for
#    this transaction (the triggers keep the counts).
_wanted = _items("tag_names")
_current_names = (
    select(_CALLER, tag.c.name)
    .join(task_tag, task_tag.c.tag_id == tag.c.id)
    .where(task_tag.c.task_id == _TASK_ID, task_tag.c.user_id == _CALLER, tag.c.user_id == _CALLER)
)
_ensure = upsert(tag).from_select(
    ["user_id", "name"],
    union(select(_CALLER, _wanted.c.value).where(_TASK_EXISTS), _current_names).order_by(
        literal_column("2")
    ),
)
_ENSURE_TAGS = _ensure.on_conflict_do_update(
    index_elements=[tag.c.user_id, tag.c.name], set_={"name": _ensure.excluded.name}
)
# 2. Links to tags no longer wanted go.
_UNLINK_OTHER_TAGS = delete(task_tag).where(
    task_tag.c.user_id == _CALLER,
    task_tag.c.task_id == _TASK_ID,
    not_(any_of(task_tag.c.tag_id, select(tag.c.id).where(_tagged("tag_names")).scalar_subquery())),
)
# 3. Missing links are added.
_linked = task_tag.alias("linked")
_LINK_TAGS = insert(task_tag).from_select(
    ["task_id", "tag_id", "user_id"],
    select(_TASK_ID, tag.c.id, _CALLER).where(
        _tagged("tag_names"),
        _TASK_EXISTS,
        ~exists().where(_linked.c.task_id == _TASK_ID, _linked.c.tag_id == tag.c.id),
    ),
)
_TAG_TASK = (_ENSURE_TAGS, _LINK_TAGS, _GET)
_CREATE_TAGGED = _writing(
    _new_row(tagged=True, keyed=False).returning(task.c.id.label("task_id")), *_TAG_TASK
)

# Creation under an Idempotency-Key: the same scripts, first forgetting the caller's expired
# keys (so that an expired key can be used again, and old keys do not pile up), and keeping
# the key with the new task's id. A live key already there makes that insert fail, and the
# whole transaction with it: no task is created, and the key's first task is looked up.
_KEY = bindparam("idempotency_key", type_=idempotency_key.c.key.type)
_EXPIRED_BEFORE = bindparam("expired_before", type_=idempotency_key.c.created_at.type)
_FORGET_EXPIRED_KEYS = delete(idempotency_key).where(
    idempotency_key.c.user_id == _CALLER, idempotency_key.c.created_at < _EXPIRED_BEFORE
)
_KEEP_KEY = insert(idempotency_key).from_select(
    ["user_id", "key", "fingerprint", "task_id", "created_at"],
    select(
        _CALLER, _KEY, bindparam("new_fingerprint", type_=String), _TASK_ID, bindparam("now")
    ).where(_TASK_ID.is_not(None)),  # no task (no room): no key either
)


def _create_keyed(*, tagged: bool) -> tuple[Executable, ...]:
    new_id = _new_row(tagged=tagged, keyed=True).returning(task.c.id.label("task_id"))
    return _writing(_FORGET_EXPIRED_KEYS, new_id, _KEEP_KEY, *(_TAG_TASK if tagged else (_GET,)))


_CREATE_KEYED = _create_keyed(tagged=False)
_CREATE_KEYED_TAGGED = _create_keyed(tagged=True)
# The task a live key created (its columns null once the task has been deleted).
_KEYED_TASK = (
    select(idempotency_key.c.fingerprint, *_PUBLIC)
    .select_from(
        idempotency_key.outerjoin(task, and_(task.c.id == idempotency_key.c.task_id, _OWNED))
    )
    .where(
        idempotency_key.c.user_id == _CALLER,
        idempotency_key.c.key == _KEY,
        idempotency_key.c.created_at >= _EXPIRED_BEFORE,
    )
)

# Every table holding a user's rows, children before their parents: DELETE /me empties them
# in this order. A new per-user table (it must have a `user_id` column) goes here.
USER_TABLES = (task_tag, idempotency_key, tag, task)


def _forget_user(tables: tuple[Table, ...]) -> tuple[Executable, ...]:
    """The script deleting the caller's rows from `tables`, in one transaction. The last step
    returns its deleted rows' user ids (on PostgreSQL a script must end with rows; the
    steps before it return none, for PL/pgSQL takes at most one row INTO its variables)."""
    *leading, last = tables
    return (
        _DELETING,
        *(delete(table).where(table.c.user_id == _CALLER) for table in leading),
        delete(last).where(last.c.user_id == _CALLER).returning(last.c.user_id),
    )


FORGET_USER = _forget_user(USER_TABLES)

_TAGS = (
    select(tag.c.name, tag.c.task_count.label("count"))
    .where(tag.c.user_id == _CALLER, tag.c.task_count > 0)
    .order_by(tag.c.name)
)


@cache
def _update_row(fields: frozenset[str]) -> Update:
    """The UPDATE for one set of changed columns (at most 64 sets exist: built once each)."""
    changes: dict[str, Any] = {
        name: bindparam(f"new_{name}", type_=task.c[name].type) for name in fields
    }
    if "completed" in fields:
        # Set when the task becomes completed (kept if it already was), cleared when it is not.
        changes["completed_at"] = case(
            (
                bindparam("new_completed", type_=Boolean),
                case((task.c.completed, task.c.completed_at), else_=bindparam("now")),
            ),
            else_=null(),
        )
    return update(task).where(_OWNED, _THIS_TASK).values(**changes, updated_at=bindparam("now"))


@cache
def _update(fields: frozenset[str]) -> tuple[Executable, ...]:
    return _writing(_update_row(fields).returning(*_PUBLIC))


@cache
def _update_tagged(fields: frozenset[str]) -> tuple[Executable, ...]:
    # Only with room for the tags; else nothing, and the steps after it find no task.
    changed = _update_row(fields).where(_HAS_ROOM_FOR_TAGS).returning(task.c.id.label("task_id"))
    return _writing(changed, _ENSURE_TAGS, _UNLINK_OTHER_TAGS, _LINK_TAGS, _GET)


async def _one(
    db: Database, user_id: str, script: tuple[Executable, ...], params: dict[str, Any]
) -> Row | None:
    rows = await db.run_script(user_id, script, params)
    return rows[0] if rows else None


def list_query(query: TaskListQuery) -> tuple[Select[Any], dict[str, Any]]:
    """The list's statement for `query`, and its parameters but the caller (bench/ shows
    its plans)."""
    shape, params = _filtering(query, query.completed)
    own_descending = _SORTS[query.sort][1]
    descending = own_descending if query.order is None else query.order == "desc"
    statement = _list_statement(shape, query.sort, descending)
    return statement, {**params, "limit": query.limit, "offset": query.offset}


def count_query(filters: TaskFilter) -> tuple[Select[Any], dict[str, Any]]:
    """The counts' statement for `filters`, and its parameters but the caller."""
    shape, params = _filtering(filters, None)
    return _counts_statement(shape), params


async def list_tasks(db: Database, user_id: str, query: TaskListQuery) -> list[Row]:
    return await db.run(user_id, *list_query(query))


async def count_tasks(db: Database, user_id: str, filters: TaskFilter) -> TaskCounts:
    (row,) = await db.run(user_id, *count_query(filters))
    total, done = row["total"], row["done"]
    return TaskCounts(all=total, active=total - done, completed=done)


async def complete_tasks(
    db: Database, user_id: str, filters: TaskStateFilter, completed: bool
) -> int:
    """Sets `completed` on every matching task in one statement; how many changed."""
    shape, params = _filtering(filters, filters.completed)
    now = datetime.now(UTC)
    params.update(new_completed=completed, new_completed_at=now if completed else None, now=now)
    return len(await db.run_script(user_id, _complete_matching(shape), params))


async def delete_completed_tasks(db: Database, user_id: str, filters: TaskFilter) -> int:
    """Deletes every matching completed task in one statement; how many."""
    shape, params = _filtering(filters, True)
    return len(await db.run_script(user_id, _delete_matching(shape), params))


async def get_task(db: Database, user_id: str, task_id: int) -> Row | None:
    rows = await db.run(user_id, _GET, {"task_id": task_id})
    return rows[0] if rows else None


@dataclass(frozen=True, slots=True)
class Creation:
    """What a POST /tasks did: created the task, or found the one its Idempotency-Key
    created before (`task` None when that task has been deleted since)."""

    task: Row | None
    created: bool


class IdempotencyKeyReused(Exception):
    """The Idempotency-Key was used, within its window, for a different request body."""


def _fingerprint(data: TaskCreate) -> str:
    """The request body as the API read it: the same task asked for with other spacing, key
    order or defaults spelled out is the same request."""
    body = orjson.dumps(data.model_dump(mode="json"), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(body).hexdigest()


def _new_values(values: dict[str, Any]) -> dict[str, Any]:
    """A request's fields as the statements bind them: `new_<column>`, the priority as its
    rank."""
    if "priority" in values:
        values["priority"] = PRIORITIES.index(values["priority"])
    return {f"new_{name}": value for name, value in values.items()}


async def create_task(
    db: Database, user_id: str, data: TaskCreate, quotas: Quotas, key: str | None = None
) -> Creation:
    now = datetime.now(UTC)
    params = _new_values(data.model_dump())
    params.update(new_search_text=search_text(data.title, data.description), now=now)
    params.update(quotas.params())
    if data.tags:
        params["tag_names"] = _json(data.tags)
    if key is None:
        script = _CREATE_TAGGED if data.tags else _CREATE
        rows = await db.run_script(user_id, script, params)
        if not rows:
            raise QuotaExceeded
        return Creation(rows[0], created=True)
    fingerprint = _fingerprint(data)
    params.update(
        idempotency_key=key, new_fingerprint=fingerprint, expired_before=now - IDEMPOTENCY_WINDOW
    )
    conflict: Exception | None = None
    try:
        rows = await db.run_script(
            user_id, _CREATE_KEYED_TAGGED if data.tags else _CREATE_KEYED, params
        )
    except UNIQUE_VIOLATION as error:
        conflict = error
    else:
        if rows:
            return Creation(rows[0], created=True)
    # The key was used already, or there was no room (which a retry of the create that
    # filled the quota must not be told): the key's first task, if any.
    found_rows = await db.run(user_id, _KEYED_TASK, params)
    if not found_rows:
        if conflict is not None:
            raise conflict  # not the key after all
        raise QuotaExceeded
    found = found_rows[0]
    if found.pop("fingerprint") != fingerprint:
        raise IdempotencyKeyReused
    return Creation(found if found["id"] is not None else None, created=False)


async def update_task(
    db: Database, user_id: str, task_id: int, changes: TaskUpdate, quotas: Quotas
) -> Row | None:
    values = changes.model_dump(exclude_unset=True)
    text_changed = "title" in values or "description" in values
    if text_changed:
        # Folding needs the whole text, which a change of one field does not send: cleared
        # here (searched as written meanwhile: app/db/portable.py), folded again below.
        values["search_text"] = None
    params = _new_values(values)
    params.update(task_id=task_id, now=datetime.now(UTC))
    if changes.tags is None:
        row = await _one(db, user_id, _update(frozenset(values)), params)
    else:
        script = _update_tagged(frozenset(values))
        params.update(tag_names=_json(changes.tags), **quotas.params())
        rows = await db.run_script(user_id, script, params)
        if not rows:
            if await get_task(db, user_id, task_id) is not None:
                raise QuotaExceeded  # the task is there: there was no room for its tags
            return None
        row = rows[0]
    if row is not None and text_changed:
        await _fold_again(db, user_id, row)
    return row


_SEEN_TITLE = bindparam("seen_title", type_=task.c.title.type)
_SEEN_DESCRIPTION = bindparam("seen_description", type_=task.c.description.type)
# The folded text of the task as it was read, unless it has changed again since.
_FOLD_AGAIN = _writing(
    update(task)
    .where(
        _OWNED,
        _THIS_TASK,
        task.c.title == _SEEN_TITLE,
        task.c.description.is_not_distinct_from(_SEEN_DESCRIPTION),
    )
    .values(search_text=bindparam("new_search_text", type_=task.c.search_text.type))
    .returning(task.c.id)
)


async def _fold_again(db: Database, user_id: str, row: Row) -> None:
    title, description = row["title"], row["description"]
    params = {
        "task_id": row["id"],
        "seen_title": title,
        "seen_description": description,
        "new_search_text": search_text(title, description),
    }
    await db.run_script(user_id, _FOLD_AGAIN, params)


async def delete_task(db: Database, user_id: str, task_id: int) -> bool:
    return await _one(db, user_id, _DELETE, {"task_id": task_id}) is not None


async def list_tags(db: Database, user_id: str) -> list[Row]:
    return await db.run(user_id, _TAGS)


async def delete_user_data(db: Database, user_id: str) -> None:
    """Deletes everything the caller owns, every table in one transaction."""
    await db.run_script(user_id, FORGET_USER)
