"""The task table and the API's request/response schemas."""

from datetime import datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    StrictBool,
    StringConstraints,
    model_validator,
)
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


class TaskCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    description: Description | None = None


class TaskUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    description: Description | None = None
    completed: StrictBool | None = None

    @model_validator(mode="after")
    def _meaningful(self) -> "TaskUpdate":
        if not self.model_fields_set:
            raise ValueError("give at least one of: title, description, completed")
        for name in ("title", "completed"):
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
    created_at: datetime
    updated_at: datetime


class TaskCounts(BaseModel):
    all: int
    active: int
    completed: int
