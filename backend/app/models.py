"""The tables (task, tag, task_tag) and the API's request/response schemas."""

import re
import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    model_validator,
)
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    false,
)

from app.db.portable import StringList

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    }
)

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
USER_ID_MAX = 255
TAG_MAX = 32
TAGS_PER_TASK = 10
SEARCH_MAX = 200

# Stored as their rank (0-3): "high first" is then a plain index order.
PRIORITIES = ("none", "low", "medium", "high")
Priority = Literal["none", "low", "medium", "high"]

_Id = BigInteger().with_variant(Integer, "sqlite")

task = Table(
    "task",
    metadata,
    Column("id", _Id, Identity(), primary_key=True),
    Column("user_id", String(USER_ID_MAX), nullable=False),
    Column("title", String(TITLE_MAX), nullable=False),
    Column("description", String(DESCRIPTION_MAX), nullable=True),
    Column("completed", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column(
        "priority",
        SmallInteger,
        CheckConstraint("priority BETWEEN 0 AND 3", name="priority"),
        nullable=False,
        server_default="0",
    ),
    Column("due_date", Date, nullable=True),
    # When the task last became completed; null while it is active (and for tasks completed
    # before this column existed).
    Column("completed_at", DateTime(timezone=True), nullable=True),
    # The task's tag names, sorted: what the API shows. task_tag holds the same set, for the tag
    # filter and the counts; every write of one writes the other in the same transaction.
    # (Gathering them from task_tag instead more than doubled the list's time in PostgreSQL.)
    Column("tags", StringList(TAG_MAX), nullable=False),
    # Every read is "this user's tasks" in one of the list's orders: an index per order, with
    # the user first, serves filter and sort at once.
    Index("ix_task_user_id_created_at_id", "user_id", "created_at", "id"),
    Index("ix_task_user_id_due_date_id", "user_id", "due_date", "id"),
    Index("ix_task_user_id_priority_id", "user_id", "priority", "id"),
    # (PostgreSQL also has (user_id, lower(title), id) for sort=title: migration 0004.)
    sqlite_autoincrement=True,
)

# A user's tags, each name once, with how many of the user's tasks carry it (kept by triggers
# on task_tag, see migration 0004; a tag whose count reaches 0 is deleted).
tag = Table(
    "tag",
    metadata,
    Column("id", _Id, Identity(), primary_key=True),
    Column("user_id", String(USER_ID_MAX), nullable=False),
    # Byte order on PostgreSQL, as on SQLite and in Python: /tags and a task's tags sort alike.
    Column(
        "name",
        String(TAG_MAX).with_variant(String(TAG_MAX, collation="C"), "postgresql"),
        nullable=False,
    ),
    Column("task_count", Integer, nullable=False, server_default="0"),
    UniqueConstraint("user_id", "name"),
)

task_tag = Table(
    "task_tag",
    metadata,
    Column("task_id", _Id, ForeignKey("task.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", _Id, ForeignKey("tag.id"), primary_key=True),
    # The owner again, for row-level security and for the tag filter's index.
    Column("user_id", String(USER_ID_MAX), nullable=False),
    Index("ix_task_tag_user_id_tag_id_task_id", "user_id", "tag_id", "task_id"),
    sqlite_with_rowid=False,
)


def _storable(text: str) -> str:
    # JSON allows "\u0000", which PostgreSQL cannot store in text. (Lone surrogates, the
    # other unstorable thing, are already refused by pydantic's str.)
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(_storable),
]
Description = Annotated[
    str, StringConstraints(max_length=DESCRIPTION_MAX), AfterValidator(_storable)
]

_TAG_TEXT = re.compile(r"[\w\- ]+")


def normalize_tag(raw: str) -> str:
    """Trimmed, lower-cased, inner whitespace collapsed to one space (and composed, so that an
    accented letter typed either way is one tag)."""
    name = unicodedata.normalize("NFC", " ".join(raw.lower().split()))
    if not name:
        raise ValueError("a tag must not be blank")
    if len(name) > TAG_MAX:
        raise ValueError(f"a tag has at most {TAG_MAX} characters")
    if not _TAG_TEXT.fullmatch(name):
        raise ValueError("a tag holds only letters, digits, spaces, '-' and '_'")
    return name


def _tag_set(names: list[str]) -> list[str]:
    unique = sorted(set(names))
    if len(unique) > TAGS_PER_TASK:
        raise ValueError(f"at most {TAGS_PER_TASK} different tags per task")
    return unique


def _iso_date(value: object) -> object:
    # pydantic would also take timestamps and datetimes for a date; the API takes a calendar
    # date, spelled one way (pydantic then refuses impossible ones, such as 2026-02-30).
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


TagName = Annotated[str, AfterValidator(normalize_tag)]
SearchText = Annotated[str, StringConstraints(max_length=SEARCH_MAX), AfterValidator(_storable)]
# Sorted, each once: the order the API returns them in.
TagSet = Annotated[list[TagName], AfterValidator(_tag_set)]
CalendarDate = Annotated[date, BeforeValidator(_iso_date)]


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None
    priority: Priority = "none"
    due_date: CalendarDate | None = None
    tags: TagSet = Field(default_factory=list)


class TaskUpdate(BaseModel):
    """Only the fields sent change; `tags` replaces the task's whole set."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    completed: StrictBool | None = None
    priority: Priority | None = None
    due_date: CalendarDate | None = None
    tags: TagSet | None = None

    @model_validator(mode="after")
    def _meaningful(self) -> "TaskUpdate":
        if not self.model_fields_set:
            raise ValueError(
                "give at least one of: title, description, completed, priority, due_date, tags"
            )
        for name in ("title", "completed", "priority", "tags"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self


class TaskPublic(BaseModel):
    """A task as the API returns it (the OpenAPI schema: responses are written from the
    database's rows directly, see app/api/responses.py)."""

    id: int
    title: str
    description: str | None
    completed: bool
    priority: Priority
    due_date: date | None
    tags: list[str] = Field(description="sorted")
    completed_at: datetime | None = Field(
        description="when the task last became completed; null while it is active"
    )
    created_at: datetime
    updated_at: datetime


class TaskCounts(BaseModel):
    all: int
    active: int
    completed: int


class TaskFilter(BaseModel):
    """The list's filters (query parameters), all combined with AND."""

    q: Annotated[
        SearchText | None,
        Field(description="every word must appear, in any case, in the title or the description"),
    ] = None
    # Tuples: pydantic copies a list default on every validation, and this is the hot path.
    priority: Annotated[tuple[Priority, ...], Field(description="any of these")] = ()
    tag: Annotated[
        tuple[TagName, ...],
        Field(max_length=TAGS_PER_TASK, description="the task has all of them"),
    ] = ()
    due_from: Annotated[CalendarDate | None, Field(description="due on or after")] = None
    due_to: Annotated[CalendarDate | None, Field(description="due on or before")] = None
    has_due: Annotated[bool | None, Field(description="has a due date (or not)")] = None

    @model_validator(mode="after")
    def _ordered_range(self) -> "TaskFilter":
        if self.due_from and self.due_to and self.due_from > self.due_to:
            raise ValueError("due_from must not be after due_to")
        return self


class TaskStateFilter(TaskFilter):
    completed: bool | None = None


TaskSort = Literal["created", "due", "priority", "title"]


class TaskListQuery(TaskStateFilter):
    """The list's filters, order and page."""

    sort: Annotated[
        TaskSort,
        Field(
            description="created: newest first; due: earliest first, undated last; "
            "priority: high first; title: A to Z, ignoring case. Ties: by id, the same way."
        ),
    ] = "created"
    order: Annotated[
        Literal["asc", "desc"] | None,
        Field(
            description="default: the sort's own (created desc, due asc, priority desc, title "
            "asc); the other direction reverses the whole order, ties and undated tasks included"
        ),
    ] = None
    limit: Annotated[int, Field(ge=1, le=100)] = 50
    offset: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0


class ClearCompletedFilter(TaskFilter):
    completed: Annotated[bool, Field(description="must be true: only completed tasks are cleared")]

    @model_validator(mode="after")
    def _completed_only(self) -> "ClearCompletedFilter":
        if not self.completed:
            raise ValueError("completed=true is required: only completed tasks are cleared")
        return self


class BulkCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed: StrictBool


class BulkUpdated(BaseModel):
    updated: int


class BulkDeleted(BaseModel):
    deleted: int


class TagCount(BaseModel):
    name: str
    count: int
