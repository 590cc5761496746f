"""Helpers of the tests of lists, subtasks, repeats and the manual order."""

from typing import Any

from fastapi.testclient import TestClient

Headers = dict[str, str]


def create(
    client: TestClient, headers: Headers, title: str = "t", **extra: object
) -> dict[str, Any]:
    response = client.post("/tasks", headers=headers, json={"title": title, **extra})
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def patch(client: TestClient, headers: Headers, task_id: int, **changes: object) -> dict[str, Any]:
    response = client.patch(f"/tasks/{task_id}", headers=headers, json=changes)
    assert response.status_code == 200, response.text
    changed: dict[str, Any] = response.json()
    return changed


def read(client: TestClient, headers: Headers, task_id: int) -> dict[str, Any]:
    response = client.get(f"/tasks/{task_id}", headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def listed(client: TestClient, headers: Headers, query: str = "") -> list[dict[str, Any]]:
    response = client.get(f"/tasks{query}", headers=headers)
    assert response.status_code == 200, response.text
    tasks: list[dict[str, Any]] = response.json()
    return tasks


def error_locations(response: Any) -> list[list[Any]]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]
