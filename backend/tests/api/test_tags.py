"""GET /tags: the caller's tags by name, with how many tasks carry each; unused tags are gone."""

from fastapi.testclient import TestClient

from tests.api.test_tasks import Headers, create


def tags(client: TestClient, headers: Headers) -> list[tuple[str, int]]:
    response = client.get("/tags", headers=headers)
    assert response.status_code == 200, response.text
    return [(tag["name"], tag["count"]) for tag in response.json()]


def test_tags_by_name_with_counts(client: TestClient, headers: Headers) -> None:
    assert tags(client, headers) == []
    create(client, headers, "a", tags=["work", "Home"])
    create(client, headers, "b", tags=["home", "a b", "a-b", "a_b", "ab"])
    # Byte order, as a task's own tags are sorted.
    assert tags(client, headers) == [
        ("a b", 1),
        ("a-b", 1),
        ("a_b", 1),
        ("ab", 1),
        ("home", 2),
        ("work", 1),
    ]


def test_counts_follow_every_change_and_unused_tags_go(
    client: TestClient, headers: Headers
) -> None:
    first = create(client, headers, "a", tags=["home", "work"])
    second = create(client, headers, "b", tags=["home"])
    assert tags(client, headers) == [("home", 2), ("work", 1)]
    client.patch(f"/tasks/{first['id']}", headers=headers, json={"tags": ["work", "later"]})
    assert tags(client, headers) == [("home", 1), ("later", 1), ("work", 1)]
    client.patch(f"/tasks/{second['id']}", headers=headers, json={"tags": []})
    assert tags(client, headers) == [("later", 1), ("work", 1)]
    client.delete(f"/tasks/{first['id']}", headers=headers)
    assert tags(client, headers) == []
    # A name used again is a fresh tag.
    create(client, headers, "c", tags=["home"])
    assert tags(client, headers) == [("home", 1)]


def test_completed_tasks_count_and_clearing_them_uncounts(
    client: TestClient, headers: Headers
) -> None:
    for title in ("a", "b", "c"):
        create(client, headers, title, tags=["home"])
    client.patch("/tasks?q=a", headers=headers, json={"completed": True})
    assert tags(client, headers) == [("home", 3)]
    client.delete("/tasks?completed=true", headers=headers)
    assert tags(client, headers) == [("home", 2)]


def test_tags_need_a_token(client: TestClient) -> None:
    response = client.get("/tags")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
