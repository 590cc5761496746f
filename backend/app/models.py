"""The tables (task, task_list, tag, task_tag, idempotency_key) and the API's request/response
schemas."""

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from annotated_types import GroupedMetadata
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Identity,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.schema import SchemaItem

from app import recurrence
from app.db.portable import StringList
from app.exact_values import EXACT_INTEGER, QueryBool, exact_boolean

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
# A search is at most this many characters and words: each word is a pattern matched against
# every candidate's text, so a longer query costs the database more, for every user (issue 19).
SEARCH_MAX = 100
SEARCH_WORDS_MAX = 10
IDEMPOTENCY_KEY_MAX = 255

# Stored as their rank (0-3): "high first" is then a plain index order.
PRIORITIES = ("none", "low", "medium", "high")
Priority = Literal["none", "low", "medium", "high"]

_Id = BigInteger().with_variant(Integer, "sqlite")


def _user_rows(name: str, *items: SchemaItem, **options: Any) -> Table:
    """A table of the users' rows: an id the database assigns, then the owner's."""
    return Table(
        name,
        metadata,
        Column("id", _Id, Identity(), primary_key=True),
        Column("user_id", String(USER_ID_MAX), nullable=False),
        *items,
        **options,
    )


def only_on(dialect: str, index: Index) -> Index:
    """An index that one database has (or has in this form) and the other has not: created and
    compared there alone (app/db/migration_owned.py reads the mark)."""
    index.info["dialect"] = dialect
    return index.ddl_if(dialect=dialect)


task = _user_rows(
    "task",
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
    # What a search compares, folded by the API's one rule (app/core/folding.py) whenever it
    # writes the text (migrations 0008 and 0009 say why); null where it is not known (too
    # long to index, or written by an older API). PostgreSQL reads it; SQLite folds on the spot.
    Column("search_text", Text, nullable=True),
    # Migration 0010: lists, subtasks, times, repeats and the manual order.
    # The task's list (task_list.id), null for the Inbox; a subtask's is its parent's.
    Column("list_id", _Id, nullable=True),
    # The top-level task this one is a subtask of (one level deep).
    Column("parent_id", _Id, nullable=True),
    # "HH:MM", a floating local time like the date; only with a due date.
    Column(
        "due_time",
        String(5),
        CheckConstraint("due_time IS NULL OR due_date IS NOT NULL", name="due_time_dated"),
        nullable=True,
    ),
    # An RRULE of app/recurrence.py's subset; only with a due date.
    Column(
        "repeat",
        String(recurrence.RULE_MAX),
        CheckConstraint("repeat IS NULL OR due_date IS NOT NULL", name="repeat_dated"),
        nullable=True,
    ),
    Column("repeat_from", String(10), nullable=False, server_default="due"),
    # How many occurrences were completed (the rule's COUNT is checked against it).
    Column("repeat_done", Integer, nullable=False, server_default="0"),
    # On a completed occurrence's copy: the repeating task it was completed from.
    Column("repeat_of", _Id, nullable=True),
    # The manual order's key within the task's list (or its parent's subtasks): a new task goes
    # after the last, a moved one between its neighbours (their mean), no other row renumbered.
    Column("position", Double, nullable=False, server_default="0"),
    # Migration 0012: a top-level task's subtasks, counted by triggers on every write of them;
    # null where not counted yet (the list then counts them itself: app/statements.py).
    Column("subtasks_total", Integer, nullable=True, server_default="0"),
    Column("subtasks_completed", Integer, nullable=True, server_default="0"),
    # Every read is "this user's tasks" in one of the list's orders: an index per order, with
    # the user first, serves filter and sort at once.
    Index("ix_task_user_id_created_at_id", "user_id", "created_at", "id"),
    Index("ix_task_user_id_due_date_id", "user_id", "due_date", "id"),
    Index("ix_task_user_id_priority_id", "user_id", "priority", "id"),
    # (user_id, id) with completed, for the counts and the tag filter (migration 0006): SQLite
    # has no INCLUDE, so there it is a third key column.
    only_on(
        "postgresql",
        Index("ix_task_user_id_id_completed", "user_id", "id", postgresql_include=["completed"]),
    ),
    only_on("sqlite", Index("ix_task_user_id_id_completed", "user_id", "id", "completed")),
    # The search's candidates, from the index alone (migration 0008; SQLite scans).
    only_on(
        "postgresql",
        Index(
            "ix_task_user_id_id_search_text", "user_id", "id", postgresql_include=["search_text"]
        ),
    ),
    only_on(
        "postgresql",
        Index(
            "ix_task_user_id_id_unsearchable",
            "user_id",
            "id",
            postgresql_where=text("search_text IS NULL"),
        ),
    ),
    # ?list= in the default order, sort=manual within a list, and a parent's subtasks (or the
    # top-level tasks, parent_id null) in manual order.
    Index("ix_task_user_id_list_id_created_at_id", "user_id", "list_id", "created_at", "id"),
    Index("ix_task_user_id_list_id_position_id", "user_id", "list_id", "position", "id"),
    Index("ix_task_user_id_parent_id_position_id", "user_id", "parent_id", "position", "id"),
    # The top-level tasks in manual order (`parent_id IS NULL` is no equality: the index above
    # cannot give their order).
    Index(
        "ix_task_user_id_position_id_top_level",
        "user_id",
        "position",
        "id",
        postgresql_where=text("parent_id IS NULL"),
        sqlite_where=text("parent_id IS NULL"),
    ),
    # The counts of top-level tasks (migration 0010; SQLite reads the index above).
    only_on(
        "postgresql",
        Index(
            "ix_task_user_id_id_completed_top_level",
            "user_id",
            "id",
            postgresql_include=["completed"],
            postgresql_where=text("parent_id IS NULL"),
        ),
    ),
    sqlite_autoincrement=True,
)

LIST_NAME_MAX = 60
LISTS_PER_USER = 200
COLORS = ("gray", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink")
Color = Literal["gray", "red", "orange", "yellow", "green", "teal", "blue", "purple", "pink"]

# A user's lists (the Inbox is no row: a task's list_id null). `folded_name` is the name as
# compared (trimmed, case-folded: app/api/routes/lists.py), unique per user, so that two
# concurrent creations of one name cannot both succeed.
task_list = _user_rows(
    "task_list",
    Column("name", String(LIST_NAME_MAX), nullable=False),
    Column("folded_name", String(4 * LIST_NAME_MAX), nullable=False),
    Column(
        "color",
        String(6),
        CheckConstraint(f"color IN ({', '.join(repr(c) for c in COLORS)})", name="color"),
        nullable=False,
        server_default="gray",
    ),
    Column("position", Double, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("user_id", "folded_name"),
    sqlite_autoincrement=True,
)
# For sort=title (migration 0004). SQLite sorts titles with a function of the API's own, which
# an index could not use without every other client of the file having it too.
only_on(
    "postgresql",
    Index("ix_task_user_id_lower_title_id", task.c.user_id, func.lower(task.c.title), task.c.id),
)

# A user's tags, each name once, with how many of the user's tasks carry it (kept by triggers
# on task_tag, see migration 0004; a tag whose count reaches 0 is deleted).
tag = _user_rows(
    "tag",
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
    # The task's own `completed`, copied by triggers (migration 0007), so that counts filtered
    # by tags read the links alone; NULL on links older than the column.
    Column("completed", Boolean, nullable=True),
    Index("ix_task_tag_user_id_tag_id_task_id", "user_id", "tag_id", "task_id"),
    # The counts' index (migration 0007): completed as a key column where there is no INCLUDE.
    only_on(
        "postgresql",
        Index(
            "ix_task_tag_user_id_tag_id_completed",
            "user_id",
            "tag_id",
            "task_id",
            postgresql_include=["completed"],
        ),
    ),
    only_on(
        "sqlite",
        Index("ix_task_tag_user_id_tag_id_completed", "user_id", "tag_id", "task_id", "completed"),
    ),
    sqlite_with_rowid=False,
)

# The key a POST /tasks was sent with (an Idempotency-Key header), for 24 hours: a request
# with the same key and the same body gets the task that the first one created, not another.
# Written in the same transaction as the task. No foreign key: a task's deletion leaves its
# key, which then says that the task is gone rather than letting a retry create it again.
idempotency_key = Table(
    "idempotency_key",
    metadata,
    Column("user_id", String(USER_ID_MAX), primary_key=True),
    Column("key", String(IDEMPOTENCY_KEY_MAX), primary_key=True),
    # SHA-256 (hex) of the request body as the API read it (app/statements.py).
    Column("fingerprint", String(64), nullable=False),
    Column("task_id", _Id, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


# The change feed (GET /events): one row per change to a task or list, written by triggers on
# task and task_list in the writing transaction (migration 0011), so that every write path,
# bulk and import included, records its changes. `id` is the stream's cursor: a user's changes
# take their ids in the order their transactions commit (the triggers serialise a user's
# writers, app/changes.py says why). Kept CHANGE_RETENTION_HOURS, then pruned oldest first.
change = _user_rows(
    "change",
    Column("kind", String(4), nullable=False),  # "task" or "list"
    Column("entity_id", _Id, nullable=False),
    Column("action", String(7), nullable=False),  # "created", "updated" or "deleted"
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_change_user_id_id", "user_id", "id"),
    sqlite_autoincrement=True,
)

# What a title must show. Invisible: Unicode general categories Cc (controls, NUL
# included), Cf (format: zero-width spaces and joiners, bidi marks, soft hyphen...), Zs, Zl
# and Zp (spaces and separators), the Default_Ignorable_Code_Point set (variation selectors,
# Hangul fillers, tag characters...) and the blank braille pattern U+2800.
# tests/test_models.py checks these ranges against `unicodedata` code point by code point.
INVISIBLE_RANGES = (
    (0x0000, 0x0020),
    (0x007F, 0x00A0),
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x0600, 0x0605),
    (0x061C, 0x061C),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),
    (0x1680, 0x1680),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x2000, 0x200F),
    (0x2028, 0x202F),
    (0x205F, 0x206F),
    (0x2800, 0x2800),
    (0x3000, 0x3000),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x1343F),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


def _regex_char(code: int) -> str:
    # "\uXXXX" means the same in Python's and ECMAScript's regexes (the JSON schema's
    # dialect); above U+FFFF they spell escapes differently, so the character goes in as is.
    return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)


_INVISIBLE_CLASS = "".join(
    _regex_char(low) if low == high else f"{_regex_char(low)}-{_regex_char(high)}"
    for low, high in INVISIBLE_RANGES
)
# PostgreSQL cannot store NUL in text, so no string may hold one.
NO_NUL_PATTERN = "^[^\\u0000]*$"
# At least one visible character, and no NUL.
TITLE_PATTERN = f"^[^\\u0000]*[^{_INVISIBLE_CLASS}][^\\u0000]*$"


@dataclass(frozen=True)
class Pattern:
    """A JSON-schema `pattern` that the server validates with itself (Python's `re`, searched
    as JSON Schema says), so that the schema and the server cannot disagree; a string that
    does not match gets `message`, not the unreadable pattern."""

    pattern: str
    message: str

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        regex = re.compile(self.pattern)

        def check(value: str) -> str:
            if regex.search(value) is None:
                raise PydanticCustomError("string_pattern_mismatch", self.message)
            return value

        # After the schema so far: the length limit is checked first, so the pattern only
        # ever sees a bounded string.
        return core_schema.no_info_after_validator_function(check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {**handler(schema), "pattern": self.pattern}


def _trim(title: str) -> str:
    return title.strip()


_VISIBLE = Pattern(TITLE_PATTERN, "must contain a visible character and no NUL")


@dataclass(frozen=True)
class VisibleText(GroupedMetadata):
    """The title's rule: as sent, 1 to `max_length` characters with a visible one among them;
    stored without its leading and trailing whitespace (which can only make it shorter)."""

    max_length: int

    def __iter__(self) -> Iterator[object]:
        yield StringConstraints(min_length=1, max_length=self.max_length)
        yield _VISIBLE
        yield AfterValidator(_trim)


Title = Annotated[
    str,
    VisibleText(TITLE_MAX),
    Field(
        description=(
            f"1-{TITLE_MAX} characters as sent, at least one of them visible (not whitespace, "
            "a control, format or other invisible character), no NUL. Stored without "
            "leading and trailing whitespace."
        ),
        examples=["Buy milk"],
    ),
]
Description = Annotated[
    str,
    StringConstraints(max_length=DESCRIPTION_MAX),
    Pattern(NO_NUL_PATTERN, "must not contain NUL characters"),
    Field(description=f"At most {DESCRIPTION_MAX} characters, no NUL.", examples=["Two litres"]),
]


# One rule, on the tag as sent (so that the schema can say it): 1-32 characters of letters,
# digits, whitespace, "-" and "_", at least one of them not whitespace. It is stored trimmed,
# with inner runs of whitespace collapsed to one space and lower-cased, none of which can make
# it longer or change what it is made of. (A decomposed accent, "e" and a combining mark, is
# refused: the mark is no letter.)
TAG_PATTERN = r"^[\w\-\s]*[\w\-][\w\-\s]*$"


def _lower(char: str) -> str:
    # A few capitals lower-case to two characters (U+0130 to "i" and a combining dot): those
    # stay as typed, so a tag never grows past its limit nor gains a character it may not hold.
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


def normalize_tag(raw: str) -> str:
    """Trimmed, inner runs of whitespace collapsed to one space, lower-cased."""
    return "".join(map(_lower, " ".join(raw.split())))


def _tag_set(names: list[str]) -> list[str]:
    return sorted(set(names))


# Python's dates start at year 1.
DATE_PATTERN = "^(?!0000)[0-9]{4}-[0-9]{2}-[0-9]{2}$"
_DATE = re.compile(DATE_PATTERN)


def _iso_date(value: object) -> object:
    # pydantic would also take timestamps and datetimes for a date; the API takes a calendar
    # date, spelled one way (pydantic then refuses impossible ones, such as 2026-02-30).
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.match(value):
        return value
    raise ValueError("must be a date as YYYY-MM-DD")


TagName = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TAG_MAX),
    Pattern(TAG_PATTERN, "a tag holds only letters, digits, spaces, '-' and '_', not only spaces"),
    AfterValidator(normalize_tag),
    Field(
        description=f"1-{TAG_MAX} characters as sent: letters, digits, spaces, '-' and '_', "
        "not only spaces. Stored trimmed, lower-cased, inner whitespace collapsed.",
        examples=["home"],
    ),
]
# Words are what str.split() finds (app/statements.py): runs of non-whitespace, as `\S` means too.
SEARCH_PATTERN = f"^\\s*(?:[^\\s\\u0000]+\\s+){{0,{SEARCH_WORDS_MAX - 1}}}[^\\s\\u0000]*\\s*$"
SearchText = Annotated[
    str,
    StringConstraints(max_length=SEARCH_MAX),
    Pattern(SEARCH_PATTERN, f"at most {SEARCH_WORDS_MAX} words, and no NUL characters"),
]
# At most 10 as sent; returned sorted, each once.
TagSet = Annotated[
    list[TagName],
    Field(max_length=TAGS_PER_TASK, description=f"at most {TAGS_PER_TASK}; duplicates collapse"),
    AfterValidator(_tag_set),
]
CalendarDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]


TIME_PATTERN = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
DueTime = Annotated[
    str,
    StringConstraints(min_length=5, max_length=5),
    Pattern(TIME_PATTERN, "must be a time as HH:MM (24 hours)"),
    Field(description="HH:MM, 24 hours, a floating local time like the date; needs due_date"),
]
RepeatFrom = recurrence.RepeatFrom
REPEAT_PATTERN = "^[A-Z0-9=;,+-]+$"
RepeatRule = Annotated[
    str,
    StringConstraints(min_length=1, max_length=recurrence.RULE_MAX),
    Pattern(REPEAT_PATTERN, "must be an RRULE such as FREQ=WEEKLY;BYDAY=MO"),
    Field(
        description="An RFC 5545 RRULE subset: FREQ=DAILY|WEEKLY|MONTHLY|YEARLY, INTERVAL, "
        "BYDAY (ordinals such as 2MO or -1FR under MONTHLY), BYMONTHDAY (1..31, -1), "
        "BYMONTH, COUNT, UNTIL (YYYYMMDD); with repeat_from completion only FREQ and "
        "INTERVAL. Needs due_date.",
        examples=["FREQ=WEEKLY;BYDAY=MO"],
    ),
]
_ID_MAX = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=_ID_MAX)]


def _repeat_error(error: recurrence.RuleError) -> PydanticCustomError:
    return PydanticCustomError("repeat_rule", "repeat: {reason}", {"reason": str(error)})


def check_dated(fields: dict[str, Any], due_date_set: bool, repeat_from: RepeatFrom | None) -> None:
    """A time or a repeat needs a due date; a repeat must be of the subset. `fields`: the
    fields given (a PATCH's, or a creation's)."""
    for name in ("due_time", "repeat"):
        if fields.get(name) is not None and due_date_set and fields.get("due_date") is None:
            raise PydanticCustomError("needs_due_date", f"{name} needs due_date")
    if fields.get("repeat") is not None:
        try:
            recurrence.check(fields["repeat"], repeat_from or "due")
        except recurrence.RuleError as error:
            raise _repeat_error(error) from None


def present_or_absent(schema: dict[str, Any]) -> None:
    """The field's schema without its `null` branch and default: it may be left out, and
    when given it must be a value."""
    (value,) = [branch for branch in schema.pop("anyOf") if branch != {"type": "null"}]
    schema.pop("default", None)
    schema.update(value)


def _refuse_null(value: object) -> object:
    """present_or_absent's rule when a change is validated: a field may be left out, but not
    set to null. Defaults are not validated: only an explicit null gets here as None."""
    if value is None:
        raise ValueError("may be left out, but not null")
    return value


class TaskCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"title": "Buy milk", "description": "Two litres"},
                {
                    "title": "Pay rent",
                    "priority": "high",
                    "due_date": "2026-12-01",
                    "tags": ["home"],
                },
            ]
        },
    )

    title: Title
    description: Description | None = None
    priority: Priority = "none"
    due_date: CalendarDate | None = None
    tags: TagSet = Field(default_factory=list)
    due_time: DueTime | None = None
    repeat: RepeatRule | None = None
    repeat_from: RepeatFrom = "due"
    list_id: Annotated[
        RowId | None, Field(description="one of the caller's lists; null: the Inbox")
    ] = None
    parent_id: Annotated[
        RowId | None,
        Field(
            description="a top-level task of the caller: this one becomes its subtask, in its list"
        ),
    ] = None

    @model_validator(mode="after")
    def _dated(self) -> Self:
        check_dated(self.model_dump(), True, self.repeat_from)
        return self


# Idempotency-Key (IETF httpapi draft): a Structured Field string, "..." in double quotes,
# holding printable ASCII, with \" and \\ escaping a quote and a backslash. The key is the text
# between the quotes, unescaped: 1-255 characters. (No parameters after the string.)
IDEMPOTENCY_KEY_PATTERN = rf'^"(?:[ !#-\[\]-~]|\\["\\]){{1,{IDEMPOTENCY_KEY_MAX}}}"$'
_ESCAPED = re.compile(r"\\(.)")

IdempotencyKeyHeader = Annotated[
    str,
    StringConstraints(max_length=2 * IDEMPOTENCY_KEY_MAX + 2),
    Pattern(
        IDEMPOTENCY_KEY_PATTERN,
        f'must be a quoted string ("..."): 1-{IDEMPOTENCY_KEY_MAX} printable ASCII '
        'characters, \\" and \\\\ for a quote and a backslash',
    ),
]


def idempotency_key_value(header: str) -> str:
    """The key a valid Idempotency-Key header holds: the text between its quotes, unescaped."""
    return _ESCAPED.sub(r"\1", header[1:-1])


class TaskUpdate(BaseModel):
    """The fields to change, at least one; `tags` replaces the task's whole set."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "minProperties": 1,
            "examples": [
                {"completed": True},
                {"title": "Buy oat milk", "description": None},
                {"priority": "low", "due_date": None, "tags": ["shopping"]},
            ],
        },
    )

    title: Title | None = Field(default=None, json_schema_extra=present_or_absent)
    description: Description | None = None
    completed: StrictBool | None = Field(default=None, json_schema_extra=present_or_absent)
    priority: Priority | None = Field(default=None, json_schema_extra=present_or_absent)
    due_date: CalendarDate | None = None
    tags: TagSet | None = Field(default=None, json_schema_extra=present_or_absent)
    due_time: DueTime | None = None
    repeat: RepeatRule | None = None
    repeat_from: RepeatFrom | None = Field(default=None, json_schema_extra=present_or_absent)
    list_id: Annotated[
        RowId | None,
        Field(
            description="one of the caller's lists, or null (the Inbox): the task goes last there"
        ),
    ] = None
    parent_id: Annotated[
        RowId | None,
        Field(
            description="a top-level task of the caller: this one (which must have no subtasks) "
            "becomes its last subtask, in its list; null: a top-level task again, last in its list"
        ),
    ] = None
    completed_on: CalendarDate | None = Field(
        default=None,
        json_schema_extra=present_or_absent,
        description="the user's local day of the completion (default: today in UTC), from "
        "which a repeating task's next occurrence is found; read only with completed true",
    )

    _not_null = field_validator(
        "title", "completed", "priority", "tags", "repeat_from", "completed_on"
    )(_refuse_null)

    @model_validator(mode="after")
    def _meaningful(self) -> "TaskUpdate":
        given = self.model_fields_set - {"completed_on"}
        if not self.model_fields_set:
            raise ValueError(f"give at least one of: {', '.join(type(self).model_fields)}")
        given_fields = {name: getattr(self, name) for name in given}
        check_dated(given_fields, "due_date" in given, self.repeat_from)
        return self


class SubtaskCounts(BaseModel):
    total: int
    completed: int


class TaskPublic(BaseModel):
    """A task as the API returns it (the OpenAPI schema: responses are written from the
    database's rows directly, see app/api/responses.py)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "title": "Buy milk",
                    "description": "Two litres",
                    "completed": False,
                    "priority": "medium",
                    "due_date": "2026-12-01",
                    "tags": ["errands", "home"],
                    "completed_at": None,
                    "created_at": "2026-11-28T09:00:00Z",
                    "updated_at": "2026-11-28T09:00:00Z",
                    "due_time": "17:30",
                    "repeat": "FREQ=WEEKLY;BYDAY=MO",
                    "repeat_from": "due",
                    "repeat_of": None,
                    "list_id": None,
                    "parent_id": None,
                    "position": 1.0,
                    "subtasks": {"total": 2, "completed": 1},
                }
            ]
        }
    )

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
    due_time: str | None = Field(description="HH:MM")
    repeat: str | None
    repeat_from: RepeatFrom
    repeat_of: int | None = Field(
        description="on a completed occurrence's copy: the repeating task it came from"
    )
    list_id: int | None = Field(description="null: the Inbox")
    parent_id: int | None
    position: float = Field(description="the manual order's key (sort=manual)")
    subtasks: SubtaskCounts | None = Field(description="on top-level tasks; null on subtasks")


class TaskCounts(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"all": 3, "active": 2, "completed": 1}]}
    )

    all: int
    active: int
    completed: int


INBOX = "inbox"
ListRef = Annotated[
    Literal["inbox"] | Annotated[int, Field(ge=1, le=_ID_MAX), EXACT_INTEGER],
    Field(union_mode="left_to_right"),
]


class TaskFilter(BaseModel):
    """The list's filters (query parameters), all combined with AND."""

    q: Annotated[
        SearchText | None,
        Field(
            description=f"at most {SEARCH_WORDS_MAX} words and {SEARCH_MAX} characters; every "
            "word must appear, in any case, in the title or the description"
        ),
    ] = None
    # Tuples: pydantic copies a list default on every validation, and this is the hot path.
    priority: Annotated[tuple[Priority, ...], Field(description="any of these")] = ()
    tag: Annotated[
        tuple[TagName, ...],
        Field(max_length=TAGS_PER_TASK, description="the task has all of them"),
    ] = ()
    due_from: Annotated[
        CalendarDate | None, Field(description="due on or after; not after due_to (422)")
    ] = None
    due_to: Annotated[
        CalendarDate | None, Field(description="due on or before; not before due_from (422)")
    ] = None
    has_due: Annotated[QueryBool, Field(description="has a due date (true) or not (false)")] = None
    list: Annotated[
        ListRef | None,
        Field(description="the tasks of one of the caller's lists (its id), or of the Inbox"),
    ] = None

    # A range that ends before it starts is a client's mistake (a swapped pair), not a request
    # for nothing. No JSON schema can relate two parameters, so the descriptions say it.
    @model_validator(mode="after")
    def _range_in_order(self) -> Self:
        if self.due_from is not None and self.due_to is not None and self.due_from > self.due_to:
            raise PydanticCustomError(
                "date_range",
                "due_from ({due_from}) must not be after due_to ({due_to})",
                {"due_from": str(self.due_from), "due_to": str(self.due_to)},
            )
        return self


class TaskStateFilter(TaskFilter):
    completed: Annotated[QueryBool, Field(description="completed (true) or active (false)")] = None


TaskSort = Literal["created", "due", "priority", "title", "manual"]


class TaskListQuery(TaskStateFilter):
    """The list's filters, order and page."""

    sort: Annotated[
        TaskSort,
        Field(
            description="created: newest first; due: earliest first, undated last; "
            "priority: high first; title: A to Z, ignoring case; manual: by position. "
            "Ties: by id, the same way."
        ),
    ] = "created"
    order: Annotated[
        Literal["asc", "desc"] | None,
        Field(
            description="default: the sort's own (created desc, due asc, priority desc, title "
            "asc); the other direction reverses the whole order, ties and undated tasks included"
        ),
    ] = None
    parent: Annotated[
        int | None,
        Field(
            ge=1,
            le=_ID_MAX,
            description="that task's subtasks instead of top-level tasks (sort: manual unless "
            "given)",
        ),
        EXACT_INTEGER,
    ] = None
    limit: Annotated[int, Field(ge=1, le=100), EXACT_INTEGER] = 50
    offset: Annotated[int, Field(ge=0, le=2**31 - 1), EXACT_INTEGER] = 0


class ClearCompletedFilter(TaskFilter):
    completed: Annotated[
        Literal[True],
        BeforeValidator(exact_boolean),
        WithJsonSchema(
            {
                "type": "boolean",
                "enum": [True],
                "description": "must be true: only completed tasks are cleared",
            }
        ),
    ]


class BulkCompletion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    completed: StrictBool
    completed_on: CalendarDate | None = Field(
        default=None,
        json_schema_extra=present_or_absent,
        description="the user's local day of the completion (default: today in UTC); read "
        "only with completed true",
    )

    _not_null = field_validator("completed_on")(_refuse_null)


class BulkUpdated(BaseModel):
    updated: int


class BulkDeleted(BaseModel):
    deleted: int


class TagCount(BaseModel):
    name: str
    count: int


ListName = Annotated[
    str,
    VisibleText(LIST_NAME_MAX),
    Field(
        description=f"1-{LIST_NAME_MAX} characters, at least one visible, no NUL; stored "
        "trimmed; unique per user ignoring case",
        examples=["Work"],
    ),
]


class ListCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Work"}]})

    name: ListName
    color: Color = "gray"


class ListUpdate(BaseModel):
    """The fields to change, at least one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"minProperties": 1, "examples": [{"name": "Home", "color": "teal"}]},
    )

    name: ListName | None = Field(default=None, json_schema_extra=present_or_absent)
    color: Color | None = Field(default=None, json_schema_extra=present_or_absent)
    position: float | None = Field(
        default=None,
        json_schema_extra=present_or_absent,
        allow_inf_nan=False,
        ge=-1e15,
        le=1e15,
        description="the list's order key: lists are shown by it (then by id)",
    )

    _not_null = field_validator("name", "color", "position")(_refuse_null)

    @model_validator(mode="after")
    def _meaningful(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give at least one of: name, color, position")
        return self


class ListPublic(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "Work",
                    "color": "blue",
                    "position": 1.0,
                    "open_count": 3,
                    "created_at": "2026-11-28T09:00:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    color: Color
    position: float
    open_count: int = Field(description="its top-level tasks not completed")
    created_at: datetime


class ListDeletion(BaseModel):
    tasks: Annotated[
        Literal["delete", "inbox"],
        Field(description="inbox (default): its tasks move to the Inbox; delete: they go too"),
    ] = "inbox"


class TaskMove(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"after": 12}]})

    after: RowId | None = Field(
        description="the task (in the same list, or of the same parent) to follow; null: first"
    )
