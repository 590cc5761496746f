"""Lists and tasks as files hold them, checked by the API's own rules (the models' title, tag,
date, time and repeat types): as our export writes them (every field, exactly typed), and as
every reader produces them (with the file's keys for their references)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, model_validator

from app.models import (
    CalendarDate,
    Color,
    Description,
    DueTime,
    ListName,
    Priority,
    RepeatFrom,
    RepeatRule,
    TagSet,
    Title,
    check_dated,
)

# A place in a file, as the import's answer names it: {"line": 12}, {"uid": "..."} or
# {"field": "tasks[3].title"}.
Where = dict[str, Any]
Finite = Annotated[float, Field(allow_inf_nan=False, ge=-1e15, le=1e15)]


class FileInvalid(Exception):
    """The file cannot be imported as it is (a 422): each problem names its place and why;
    `count` how many there are (only the first PROBLEMS_SHOWN are kept)."""

    def __init__(self, where: Where, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.problems: list[tuple[Where, str]] = [(where, message)]
        self.count = 1


PROBLEMS_SHOWN = 20


class Problems:
    """A reader's problems with the records of a file, gathered so that the answer can say
    how many there are, not only the first."""

    def __init__(self) -> None:
        self.error: FileInvalid | None = None

    def add(self, error: FileInvalid) -> None:
        if self.error is None:
            self.error = error
        else:
            self.error.count += 1
            if len(self.error.problems) < PROBLEMS_SHOWN:
                self.error.problems.extend(error.problems)

    def check(self, model: type["Model"], data: dict[str, Any], where: Where) -> "Model | None":
        try:
            return checked(model, data, where)
        except FileInvalid as error:
            self.add(error)
            return None

    def raise_any(self) -> None:
        if self.error is not None:
            raise self.error


# What a JSON Schema says exactly: no number for a timestamp, no string for a number.
Timestamp = Annotated[datetime, Field(strict=True)]
Id = Annotated[int, Field(strict=True)]
Position = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e15, le=1e15)]


class ExportedList(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Id
    name: ListName
    color: Color
    position: Position
    created_at: Timestamp


class ExportedTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Id
    title: Title
    description: Description | None
    completed: StrictBool
    completed_at: Timestamp | None
    created_at: Timestamp
    updated_at: Timestamp
    priority: Priority
    due_date: CalendarDate | None
    due_time: DueTime | None
    tags: TagSet
    repeat: RepeatRule | None
    repeat_from: RepeatFrom
    repeat_of: Id | None = Field(description="a task of the file")
    list_id: Id | None = Field(description="a list of the file; null: the Inbox")
    parent_id: Id | None = Field(description="a top-level task of the file")
    position: Position


class ListRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    name: ListName
    color: Color = "gray"
    position: Finite | None = None


class TaskRecord(BaseModel):
    """A task as a file holds it; `key` is the file's name for it, which `parent_key` and
    `repeat_of_key` of other tasks use, as `list_key` uses a ListRecord's."""

    model_config = ConfigDict(extra="forbid")

    key: str
    title: Title
    description: Description | None = None
    completed: bool = False
    completed_at: datetime | None = None
    created_at: datetime | None = None
    priority: Priority = "none"
    due_date: CalendarDate | None = None
    due_time: DueTime | None = None
    tags: TagSet = Field(default_factory=list)
    repeat: RepeatRule | None = None
    repeat_from: RepeatFrom = "due"
    list_key: str | None = None
    parent_key: str | None = None
    repeat_of_key: str | None = None
    position: Finite | None = None

    @model_validator(mode="after")
    def _dated(self) -> Self:
        check_dated(self.model_dump(), True, self.repeat_from)
        return self


@dataclass
class Parsed:
    """A file's content. `skipped`: what was left out or changed, with where and why."""

    lists: list[ListRecord] = field(default_factory=list)
    tasks: list[TaskRecord] = field(default_factory=list)
    skipped: list[Where] = field(default_factory=list)


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


Model = TypeVar("Model", bound=BaseModel)


def checked(model: type[Model], data: dict[str, Any], where: Where) -> Model:
    """`data` as `model`, or FileInvalid naming the place and the field at fault (after the
    place's own field, if it names one)."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        # The rules between fields (check_dated) name their field in the message.
        path = _field_path(first["loc"]) if first["loc"] else first["msg"].split(":")[0].split()[0]
        if "field" in where:
            path = f"{where['field']}.{path}"
        raise FileInvalid({**where, "field": path}, first["msg"]) from None


def resolve(parsed: Parsed) -> None:
    """Checks the references between the records: every list, parent and original named is in
    the file, keys are unique, and subtasks are one level deep."""
    list_keys = _unique([item.key for item in parsed.lists], "lists")
    tasks = {item.key: item for item in parsed.tasks}
    if len(tasks) != len(parsed.tasks):
        _unique([item.key for item in parsed.tasks], "tasks")
    for item in parsed.tasks:
        if item.list_key is not None and item.list_key not in list_keys:
            raise FileInvalid({"task": item.key, "field": "list"}, "names a list not in the file")
        if item.repeat_of_key is not None and item.repeat_of_key not in tasks:
            item.repeat_of_key = None  # its original was deleted before the export
        if item.parent_key is None:
            continue
        parent = tasks.get(item.parent_key)
        if parent is None:
            raise FileInvalid({"task": item.key, "field": "parent"}, "names a task not in the file")
        if parent.parent_key is not None:
            raise FileInvalid({"task": item.key, "field": "parent"}, "subtasks are one level deep")
        # A subtask lives in its parent's list.
        item.list_key = parent.list_key


def _unique(keys: list[str], what: str) -> set[str]:
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise FileInvalid({"field": what}, f"the id {key} is there twice")
        seen.add(key)
    return seen
