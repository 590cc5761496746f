"""QueryModel reads, refuses and documents a query string exactly as FastAPI's
`Annotated[Model, Query()]` does: the same values, the same 422s, the same OpenAPI schema."""

from typing import Annotated, Any

import pytest
from fastapi import Depends, FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field

from app.api.query import QueryModel
from app.models import ClearCompletedFilter, TaskListQuery

QUERIES = [
    "",
    "limit=20",
    "limit=20&offset=40&sort=due&order=asc",
    "limit=5&limit=7",  # the last one counts
    "tag=home&tag=Work%20%20Stuff&priority=high&priority=low",
    "tag=home",
    "q=&completed=false&has_due=true",
    "q=pay%20rent&due_from=2026-01-01&due_to=2026-12-31",
    "unknown=1&limit=3",
    "unknown=1&unknown=2&limit=3",
    # Refused:
    "limit=0",
    "limit=101",
    "limit=1_0",
    "limit=%2B1",
    "limit=abc",
    "offset=-1",
    "sort=bogus",
    "order=up",
    "priority=urgent",
    "priority=high&priority=urgent",
    "completed=yes",
    "has_due=1",
    "due_from=2026-02-30",
    "due_to=20260101",
    "tag=",
    "tag=%20%20",
    "tag=" + "x" * 33,
    "&".join(f"tag=t{n}" for n in range(11)),
    "q=" + "x" * 201,
    "q=a%00b",
    "limit=0&sort=bogus&tag=",
]


def _apps(model: type[BaseModel]) -> tuple[TestClient, TestClient]:
    """The model read by FastAPI itself, and by QueryModel; both answer with what they read."""
    reference, quick = FastAPI(), FastAPI()
    reader = QueryModel(model)

    @reference.get("/items")
    async def by_fastapi(query: Annotated[model, Query()]) -> Any:  # type: ignore[valid-type]
        return query.model_dump(mode="json")  # type: ignore[attr-defined]

    @quick.get("/items", openapi_extra=reader.openapi)
    async def by_query_model(query: Annotated[model, Depends(reader)]) -> Any:  # type: ignore[valid-type]
        return query.model_dump(mode="json")  # type: ignore[attr-defined]

    for app in (reference, quick):
        # FastAPI lists the 422's schemas among the components once any route takes a
        # parameter, as the API's routes do; QueryModel's 422 refers to them.
        @app.get("/items/{item_id}")
        async def read_item(item_id: int) -> int:
            return item_id

    return TestClient(reference), TestClient(quick)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    limit: int = 1
    tag: list[str] | None = None


@pytest.mark.parametrize("model", [TaskListQuery, ClearCompletedFilter, Strict])
def test_reads_and_refuses_as_fastapi_does(model: type[BaseModel]) -> None:
    reference, quick = _apps(model)
    for query in [*QUERIES, "completed=true", "completed=true&tag=a&tag=b&tag=a"]:
        expected = reference.get(f"/items?{query}")
        got = quick.get(f"/items?{query}")
        assert (got.status_code, got.json()) == (expected.status_code, expected.json()), query


@pytest.mark.parametrize("model", [TaskListQuery, ClearCompletedFilter])
def test_documents_as_fastapi_does(model: type[BaseModel]) -> None:
    reference, quick = _apps(model)
    expected = reference.get("/openapi.json").json()
    got = quick.get("/openapi.json").json()
    assert (
        got["paths"]["/items"]["get"]["parameters"]
        == (expected["paths"]["/items"]["get"]["parameters"])
    )
    assert (
        got["paths"]["/items"]["get"]["responses"]["422"]
        == (expected["paths"]["/items"]["get"]["responses"]["422"])
    )
    assert got["components"] == expected["components"]


def test_refuses_aliases_it_would_not_read() -> None:
    class Aliased(BaseModel):
        limit: int = Field(1, alias="max")

    with pytest.raises(TypeError):
        QueryModel(Aliased)
