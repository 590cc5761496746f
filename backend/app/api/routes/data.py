"""The caller's data out and in: GET /export (JSON, CSV or iCalendar, streamed a page at a
time) and POST /import (our JSON, Todoist's CSV, iCalendar; all or nothing)."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from app import data_statements
from app.api.deps import CurrentUser, Db, Limits
from app.api.errors import AUTHENTICATED
from app.api.query import QueryModel
from app.api.responses import RowsResponse
from app.db import Database
from app.models import ListName
from app.portability import csv_format, ics_format, json_format
from app.portability.json_format import ExportDocument
from app.portability.records import FileInvalid, Parsed

router = APIRouter(tags=["data"], responses=AUTHENTICATED)

IMPORT_PATH = "/import"
IMPORT_MAX_BYTES = 10 * 1024 * 1024

ExportFormat = Literal["json", "csv", "ics"]
ImportFormat = Literal["json", "todoist-csv", "ics"]
_MEDIA_TYPES: dict[ExportFormat, str] = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}


class ExportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Annotated[
        ExportFormat,
        Field(description="json: everything, re-importable; csv: one row per task; ics: VTODOs"),
    ] = "json"


class ImportQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Annotated[
        ImportFormat,
        Field(
            description="json: a file GET /export wrote; todoist-csv: a Todoist project's CSV "
            "export; ics: an iCalendar file (its VTODOs)"
        ),
    ]
    list_name: Annotated[
        ListName | None,
        Field(description="todoist-csv: the list the project's tasks go to (default: Todoist)"),
    ] = None


EXPORT = QueryModel(ExportQuery)
IMPORT = QueryModel(ImportQuery)


class CreatedCounts(BaseModel):
    lists: int
    tasks: int


class SkippedItem(BaseModel):
    """One thing left out or changed: where (a line of a CSV, a UID of an iCalendar file)
    and why."""

    line: int | None = None
    uid: str | None = None
    reason: str


class ImportResult(BaseModel):
    created: CreatedCounts
    skipped: list[SkippedItem]


def _schema(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


_TEXT = {"schema": {"type": "string"}}
_EXPORT_OPENAPI: dict[str, Any] = {
    **EXPORT.openapi,
    "responses": {
        **EXPORT.openapi["responses"],
        "200": {
            "description": "The file, as an attachment (Content-Disposition)",
            # (application/json: ExportDocument, from the route's response_model.)
            "content": {"text/csv": _TEXT, "text/calendar": _TEXT},
            "headers": {
                "Content-Disposition": {
                    "description": 'attachment; filename="todo-export-YYYY-MM-DD.<format>"',
                    "schema": {"type": "string"},
                }
            },
        },
    },
}
_IMPORT_OPENAPI: dict[str, Any] = {
    **IMPORT.openapi,
    "requestBody": {
        "required": True,
        "description": f"The file, at most {IMPORT_MAX_BYTES // (1024 * 1024)} MB (413 beyond)",
        "content": {
            "application/json": {"schema": _schema(ExportDocument)},
            "text/csv": _TEXT,
            "text/calendar": _TEXT,
        },
    },
}


async def _stream(
    db: Database, user_id: str, file_format: ExportFormat, lists: list[dict[str, Any]]
) -> AsyncIterator[bytes]:
    now = datetime.now(UTC)
    names = {row["id"]: row["name"] for row in lists}
    if file_format == "json":
        yield json_format.start(lists, now)
    else:
        yield csv_format.header() if file_format == "csv" else ics_format.start()
    first = True
    async for page in data_statements.export_tasks(db, user_id):
        # A page's text is CPU work (iCalendar's most: the library builds each VTODO as
        # objects): in a thread, so the other requests of this worker go on meanwhile.
        if file_format == "json":
            yield await asyncio.to_thread(json_format.tasks, page, first)
        elif file_format == "csv":
            yield await asyncio.to_thread(csv_format.rows, page, names)
        else:
            yield await asyncio.to_thread(ics_format.todos, page, names, now)
        first = False
    yield {"json": json_format.END, "csv": b"", "ics": ics_format.END}[file_format]


@router.get("/export", response_model=ExportDocument, openapi_extra=_EXPORT_OPENAPI)
async def export_data(
    db: Db, user_id: CurrentUser, query: Annotated[ExportQuery, Depends(EXPORT)]
) -> StreamingResponse:
    """The caller's lists and tasks as a file: `json` holds everything and imports back;
    `csv` is one row per task (columns in the README); `ics` an iCalendar of VTODOs. Streamed:
    the tasks are read a page at a time."""
    # Read before the answer starts: a database that cannot be reached is still a 503.
    lists = await data_statements.export_lists(db, user_id)
    filename = f"todo-export-{datetime.now(UTC).date().isoformat()}.{query.format}"
    return StreamingResponse(
        _stream(db, user_id, query.format, lists),
        media_type=_MEDIA_TYPES[query.format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _read(file_format: ImportFormat, body: bytes, list_name: str | None) -> Parsed:
    if file_format == "json":
        return json_format.read(body)
    if file_format == "todoist-csv":
        return csv_format.read_todoist(body, list_name, datetime.now(UTC).date())
    return ics_format.read(body)


def _invalid(type_: str, message: str, problems: list[tuple[dict[str, Any], str]]) -> Exception:
    summary = {"type": type_, "loc": ("body",), "msg": message}
    return RequestValidationError(
        [
            summary,
            *(
                {"type": type_, "loc": ("body", *where.values()), "msg": msg, **where}
                for where, msg in problems
            ),
        ]
    )


@router.post(IMPORT_PATH, response_model=ImportResult, openapi_extra=_IMPORT_OPENAPI)
async def import_data(
    request: Request,
    db: Db,
    user_id: CurrentUser,
    quotas: Limits,
    query: Annotated[ImportQuery, Depends(IMPORT)],
) -> Response:
    """Adds a file's lists and tasks to the caller's, in one transaction: all of it, or
    nothing (a 422 naming the line, UID or field at fault, with how many problems there are).
    A list whose name the caller already has (ignoring case) is used, not created again.
    `skipped` reports what was left out or changed (Todoist sections and comments, iCalendar
    events, repeats with no equivalent...)."""
    body = await request.body()
    try:
        # Reading up to 10 MB is CPU work: in a thread, as an export's pages are.
        parsed = await asyncio.to_thread(_read, query.format, body, query.list_name)
    except FileInvalid as error:
        raise _invalid(
            "import_file",
            f"{error.count} problem(s) in the file: nothing was imported",
            error.problems,
        ) from None
    try:
        created = await data_statements.import_parsed(db, user_id, parsed, quotas)
    except data_statements.ImportRefused as error:
        raise _invalid("import_limit", f"{error}: nothing was imported", []) from None
    return RowsResponse(
        {
            "created": {"lists": created.lists, "tasks": created.tasks},
            "skipped": parsed.skipped,
        },
        status.HTTP_200_OK,
    )
