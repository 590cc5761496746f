"""Rows as the API writes them: timestamps in UTC with a Z, whichever database they came from."""

import json
from datetime import UTC, datetime

from app.api.responses import RowsResponse


def test_timestamps_are_utc_with_a_z() -> None:
    aware = datetime(2026, 1, 2, 3, 4, 5, 600_000, tzinfo=UTC)  # as asyncpg returns them
    naive = aware.replace(tzinfo=None)  # as SQLite returns them: stored as UTC
    rows = [{"at": aware}, {"at": naive}, {"at": aware.replace(microsecond=0)}]
    assert json.loads(bytes(RowsResponse(rows).body)) == [
        {"at": "2026-01-02T03:04:05.600000Z"},
        {"at": "2026-01-02T03:04:05.600000Z"},
        {"at": "2026-01-02T03:04:05Z"},
    ]


def test_one_row_is_an_object_and_the_type_is_json() -> None:
    response = RowsResponse({"id": 1, "title": "é", "description": None}, status_code=201)
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert json.loads(bytes(response.body)) == {"id": 1, "title": "é", "description": None}
