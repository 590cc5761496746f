"""The OpenAPI schema says what the server does: names, statuses, request rules, methods."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.models import IDEMPOTENCY_KEY_PATTERN, TITLE_MAX, TITLE_PATTERN

Headers = dict[str, str]
Spec = dict[str, Any]
METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}
OPERATIONS = {
    ("/health", "get"): "health",
    ("/health/ready", "get"): "ready",
    ("/tasks", "get"): "listTasks",
    ("/tasks", "post"): "createTask",
    ("/tasks/counts", "get"): "countTasks",
    ("/tasks/{task_id}", "get"): "readTask",
    ("/tasks/{task_id}", "patch"): "updateTask",
    ("/tasks/{task_id}", "delete"): "deleteTask",
    ("/tasks", "patch"): "completeTasks",
    ("/tasks", "delete"): "deleteCompletedTasks",
    ("/tasks/{task_id}/move", "post"): "moveTask",
    ("/lists", "get"): "listLists",
    ("/lists", "post"): "createList",
    ("/lists/{list_id}", "patch"): "updateList",
    ("/lists/{list_id}", "delete"): "deleteList",
    ("/tags", "get"): "listTags",
    ("/me", "delete"): "deleteMe",
    ("/export", "get"): "exportData",
    ("/import", "post"): "importData",
    ("/events", "get"): "streamEvents",
}
# The tag of each path's first segment, where it is not the segment itself.
TAGS = {"export": "data", "import": "data"}


@pytest.fixture
def spec(client: TestClient) -> Spec:
    spec: Spec = client.get("/openapi.json").json()
    return spec


def operations(spec: Spec) -> dict[tuple[str, str], dict[str, Any]]:
    return {(path, m): op for path, item in spec["paths"].items() for m, op in item.items()}


def test_operations_have_meaningful_ids_and_tags(spec: Spec) -> None:
    found = operations(spec)
    assert {key: op["operationId"] for key, op in found.items()} == OPERATIONS
    for (path, _), op in found.items():
        segment = path.split("/")[1]
        assert op["tags"] == [TAGS.get(segment, segment)]
        assert op["summary"] and op["description"]
    names = [tag["name"] for tag in spec["tags"]]
    assert names == ["tasks", "lists", "tags", "me", "data", "events", "health"]


def test_every_status_is_documented_with_its_body(spec: Spec) -> None:
    error = {"$ref": "#/components/schemas/ErrorMessage"}
    for (path, method), op in operations(spec).items():
        responses = op["responses"]
        expected = {"413", "431"}
        if not path.startswith("/health"):
            expected |= {"400", "401", "503"}
            assert responses["401"]["headers"]["WWW-Authenticate"]
            assert responses["503"]["headers"]["Retry-After"]
        if "{task_id}" in path or "{list_id}" in path:
            expected |= {"404", "422"}
        if path in ("/tasks", "/tasks/counts", "/export", "/import", "/events"):
            expected.add("422")
        if path == "/health/ready":
            expected.add("503")
        assert expected <= set(responses), (path, method)
        for status in expected - {"422", "503"}:
            assert responses[status]["content"]["application/json"]["schema"] == error


def test_task_update_says_what_the_server_accepts(spec: Spec) -> None:
    schema = spec["components"]["schemas"]["TaskUpdate"]
    assert schema["minProperties"] == 1
    assert schema["additionalProperties"] is False
    title, completed = schema["properties"]["title"], schema["properties"]["completed"]
    assert "anyOf" not in title and "default" not in title
    assert (title["type"], title["pattern"], title["maxLength"]) == (
        "string",
        TITLE_PATTERN,
        TITLE_MAX,
    )
    assert completed == {"type": "boolean", "title": "Completed"}
    description = schema["properties"]["description"]
    assert {"type": "null"} in description["anyOf"]


def test_the_title_rule_is_the_same_on_create(spec: Spec) -> None:
    title = spec["components"]["schemas"]["TaskCreate"]["properties"]["title"]
    assert (title["minLength"], title["maxLength"], title["pattern"]) == (
        1,
        TITLE_MAX,
        TITLE_PATTERN,
    )


def test_query_values_are_typed_as_parsed(spec: Spec) -> None:
    parameters = {p["name"]: p["schema"] for p in spec["paths"]["/tasks"]["get"]["parameters"]}
    assert parameters["completed"]["type"] == "boolean"
    assert (parameters["limit"]["minimum"], parameters["limit"]["maximum"]) == (1, 100)
    assert parameters["offset"]["minimum"] == 0


def test_a_405_lists_every_method_of_the_path(
    client: TestClient, headers: Headers, spec: Spec
) -> None:
    for path, item in spec["paths"].items():
        declared = {method.upper() for method in item}
        concrete = path.replace("{task_id}", "1").replace("{list_id}", "1")
        for method in METHODS - declared:
            response = client.request(method, concrete, headers=headers)
            assert response.status_code == 405, (method, path)
            assert response.headers["allow"] == ", ".join(sorted(declared)), (method, path)
            assert response.json() == {"detail": "Method Not Allowed"}


def test_counts_is_not_a_task_id(client: TestClient, headers: Headers) -> None:
    for method in ("PATCH", "DELETE"):
        response = client.request(method, "/tasks/counts", headers=headers, json={"title": "x"})
        assert response.status_code == 405
        assert response.headers["allow"] == "GET"


def test_the_create_documents_its_idempotency_key(spec: Spec) -> None:
    create = spec["paths"]["/tasks"]["post"]
    (key,) = [p for p in create["parameters"] if p["name"] == "Idempotency-Key"]
    assert (key["in"], key.get("required", False)) == ("header", False)
    assert key["schema"]["pattern"] == IDEMPOTENCY_KEY_PATTERN
    task = {"$ref": "#/components/schemas/TaskPublic"}
    for status in ("200", "201"):
        assert create["responses"][status]["content"]["application/json"]["schema"] == task
    assert {"404", "422"} <= set(create["responses"])
    assert "another body" in create["responses"]["422"]["description"]
