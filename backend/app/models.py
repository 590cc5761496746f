"""The task table and the API's request/response schemas."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    false,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
USER_ID_MAX = 255

task = Table(
    "task",
    metadata,
    Column(
        "id",
        BigInteger().with_variant(Integer, "sqlite"),
        Identity(),
        primary_key=True,
    ),
    Column("user_id", String(USER_ID_MAX), nullable=False),
    Column("title", String(TITLE_MAX), nullable=False),
    Column("description", String(DESCRIPTION_MAX), nullable=True),
    Column("completed", Boolean, nullable=False, server_default=false()),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # Every read is "this user's tasks, newest first": one index serves filter and sort.
    Index("ix_task_user_id_created_at_id", "user_id", "created_at", "id"),
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


# One rule: the title as sent is 1-200 characters with a visible one among them; it is
# stored without its leading and trailing whitespace (which can only make it shorter).
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_MAX),
    Pattern(TITLE_PATTERN, "must contain a visible character and no NUL"),
    AfterValidator(_trim),
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


def _present_or_absent(schema: dict[str, Any]) -> None:
    """The field's schema without its `null` branch and default: it may be left out, and
    when given it must be a value."""
    (value,) = [branch for branch in schema.pop("anyOf") if branch != {"type": "null"}]
    schema.pop("default", None)
    schema.update(value)


class TaskCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"title": "Buy milk", "description": "Two litres"}]},
    )

    title: Title
    description: Description | None = None


class TaskUpdate(BaseModel):
    """The fields to change; at least one."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "minProperties": 1,
            "examples": [{"completed": True}, {"title": "Buy oat milk", "description": None}],
        },
    )

    title: Title | None = Field(default=None, json_schema_extra=_present_or_absent)
    description: Description | None = None
    completed: StrictBool | None = Field(default=None, json_schema_extra=_present_or_absent)

    @field_validator("title", "completed")
    @classmethod
    def _not_null(cls, value: object) -> object:
        # Defaults are not validated: only an explicit null gets here as None.
        if value is None:
            raise ValueError("may be left out, but not null")
        return value

    @model_validator(mode="after")
    def _meaningful(self) -> "TaskUpdate":
        if not self.model_fields_set:
            raise ValueError("give at least one of: title, description, completed")
        return self


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
                    "created_at": "2025-01-01T09:00:00Z",
                    "updated_at": "2025-01-01T09:00:00Z",
                }
            ]
        }
    )

    id: int
    title: str
    description: str | None
    completed: bool
    created_at: datetime
    updated_at: datetime


class TaskCounts(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"all": 3, "active": 2, "completed": 1}]}
    )

    all: int
    active: int
    completed: int
