"""Query-parameter models read by a dependency of their own, documented as FastAPI documents them.

`Annotated[Model, Query()]` makes FastAPI work out, on every request and for every field of the
model, which aliases it has and whether it repeats, before pydantic validates anything: for the
list's eleven parameters that cost several times the validation itself, and a large share of a
whole `GET /tasks` (bench/README.md). `QueryModel(Model)` reads the same query string the same
way (a repeatable field takes every value, any other field the last one, and unknown names go
to the model's `extra` policy), validates it with `Model.model_validate`, and reports errors as
FastAPI does (a 422 with each error under `("query", field, ...)`). Its `openapi` is what
FastAPI writes for `Annotated[Model, Query()]` (the parameters and the 422), passed to the
route as `openapi_extra`: the schema is the same either way. (The 422 refers to the
HTTPValidationError schema, which FastAPI adds to the components once any route of the app takes
a parameter or a body, as the API's do.)
"""

import types
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from fastapi import Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
_SEQUENCES = (list, tuple, set, frozenset)
_UNIONS = (Union, types.UnionType)


def _repeatable(annotation: Any) -> bool:
    """A field that takes every value of its name (`?tag=a&tag=b`), as FastAPI reads it."""
    origin = get_origin(annotation)
    if origin in _UNIONS:
        return any(map(_repeatable, get_args(annotation)))
    return origin in _SEQUENCES


def _documented(model: type[BaseModel]) -> dict[str, Any]:
    """The OpenAPI parameters and 422 response FastAPI writes for `Annotated[model, Query()]`."""

    async def probe(query: Annotated[model, Query()]) -> None:  # type: ignore[valid-type]
        """Only documented, never called."""

    operation = get_openapi(title="", version="", routes=[APIRoute("/", probe)])["paths"]["/"]
    documented = operation["get"]
    return {
        "parameters": documented["parameters"],
        "responses": {"422": documented["responses"]["422"]},
    }


class QueryModel(Generic[M]):
    """A dependency giving the query string validated as `model`; pass `openapi` to the route
    as `openapi_extra`."""

    def __init__(self, model: type[M]) -> None:
        if any(field.alias or field.validation_alias for field in model.model_fields.values()):
            raise TypeError(f"{model.__name__}: aliases are not read from the query")
        self.model = model
        self.names = frozenset(model.model_fields)
        self.repeated = frozenset(
            name for name, field in model.model_fields.items() if _repeatable(field.annotation)
        )
        self.openapi = _documented(model)

    async def __call__(self, request: Request) -> M:
        params = request.query_params
        values: dict[str, Any] = {}
        for name in params:
            if name in self.repeated:
                values[name] = params.getlist(name)
            elif name in self.names:
                values[name] = params[name]  # the last one, as FastAPI takes it
            else:  # for the model's `extra` policy: one value, or all of them
                given = params.getlist(name)
                values[name] = given[0] if len(given) == 1 else given
        try:
            return self.model.model_validate(values)
        except ValidationError as error:
            raise RequestValidationError(
                [
                    {**detail, "loc": ("query", *detail["loc"])}
                    for detail in error.errors(include_url=False)
                ]
            ) from None
