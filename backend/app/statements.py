"""The task and tag queries. Every statement is filtered by the caller's user id, on every
table it reads.

Statements are built once, with bound parameters: each database then reuses its compiled
(and on PostgreSQL, prepared) form on every request. The list's filters combine freely, so its
statements are built once per combination of the filters in use (a `_Shape`: at most 216, times
3 levels (top-level, any, one parent's subtasks) and 3 list filters, times 10 orders for the
list) and cached; a connection only prepares the ones it is asked for. List parameters (tags,
priorities, search words) travel as one JSON array each, so their number does not change the
statement.

Tasks have subtasks (one level), lists, repeats and a manual order (issue 20): every write that
touches more than one row (a completion with its subtasks, a repeating task's completed copy and
next occurrence, a deletion with its subtasks) is one script, one transaction.
"""

import hashlib
from collections.abc import Iterable
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
    func,
    insert,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    union,
    union_all,
    update,
)

# Also compiles for SQLite, which spells ON CONFLICT the same way (the SQLite suite runs it).
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.sql.dml import ReturningUpdate

from app import recurrence
from app.core.folding import fold, search_text
from app.db import CALLER, CHECK_VIOLATION, UNIQUE_VIOLATION, Database, Row
from app.db.portable import (
    any_of,
    candidate_of,
    count_pair,
    deleting_user,
    folded,
    folded_match,
    json_array_items,
    member_of,
    writing_as_user,
)
from app.models import (
    INBOX,
    PRIORITIES,
    TaskCounts,
    TaskCreate,
    TaskFilter,
    TaskListQuery,
    TaskPublic,
    TaskSort,
    TaskStateFilter,
    TaskUpdate,
    change,
    idempotency_key,
    tag,
    task,
    task_list,
    task_tag,
)

# How long an Idempotency-Key holds: a retry within it gets the task the key created.
IDEMPOTENCY_WINDOW = timedelta(hours=24)

_CALLER = bindparam(CALLER, type_=task.c.user_id.type)
CALLER_PARAM = _CALLER
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
PRIORITY_NAME = _PRIORITY_NAME
# A top-level task's subtasks, counted in the statement that reads the task (one subquery per
# row of the page, through the (user_id, parent_id, ...) index, both counts in one value: two
# subqueries cost PostgreSQL twice the CPU, bench/README.md): null on a subtask.
_subtask = task.alias("subtask")
_OWN_SUBTASKS = and_(_subtask.c.user_id == _CALLER, _subtask.c.parent_id == task.c.id)
_SUBTASK_COUNTS = (
    select(count_pair(func.count(), func.count().filter(_subtask.c.completed)))
    .where(_OWN_SUBTASKS)
    .correlate(task)
    .scalar_subquery()
)

# What the API returns: TaskPublic's fields, each its column (the priority as its name), the
# subtask counts computed.
_PUBLIC = (
    *(
        _PRIORITY_NAME if name == "priority" else task.c[name]
        for name in TaskPublic.model_fields
        if name != "subtasks"
    ),
    case((task.c.parent_id.is_(None), _SUBTASK_COUNTS), else_=null()).label("subtask_counts"),
)


# The caller's subtasks' ids, from the (user_id, parent_id, ...) index alone.
_SUBTASK_IDS = (
    select(_subtask.c.id)
    .where(_subtask.c.user_id == _CALLER, _subtask.c.parent_id.is_not(None))
    .scalar_subquery()
)


def shown(rows: list[Row]) -> list[Row]:
    """The rows as the API shows them: the subtask counts as one `subtasks` object."""
    for row in rows:
        counts = row.pop("subtask_counts")
        row["subtasks"] = None if counts is None else {"total": counts[0], "completed": counts[1]}
    return rows


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


def one_of_ids(expr: ColumnElement[Any]) -> ColumnElement[bool]:
    """`expr` is one of the ids bound by `ids_param`."""
    return _listed(expr, "ids", expr.type)


def ids_param(ids: Iterable[int]) -> dict[str, Any]:
    return {"ids": _json(sorted(ids))}


@dataclass(frozen=True, slots=True)
class _Shape:
    """Which of the list's filters a request uses; one statement per shape."""

    completed: bool | None = None
    words: Literal[0, 1, 2] = 0  # none, one, several
    priorities: bool = False
    tags: Literal[0, 1, 2] = 0  # none, one, several
    dated: bool = False  # due_from, due_to or has_due=true
    undated: bool = False  # has_due=false
    # Top-level tasks (the default), any (a search: subtasks too) or one task's subtasks.
    level: Literal["top", "any", "subtasks"] = "top"
    listed: Literal[None, "inbox", "list"] = None


def _conditions(shape: _Shape) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if shape.level == "top" and not shape.tags:
        conditions.append(task.c.parent_id.is_(None))
    elif shape.level == "subtasks":
        conditions.append(task.c.parent_id == bindparam("parent", type_=task.c.parent_id.type))
    if shape.listed == "inbox":
        conditions.append(task.c.list_id.is_(None))
    elif shape.listed == "list":
        conditions.append(task.c.list_id == bindparam("list", type_=task.c.list_id.type))
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
        if shape.level == "top":
            # Top-level tasks: the tagged set leaves the subtasks out, so that the list's walk
            # of its index reads no row to tell.
            links = links.where(not_(member_of(task_tag.c.task_id, _SUBTASK_IDS)))
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


def _filtering(
    filters: TaskFilter, completed: bool | None, parent: int | None = None, search_any: bool = False
) -> tuple[_Shape, dict[str, Any]]:
    """The shape of the filters and the parameters its statement takes: top-level tasks, or
    `parent`'s subtasks, or with `search_any` and a search, any task."""
    params: dict[str, Any] = {}
    if parent is not None:
        params["parent"] = parent
    if isinstance(filters.list, int):
        params["list"] = filters.list
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
        level="subtasks" if parent is not None else "any" if search_any and words else "top",
        listed=None if filters.list is None else "inbox" if filters.list == INBOX else "list",
    )
    return shape, params


# Each sort's key and its own direction (True: descending). The other direction reverses the
# whole order, the id tie-break included, so one index serves both.
_SORTS: dict[TaskSort, tuple[ColumnElement[Any], bool]] = {
    "created": (task.c.created_at, True),
    "due": (task.c.due_date, False),
    "priority": (task.c.priority, True),
    "title": (folded(task.c.title), False),
    "manual": (task.c.position, False),
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
    # Counts are of top-level tasks: the caller's subtasks (few, from an index) are left out.
    links = select(task_tag.c.task_id).where(
        task_tag.c.user_id == _CALLER, not_(member_of(task_tag.c.task_id, _SUBTASK_IDS))
    )
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


# Every task of a parent goes with it, and completes with it: each write of tasks by filter
# handles the matching top-level tasks' subtasks in the same script (the parent's condition
# again, as a subquery), before the parents themselves.
def _subtasks_of(parents: Select[Any]) -> ColumnElement[bool]:
    return and_(
        _OWNED,
        task.c.parent_id.is_not(None),
        member_of(task.c.parent_id, parents.scalar_subquery()),
    )


_parent = task.alias("parent")


@cache
def _complete_matching(shape: _Shape, completing: bool) -> tuple[Executable, ...]:
    """Bulk completion: only rows whose state changes are touched (and counted). Repeating
    tasks are completed one by one (complete_tasks), not here."""
    new_completed = bindparam("new_completed", type_=Boolean)
    changed = [_OWNED, *_conditions(shape), task.c.completed != new_completed]
    if completing:
        changed.append(task.c.repeat.is_(None))
    values = {
        "completed": new_completed,
        "completed_at": bindparam("new_completed_at", type_=task.c.completed_at.type),
        "updated_at": bindparam("now"),
    }
    tasks = update(task).where(*changed).values(**values).returning(task.c.id)
    if not completing:
        return _writing(tasks)
    subtasks = (
        update(task)
        .where(_subtasks_of(select(task.c.id).where(*changed)), not_(task.c.completed))
        .values(**values)
    )
    return _writing(subtasks, tasks)


@cache
def _delete_matching(shape: _Shape) -> tuple[Executable, ...]:
    # Their task_tag rows go by cascade (a trigger on SQLite), tag counts by trigger.
    matching = select(task.c.id).where(_OWNED, *_conditions(shape))
    return _writing(
        delete(task).where(_subtasks_of(matching)),
        delete(task).where(_OWNED, *_conditions(shape)).returning(task.c.id),
    )


_GET = select(*_PUBLIC).where(_OWNED, _THIS_TASK)
_found_task = task.alias("found_task")

_NEW_LIST = bindparam("new_list_id", type_=task.c.list_id.type)
_NEW_PARENT = bindparam("new_parent_id", type_=task.c.parent_id.type)
# The list named, if it is the caller's, locked against its deletion until the write commits
# (FOR KEY SHARE: other writers of the list are not held up). A deletion that came first has
# moved or deleted its tasks already, and this finds no list.
_OWN_LIST = (
    select(task_list.c.id)
    .where(task_list.c.user_id == _CALLER, task_list.c.id == _NEW_LIST)
    .with_for_update(read=True, key_share=True)
)
# The new last position among the caller's top-level tasks: last in whichever list (an index
# walk from the end of (user_id, parent_id, position, id)).
_last_top = task.alias("last_top")
_AFTER_LAST_TOP = (
    select(func.coalesce(func.max(_last_top.c.position), 0) + 1)
    .where(_last_top.c.user_id == _CALLER, _last_top.c.parent_id.is_(None))
    .scalar_subquery()
)
_sibling = task.alias("sibling")
_AFTER_LAST_SUBTASK = (
    select(func.coalesce(func.max(_sibling.c.position), 0) + 1)
    .where(_sibling.c.user_id == _CALLER, _sibling.c.parent_id == _NEW_PARENT)
    .scalar_subquery()
)


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

# Where a task goes is placed by _new_row (the list, or the parent and its list).
_PLACED = ("list_id", "parent_id")
# The new task's values, selected (not inserted as VALUES) so that the room for it is checked
# in the same statement. Bound names differ from column names, which SQLAlchemy keeps for
# itself in INSERT and UPDATE; every other field of TaskCreate is a column of its own name
# (_new_values binds them).
_NEW_VALUES: dict[str, Any] = {
    "user_id": _CALLER,
    **{
        name: bindparam(f"new_{name}", type_=task.c[name].type)
        for name in TaskCreate.model_fields
        if name not in _PLACED
    },
    "search_text": bindparam("new_search_text", type_=task.c.search_text.type),
    "completed": literal(False),
    "created_at": bindparam("now", type_=task.c.created_at.type),
    "updated_at": bindparam("now", type_=task.c.updated_at.type),
}
Placement = Literal["inbox", "list", "subtask"]


@cache
def _new_row(placement: Placement, tagged: bool, keyed: bool) -> Any:
    """The INSERT of a new task: in the Inbox, in a list of the caller's, or as a subtask of a
    top-level task of the caller's (in its list); it inserts nothing when the list or the parent
    is not the caller's, or when the caller has no room for it (its tags, its key)."""
    room = [_has_room(task, "task_room")]
    if tagged:
        room.append(_HAS_ROOM_FOR_TAGS)
    if keyed:
        room.append(_has_room(idempotency_key, "key_room"))
    if placement == "inbox":
        columns = [*_NEW_VALUES, "position"]
        source = select(*_NEW_VALUES.values(), _AFTER_LAST_TOP).where(*room)
        return insert(task).from_select(columns, source)
    if placement == "list":
        columns = [*_NEW_VALUES, "list_id", "position"]
        lists = _OWN_LIST.subquery()
        source = select(*_NEW_VALUES.values(), lists.c.id, _AFTER_LAST_TOP).where(*room)
        return insert(task).from_select(columns, source)
    # FOR KEY SHARE on the parent: a concurrent deletion of it waits, then deletes this too.
    parent = (
        select(_parent.c.id, _parent.c.list_id)
        .where(
            _parent.c.user_id == _CALLER, _parent.c.id == _NEW_PARENT, _parent.c.parent_id.is_(None)
        )
        .with_for_update(read=True, key_share=True)
        .subquery()
    )
    columns = [*_NEW_VALUES, "parent_id", "list_id", "position"]
    source = select(
        *_NEW_VALUES.values(), parent.c.id, parent.c.list_id, _AFTER_LAST_SUBTASK
    ).where(*room)
    return insert(task).from_select(columns, source)


@cache
def _creation(placement: Placement, tagged: bool, keyed: bool) -> tuple[Executable, ...]:
    new_row = _new_row(placement, tagged, keyed)
    # The row is read back by _GET: a RETURNING cannot count the subtasks (no correlation).
    steps: list[Executable] = [new_row.returning(task.c.id.label("task_id"))]
    if keyed:
        steps = [_FORGET_EXPIRED_KEYS, *steps, _KEEP_KEY]
    if tagged:
        steps += [_ENSURE_TAGS, _LINK_TAGS]
    return _writing(*steps, _GET)


_DELETE = _writing(
    delete(task).where(_OWNED, task.c.parent_id == _TASK_ID),
    delete(task).where(_OWNED, _THIS_TASK).returning(task.c.id),
)

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

# Creation under an Idempotency-Key: the same scripts, first forgetting the caller's expired
# keys (so that an expired key can be used again, and old keys do not pile up), and keeping
# the key with the new task's id. A live key already there makes that insert fail, and the
# whole transaction with it: no task is created, and the key's first task is looked up.
_KEY = bindparam("idempotency_key", type_=idempotency_key.c.key.type)
_EXPIRED_BEFORE = bindparam("expired_before", type_=idempotency_key.c.created_at.type)
_FORGET_EXPIRED_KEYS = delete(idempotency_key).where(
    idempotency_key.c.user_id == _CALLER, idempotency_key.c.created_at < _EXPIRED_BEFORE
)
# (Nothing is kept when no task was created: its list or parent was not the caller's, or
# there was no room for it.)
_KEEP_KEY = insert(idempotency_key).from_select(
    ["user_id", "key", "fingerprint", "task_id", "created_at"],
    select(
        _CALLER, _KEY, bindparam("new_fingerprint", type_=String), _TASK_ID, bindparam("now")
    ).where(_TASK_ID.is_not(None)),
)
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
# in this order. A new per-user table (it must have a `user_id` column) goes here. The change
# feed goes last: deleting the tasks and lists records their deletions there.
USER_TABLES = (task_tag, idempotency_key, tag, task, task_list, change)


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


class TaskInvalid(Exception):
    """A write that breaks a rule only the stored data can tell; `field` names the part of
    the body at fault (a 422)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


_NOW = bindparam("now", type_=task.c.updated_at.type)
_COMPLETE_SUBTASKS = (
    update(task)
    .where(_OWNED, task.c.parent_id == _TASK_ID, not_(task.c.completed))
    .values(completed=True, completed_at=_NOW, updated_at=_NOW)
)
_REOPEN_SUBTASKS = (
    update(task)
    .where(_OWNED, task.c.parent_id == _TASK_ID, task.c.completed)
    .values(completed=False, completed_at=null(), updated_at=_NOW)
)
# An open subtask (un-completed, or moved under a parent) of a completed parent re-opens the
# parent.
_REOPEN_PARENT = (
    update(task)
    .where(
        _OWNED,
        task.c.completed,
        task.c.id
        == select(_found_task.c.parent_id)
        .where(
            _found_task.c.user_id == _CALLER,
            _found_task.c.id == _TASK_ID,
            not_(_found_task.c.completed),
        )
        .scalar_subquery(),
    )
    .values(completed=False, completed_at=null(), updated_at=_NOW)
)
# A subtask lives in its parent's list.
_SUBTASKS_FOLLOW = (
    update(task)
    .where(_OWNED, task.c.parent_id == _TASK_ID)
    .values(list_id=_NEW_LIST, updated_at=_NOW)
)


# The new parent, if it is a top-level task of the caller's (and not the task itself), locked
# against its deletion and its own move under a parent until the write commits.
_PARENT_LIST = select(_parent.c.list_id).where(
    _parent.c.user_id == _CALLER, _parent.c.id == _NEW_PARENT
)
_NEW_PARENT_OK = exists(
    _PARENT_LIST.where(_parent.c.parent_id.is_(None), _parent.c.id != task.c.id).with_for_update(
        read=True, key_share=True
    )
)
# A task about to be moved under a parent is locked first: a subtask created under it
# meanwhile (which holds it FOR KEY SHARE) commits before the move checks it has none, in a
# statement of its own (a fresh snapshot), or waits and then finds it is no top-level task.
# (Not named as a column: SQLite's scripts feed every returned column to the later steps.)
_LOCK_TASK = select(task.c.id.label("locked")).where(_OWNED, _THIS_TASK).with_for_update()


@cache
def _update_row(fields: frozenset[str], completing: bool | None) -> Update:
    """The UPDATE for one set of changed columns (built once each). It changes nothing when a
    rule needs the stored row to tell why (update_task): a repeating task to complete, a list
    that is not the caller's, a subtask moved to a list."""
    changes: dict[str, Any] = {
        name: bindparam(f"new_{name}", type_=task.c[name].type) for name in fields
    }
    guards: list[ColumnElement[bool]] = [_OWNED, _THIS_TASK]
    if "completed" in fields:
        # Set when the task becomes completed (kept if it already was), cleared when it is not.
        changes["completed_at"] = case(
            (
                bindparam("new_completed", type_=Boolean),
                case((task.c.completed, task.c.completed_at), else_=_NOW),
            ),
            else_=null(),
        )
        if completing:
            guards.append(or_(task.c.repeat.is_(None), task.c.completed))
    if "due_date" in fields:
        # A task whose date is cleared keeps no time and no repeat (both need a date).
        dated = bindparam("new_due_date", type_=Date).is_not(None)
        for name in {"due_time", "repeat"} - fields:
            changes[name] = case((dated, task.c[name]), else_=null())
    if "parent_id" in fields:
        # Last among its new siblings (the subtasks of its parent, or the top-level tasks), in
        # its parent's list; the same parent again leaves it where it is.
        changes["position"] = case(
            (task.c.parent_id.is_not_distinct_from(_NEW_PARENT), task.c.position),
            (_NEW_PARENT.is_(None), _AFTER_LAST_TOP),
            else_=_AFTER_LAST_SUBTASK,
        )
        if "list_id" not in fields:
            changes["list_id"] = case(
                (_NEW_PARENT.is_(None), task.c.list_id), else_=_PARENT_LIST.scalar_subquery()
            )
        no_subtasks = ~exists().where(_OWN_SUBTASKS)
        guards.append(or_(_NEW_PARENT.is_(None), and_(no_subtasks, _NEW_PARENT_OK)))
    if "list_id" in fields:
        changes["position"] = _AFTER_LAST_TOP
        # A subtask is in its parent's list, unless it is made a top-level task by this change.
        guards.append(
            _NEW_PARENT.is_(None) if "parent_id" in fields else task.c.parent_id.is_(None)
        )
        guards.append(or_(_NEW_LIST.is_(None), _OWN_LIST.exists()))
    return update(task).where(*guards).values(**changes, updated_at=_NOW)


@cache
def _update_script(
    fields: frozenset[str], completing: bool | None, tagged: bool
) -> tuple[Executable, ...]:
    row = _update_row(fields, completing)
    lock: list[Executable] = [_LOCK_TASK] if "parent_id" in fields else []
    follow: list[Executable] = []
    if completing is True:
        follow.append(_COMPLETE_SUBTASKS)
    elif completing is False or "parent_id" in fields:
        # An open subtask under a completed parent re-opens it (re-opened or moved there).
        follow.append(_REOPEN_PARENT)
    if "list_id" in fields:
        follow.append(_SUBTASKS_FOLLOW)
    if tagged:
        # Only with room for the tags; else nothing, and the steps after it find no task.
        row = row.where(_HAS_ROOM_FOR_TAGS)
        follow += [_ENSURE_TAGS, _UNLINK_OTHER_TAGS, _LINK_TAGS]
    # When the UPDATE changes nothing, task_id is null for the steps after it.
    return _writing(*lock, row.returning(task.c.id.label("task_id")), *follow, _GET)


# Completing an occurrence of a repeating task, in one transaction (from the row as read,
# `seen` its updated_at: a concurrent change makes the script do nothing, and it is retried):
# 1. the task moves to its next occurrence;
_SEEN = bindparam("seen", type_=task.c.updated_at.type)
_UNCHANGED = and_(_OWNED, _THIS_TASK, task.c.updated_at == _SEEN, not_(task.c.completed))
_MOVE_TO_NEXT = (
    update(task)
    .where(_UNCHANGED)
    .values(
        due_date=bindparam("next_due", type_=Date),
        repeat_done=task.c.repeat_done + 1,
        updated_at=_NOW,
    )
    .returning(task.c.id.label("task_id"))
)
# 2. a completed copy keeps the occurrence done (its tags linked as the original's are);
_COPIED = (
    "title",
    "description",
    "search_text",
    "priority",
    "due_time",
    "tags",
    "list_id",
    "parent_id",
    "position",
)
_KEEP_DONE_COPY = (
    insert(task)
    .from_select(
        [
            "user_id",
            *_COPIED,
            "due_date",
            "completed",
            "completed_at",
            "created_at",
            "updated_at",
            "repeat_of",
        ],
        select(
            task.c.user_id,
            *(task.c[name] for name in _COPIED),
            bindparam("done_due", type_=Date),
            literal(True),
            _NOW,
            _NOW,
            _NOW,
            task.c.id,
        ).where(_OWNED, _THIS_TASK),
    )
    .returning(task.c.id.label("copy_id"))
)
_LINK_COPY_TAGS = insert(task_tag).from_select(
    ["task_id", "tag_id", "user_id"],
    select(bindparam("copy_id", type_=task.c.id.type), task_tag.c.tag_id, _CALLER).where(
        task_tag.c.user_id == _CALLER, task_tag.c.task_id == _TASK_ID
    ),
)
# 3. its completed subtasks are open again for the next occurrence.
_NEXT_OCCURRENCE = _writing(_MOVE_TO_NEXT, _KEEP_DONE_COPY, _LINK_COPY_TAGS, _REOPEN_SUBTASKS, _GET)
# When the rule is used up (COUNT, UNTIL) the task just completes.
_FINISH_REPEATING = _writing(
    update(task)
    .where(_UNCHANGED)
    .values(completed=True, completed_at=_NOW, repeat_done=task.c.repeat_done + 1, updated_at=_NOW)
    .returning(task.c.id.label("task_id")),
    _COMPLETE_SUBTASKS,
    _GET,
)
# What a write that found nothing to do needs to tell why, and a repeat or a move needs to
# know: the task as stored.
_STATE_COLUMNS = (
    task.c.id,
    task.c.completed,
    task.c.due_date,
    task.c.repeat,
    task.c.repeat_from,
    task.c.repeat_done,
    task.c.list_id,
    task.c.parent_id,
    task.c.position,
    task.c.updated_at,
)
_STATE = select(*_STATE_COLUMNS).where(_OWNED, _THIS_TASK)
_IS_OWN_LIST = select(task_list.c.id).where(
    task_list.c.user_id == _CALLER, task_list.c.id == _NEW_LIST
)


@cache
def _repeating_matching(shape: _Shape) -> Select[Any]:
    """The active repeating tasks matching, locked until the bulk completion commits: they
    cannot change between this read and their completion."""
    return (
        select(*_STATE_COLUMNS)
        .where(_OWNED, *_conditions(shape), not_(task.c.completed), task.c.repeat.is_not(None))
        .with_for_update(of=task)
    )


# The manual order. A task's scope: the Inbox's or a list's top-level tasks, or a parent's
# subtasks.
Scope = Literal["inbox", "list", "subtasks"]
_SCOPE_LIST = bindparam("scope_list", type_=task.c.list_id.type)
_SCOPE_PARENT = bindparam("scope_parent", type_=task.c.parent_id.type)
_IN_SCOPE: dict[Scope, ColumnElement[bool]] = {
    "inbox": and_(task.c.parent_id.is_(None), task.c.list_id.is_(None)),
    "list": and_(task.c.parent_id.is_(None), task.c.list_id == _SCOPE_LIST),
    "subtasks": task.c.parent_id == _SCOPE_PARENT,
}
_MANUAL = (task.c.position, task.c.id)
_ANCHOR_POSITION = bindparam("anchor_position", type_=task.c.position.type)
_ANCHOR = bindparam("anchor", type_=task.c.id.type)


@cache
def _neighbour(scope: Scope, first: bool) -> Select[Any]:
    """The position of the first task of the scope (first) or of the one after the anchor,
    the moved task left out."""
    found = select(task.c.position).where(_OWNED, _IN_SCOPE[scope], task.c.id != _TASK_ID)
    if not first:
        found = found.where(
            or_(
                task.c.position > _ANCHOR_POSITION,
                and_(task.c.position == _ANCHOR_POSITION, task.c.id > _ANCHOR),
            )
        )
    return found.order_by(*_MANUAL).limit(1)


@cache
def _renumber(scope: Scope) -> ReturningUpdate[Any]:
    """1, 2, 3... in the scope's order: only when a gap between two neighbours is used up."""
    numbered = (
        select(task.c.id, func.row_number().over(order_by=_MANUAL).label("n"))
        .where(_OWNED, _IN_SCOPE[scope])
        .subquery()
    )
    return (
        update(task)
        .where(_OWNED, task.c.id == numbered.c.id)
        .values(position=cast(numbered.c.n, task.c.position.type))
        .returning(task.c.id)
    )


_SET_POSITION = _writing(
    update(task)
    .where(_OWNED, _THIS_TASK)
    .values(position=bindparam("new_position", type_=task.c.position.type), updated_at=_NOW)
    .returning(task.c.id.label("task_id")),
    _GET,
)


async def _one(db: Database, user_id: str, statement: Any, params: dict[str, Any]) -> Row | None:
    rows = await db.run(user_id, statement, params)
    return rows[0] if rows else None


def list_query(query: TaskListQuery) -> tuple[Select[Any], dict[str, Any]]:
    """The list's statement for `query`, and its parameters but the caller (bench/ shows
    its plans)."""
    shape, params = _filtering(query, query.completed, query.parent, search_any=True)
    # A parent's subtasks come in manual order unless another is asked for.
    explicit = query.parent is None or "sort" in query.model_fields_set
    sort = query.sort if explicit else "manual"
    own_descending = _SORTS[sort][1]
    descending = own_descending if query.order is None else query.order == "desc"
    statement = _list_statement(shape, sort, descending)
    return statement, {**params, "limit": query.limit, "offset": query.offset}


def count_query(filters: TaskFilter) -> tuple[Select[Any], dict[str, Any]]:
    """The counts' statement for `filters`, and its parameters but the caller."""
    shape, params = _filtering(filters, None)
    return _counts_statement(shape), params


async def list_tasks(db: Database, user_id: str, query: TaskListQuery) -> list[Row]:
    return shown(await db.run(user_id, *list_query(query)))


async def count_tasks(db: Database, user_id: str, filters: TaskFilter) -> TaskCounts:
    (row,) = await db.run(user_id, *count_query(filters))
    total, done = row["total"], row["done"]
    return TaskCounts(all=total, active=total - done, completed=done)


def _today() -> date:
    return datetime.now(UTC).date()


async def complete_tasks(
    db: Database,
    user_id: str,
    filters: TaskStateFilter,
    completed: bool,
    completed_on: date | None = None,
) -> int:
    """Sets `completed` on every matching top-level task (and completes their subtasks);
    how many changed. The plain ones change in one statement; a completion that may meet
    repeating tasks moves each to its next occurrence in the same transaction: all or
    nothing."""
    shape, params = _filtering(filters, filters.completed)
    now = datetime.now(UTC)
    params.update(new_completed=completed, new_completed_at=now if completed else None, now=now)
    script = _complete_matching(shape, completed)
    if not completed or shape.completed is True:
        return len(await db.run_script(user_id, script, params))
    async with db.transaction(user_id) as tx:
        # The plain tasks first: the transaction's first statement is a write (see
        # SqliteDatabase.run_script), and it takes the caller's lock (_writing).
        updated = len(await tx.run_script(script, params))
        for state in await tx.run(_repeating_matching(shape), params):
            updated += bool(await tx.run_script(*_occurrence(state, completed_on)))
    return updated


async def delete_completed_tasks(db: Database, user_id: str, filters: TaskFilter) -> int:
    """Deletes every matching completed top-level task, with its subtasks, in one
    transaction; how many top-level tasks."""
    shape, params = _filtering(filters, True)
    return len(await db.run_script(user_id, _delete_matching(shape), params))


# The tasks of these ids (the change feed's rows: app/changes.py).
_TASKS_BY_ID = select(*_PUBLIC).where(_OWNED, one_of_ids(task.c.id))


async def get_tasks(db: Database, user_id: str, ids: Iterable[int]) -> list[Row]:
    return shown(await db.run(user_id, _TASKS_BY_ID, ids_param(ids)))


async def get_task(db: Database, user_id: str, task_id: int) -> Row | None:
    rows = await db.run(user_id, _GET, {"task_id": task_id})
    return shown(rows)[0] if rows else None


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


def _placement(data: TaskCreate) -> Placement:
    # A subtask lives in its parent's list, whatever list_id says.
    return "subtask" if data.parent_id else "list" if data.list_id else "inbox"


async def _not_created(db: Database, user_id: str, data: TaskCreate) -> Exception:
    """Why a create wrote nothing: its list or parent is not the caller's, or no room."""
    if data.parent_id:
        parent = await _state(db, user_id, data.parent_id)
        if parent is None or parent["parent_id"] is not None:
            return TaskInvalid("parent_id", "must be a top-level task of yours")
    elif data.list_id and not await _is_own_list(db, user_id, data.list_id):
        return TaskInvalid("list_id", "must be one of your lists")
    return QuotaExceeded()


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
    params.update(
        new_search_text=search_text(data.title, data.description),
        task_id=None,
        now=now,
        **quotas.params(),
    )
    if data.tags:
        params["tag_names"] = _json(data.tags)
    placement = _placement(data)
    if key is None:
        rows = await db.run_script(user_id, _creation(placement, bool(data.tags), False), params)
        if not rows:
            raise await _not_created(db, user_id, data)
        return Creation(shown(rows)[0], created=True)
    fingerprint = _fingerprint(data)
    params.update(
        idempotency_key=key, new_fingerprint=fingerprint, expired_before=now - IDEMPOTENCY_WINDOW
    )
    conflict: Exception | None = None
    try:
        rows = await db.run_script(user_id, _creation(placement, bool(data.tags), True), params)
    except UNIQUE_VIOLATION as error:
        conflict = error
    else:
        if rows:
            return Creation(shown(rows)[0], created=True)
    # The key was used already, or nothing was written (which a retry of the create that
    # filled the quota must not be told): the key's first task, if any.
    found_rows = await db.run(user_id, _KEYED_TASK, params)
    if not found_rows:
        if conflict is not None:
            raise conflict  # not the key after all
        raise await _not_created(db, user_id, data)
    found = found_rows[0]
    if found.pop("fingerprint") != fingerprint:
        raise IdempotencyKeyReused
    return Creation(shown([found])[0] if found["id"] is not None else None, created=False)


async def _state(db: Database, user_id: str, task_id: int) -> Row | None:
    return await _one(db, user_id, _STATE, {"task_id": task_id})


async def update_task(
    db: Database, user_id: str, task_id: int, changes: TaskUpdate, quotas: Quotas
) -> Row | None:
    values = changes.model_dump(exclude_unset=True)
    completed_on: date | None = values.pop("completed_on", None)
    if values.get("repeat_from") == "completion" and "repeat" not in values:
        stored = await _state(db, user_id, task_id)
        if stored is not None and stored["repeat"] is not None:
            try:
                recurrence.check(stored["repeat"], "completion")
            except recurrence.RuleError as error:
                raise TaskInvalid("repeat_from", f"the task's repeat: {error}") from None
    rows: list[Row] = []
    if values:
        rows = await _update_fields(db, user_id, task_id, values, changes.tags, quotas)
    if rows:
        return shown(rows)[0]
    # Nothing changed: the stored row tells why.
    state = await _state(db, user_id, task_id)
    if state is None:
        return None
    if values.get("parent_id") is not None:
        await _check_new_parent(db, user_id, task_id, values["parent_id"])
    if "list_id" in values:
        parent = values["parent_id"] if "parent_id" in values else state["parent_id"]
        if parent is not None:
            raise TaskInvalid("list_id", "a subtask is in its parent's list")
        if values["list_id"] is not None and not await _is_own_list(db, user_id, values["list_id"]):
            raise TaskInvalid("list_id", "must be one of your lists")
    if values.get("completed") and state["repeat"] is not None and not state["completed"]:
        others = {name: value for name, value in values.items() if name != "completed"}
        if others:
            await _update_fields(db, user_id, task_id, others, changes.tags, quotas)
            state = await _state(db, user_id, task_id) or state
        if state["repeat"] is None:  # the same call took the repeat away: a plain completion
            rows = await _update_fields(db, user_id, task_id, {"completed": True}, None, quotas)
            return shown(rows)[0] if rows else await get_task(db, user_id, task_id)
        for _attempt in range(3):
            done = await _complete_repeating(db, user_id, state, completed_on)
            if done is not None:
                return done
            state = await _state(db, user_id, task_id) or state
    elif changes.tags is not None:
        raise QuotaExceeded  # the task is there and nothing else held it back: its tags
    return await get_task(db, user_id, task_id)


_HAS_SUBTASKS = select(task.c.id).where(_OWNED, task.c.parent_id == _TASK_ID).limit(1)


async def _check_new_parent(db: Database, user_id: str, task_id: int, parent_id: int) -> None:
    """Why a task could not move under `parent_id`."""
    parent = await _state(db, user_id, parent_id)
    if parent is None or parent["parent_id"] is not None or parent_id == task_id:
        raise TaskInvalid("parent_id", "must be another top-level task of yours")
    if await db.run(user_id, _HAS_SUBTASKS, {"task_id": task_id}):
        raise TaskInvalid("parent_id", "a task with subtasks cannot become a subtask")


async def _update_fields(
    db: Database,
    user_id: str,
    task_id: int,
    values: dict[str, Any],
    tags: list[str] | None,
    quotas: Quotas,
) -> list[Row]:
    values = dict(values)
    text_changed = "title" in values or "description" in values
    if text_changed:
        # Folding needs the whole text, which a change of one field does not send: cleared
        # here (searched as written meanwhile: app/db/portable.py), folded again below.
        values["search_text"] = None
    params = _new_values(values)
    params.update(task_id=task_id, now=datetime.now(UTC))
    if tags is not None:
        params.update(tag_names=_json(tags), **quotas.params())
    script = _update_script(frozenset(values), values.get("completed"), tags is not None)
    try:
        rows = await db.run_script(user_id, script, params)
    except CHECK_VIOLATION:
        raise TaskInvalid("due_date", "a due time or a repeat needs a due date") from None
    if rows and text_changed:
        await _fold_again(db, user_id, rows[0])
    return rows


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


async def _is_own_list(db: Database, user_id: str, list_id: int) -> bool:
    return bool(await db.run(user_id, _IS_OWN_LIST, {"new_list_id": list_id}))


async def _complete_repeating(
    db: Database, user_id: str, state: Row, completed_on: date | None
) -> Row | None:
    """Completes one occurrence of a repeating task (as read: `state`); the task as it is
    then, or None when it changed in between (read it again and retry)."""
    rows = await db.run_script(user_id, *_occurrence(state, completed_on))
    return shown(rows)[0] if rows else None


def _occurrence(
    state: Row, completed_on: date | None
) -> tuple[tuple[Executable, ...], dict[str, Any]]:
    """The script completing one occurrence of a repeating task (as read: `state`), and its
    parameters; it changes nothing when the task changed since it was read."""
    following = recurrence.next_due(
        state["repeat"],
        state["repeat_from"],
        state["due_date"],
        completed_on or _today(),
        state["repeat_done"],
    )
    params: dict[str, Any] = {
        "task_id": state["id"],
        "seen": state["updated_at"],
        "now": datetime.now(UTC),
        "next_due": following,
        "done_due": state["due_date"],
        "copy_id": None,
    }
    return (_FINISH_REPEATING if following is None else _NEXT_OCCURRENCE), params


def _scope(state: Row) -> Scope:
    if state["parent_id"] is not None:
        return "subtasks"
    return "inbox" if state["list_id"] is None else "list"


async def move_task(db: Database, user_id: str, task_id: int, after: int | None) -> Row | None:
    """Puts the task first in its list (or its parent's subtasks), or right after `after`."""
    state = await _state(db, user_id, task_id)
    if state is None:
        return None
    scope = _scope(state)
    params: dict[str, Any] = {
        "task_id": task_id,
        "scope_list": state["list_id"],
        "scope_parent": state["parent_id"],
        "now": datetime.now(UTC),
    }
    anchor = None if after is None else await _state(db, user_id, after)
    if after is not None and (
        anchor is None
        or after == task_id
        or _scope(anchor) != scope
        or (anchor["list_id"], anchor["parent_id"]) != (state["list_id"], state["parent_id"])
    ):
        raise TaskInvalid("after", "must be another task in the same list (or of the same parent)")
    for _attempt in range(2):
        position = await _position(db, user_id, scope, anchor, params)
        if position is not None:
            break
        await db.run(user_id, _renumber(scope), params)
        anchor = anchor and await _state(db, user_id, anchor["id"])
    rows = await db.run_script(user_id, _SET_POSITION, {**params, "new_position": position})
    return shown(rows)[0] if rows else None


async def _position(
    db: Database, user_id: str, scope: Scope, anchor: Row | None, params: dict[str, Any]
) -> float | None:
    """The key between the anchor (none: the start) and the next task; None when the two are
    too close for one between them (the scope is then renumbered)."""
    if anchor is None:
        first = await _one(db, user_id, _neighbour(scope, first=True), params)
        return 0.0 if first is None else float(first["position"]) - 1
    low = float(anchor["position"])
    following = await _one(
        db,
        user_id,
        _neighbour(scope, first=False),
        {**params, "anchor": anchor["id"], "anchor_position": low},
    )
    if following is None:
        return low + 1
    high = float(following["position"])
    middle = (low + high) / 2
    return middle if low < middle < high else None


async def delete_task(db: Database, user_id: str, task_id: int) -> bool:
    """Deletes the task and its subtasks, in one transaction."""
    return bool(await db.run_script(user_id, _DELETE, {"task_id": task_id}))


async def list_tags(db: Database, user_id: str) -> list[Row]:
    return await db.run(user_id, _TAGS)


async def delete_user_data(db: Database, user_id: str) -> None:
    """Deletes everything the caller owns, every table in one transaction."""
    await db.run_script(user_id, FORGET_USER)
