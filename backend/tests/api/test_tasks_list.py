"""GET /tasks and GET /tasks/counts: every filter, every order, paging, and their 422s."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.test_tasks import Headers, create

Lister = Callable[[str], list[str]]


@pytest.fixture
def titles(client: TestClient, headers: Headers) -> Lister:
    """The titles GET /tasks lists for a query string."""

    def listed(query: str) -> list[str]:
        response = client.get(f"/tasks?limit=100&{query}", headers=headers)
        assert response.status_code == 200, response.text
        return [task["title"] for task in response.json()]

    return listed


def counts(client: TestClient, headers: Headers, query: str = "") -> dict[str, int]:
    response = client.get(f"/tasks/counts?{query}", headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, int] = response.json()
    return result


def complete(client: TestClient, headers: Headers, task: dict[str, Any]) -> None:
    response = client.patch(f"/tasks/{task['id']}", headers=headers, json={"completed": True})
    assert response.status_code == 200, response.text


def test_q_needs_every_word_in_title_or_description_in_any_case(
    client: TestClient, headers: Headers, titles: Lister
) -> None:
    create(client, headers, "Buy MILK", description="two litres, Semi-skimmed")
    create(client, headers, "Call the bank")
    create(client, headers, "Milkshake recipe", description="for the bank holiday")
    create(client, headers, "Élan vital")
    assert titles("q=milk") == ["Milkshake recipe", "Buy MILK"]
    assert titles("q=MILK+litres") == ["Buy MILK"]  # one word in each field
    assert titles("q=bank+milk") == ["Milkshake recipe"]
    assert titles("q=milk+nowhere") == []
    assert titles("q=semi-skim") == ["Buy MILK"]
    assert titles("q=%C3%A9lan") == ["Élan vital"]  # not ASCII, other case
    assert titles("q=+++") == titles("")  # no words: no filter
    assert counts(client, headers, "q=milk") == {"all": 2, "active": 2, "completed": 0}


def test_q_follows_each_change_of_a_tasks_text(
    client: TestClient, headers: Headers, titles: Lister
) -> None:
    """On PostgreSQL q finds its candidates in a folded copy of the text kept by a trigger
    (migration 0008): what a task says now is found, what it said before and deleted tasks are
    not, and folding matches ILIKE's, beyond ASCII too."""
    renamed = create(client, headers, "Pay the invoice")
    create(client, headers, "Plain", description="see\tthe\nattached\u00a0INVOICES")
    gone = create(client, headers, "Invoice to delete")
    create(client, headers, "Long", description="Ü" * 250 + "needle")
    # Folded, more than an index entry can hold: searched without the index.
    create(client, headers, "Huge", description="漢" * 1994 + "needle")
    assert titles("q=voic") == ["Invoice to delete", "Plain", "Pay the invoice"]
    assert client.delete(f"/tasks/{gone['id']}", headers=headers).status_code == 204
    assert titles("q=voic") == ["Plain", "Pay the invoice"]
    assert titles("q=attached%C2%A0invoice") == ["Plain"]
    assert titles("q=the+attach") == ["Plain"]
    changed = client.patch(f"/tasks/{renamed['id']}", headers=headers, json={"title": "Pay rent"})
    assert changed.status_code == 200, changed.text
    assert titles("q=invoice") == ["Plain"]
    assert titles("q=rent") == ["Pay rent"]
    assert titles("q=%C3%BCneedle") == ["Long"]
    assert titles("q=needle") == ["Huge", "Long"]


@pytest.mark.parametrize(("q", "expected"), [("%", ["100% done"]), ("_", ["snake_case"])])
def test_q_wildcards_are_plain_characters(
    client: TestClient, headers: Headers, titles: Lister, q: str, expected: list[str]
) -> None:
    for title in ("100% done", "snake_case", "plain", "back\\slash"):
        create(client, headers, title)
    assert titles(f"q={q.replace('%', '%25')}") == expected
    assert titles("q=%5C") == ["back\\slash"]


def test_completed_filter(client: TestClient, headers: Headers, titles: Lister) -> None:
    tasks = [create(client, headers, f"t{n}") for n in range(3)]
    complete(client, headers, tasks[1])
    assert titles("completed=true") == ["t1"]
    assert titles("completed=false") == ["t2", "t0"]


def test_priority_filter_takes_any_of_several(
    client: TestClient, headers: Headers, titles: Lister
) -> None:
    for priority in ("none", "low", "medium", "high"):
        create(client, headers, priority, priority=priority)
    assert titles("priority=high") == ["high"]
    assert titles("priority=low&priority=high") == ["high", "low"]
    assert titles("priority=none&priority=none") == ["none"]
    assert counts(client, headers, "priority=low&priority=medium")["all"] == 2


def test_tag_filter_needs_every_tag(client: TestClient, headers: Headers, titles: Lister) -> None:
    create(client, headers, "home", tags=["home"])
    create(client, headers, "home work", tags=["home", "work"])
    create(client, headers, "work", tags=["work", "later"])
    assert titles("tag=home") == ["home work", "home"]
    assert titles("tag=home&tag=work") == ["home work"]
    assert titles("tag=HOME&tag=+Work+&tag=home") == ["home work"]  # normalised like tags
    assert titles("tag=home&tag=nowhere") == []
    assert titles("tag=nowhere") == []
    assert counts(client, headers, "tag=work") == {"all": 2, "active": 2, "completed": 0}


def test_due_filters(client: TestClient, headers: Headers, titles: Lister) -> None:
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        create(client, headers, day, due_date=day)
    create(client, headers, "undated")
    assert titles("due_from=2026-03-02") == ["2026-03-03", "2026-03-02"]
    assert titles("due_to=2026-03-02") == ["2026-03-02", "2026-03-01"]
    assert titles("due_from=2026-03-02&due_to=2026-03-02") == ["2026-03-02"]  # inclusive
    assert titles("has_due=true") == ["2026-03-03", "2026-03-02", "2026-03-01"]
    assert titles("has_due=false") == ["undated"]
    assert titles("has_due=false&due_from=2026-01-01") == []
    assert counts(client, headers, "has_due=false")["all"] == 1


def test_filters_combine_with_and(client: TestClient, headers: Headers, titles: Lister) -> None:
    target = create(
        client, headers, "Report", priority="high", tags=["work"], due_date="2026-04-01"
    )
    create(client, headers, "Report draft", priority="high", tags=["work"])
    create(client, headers, "Report copy", priority="low", tags=["work"], due_date="2026-04-01")
    create(client, headers, "Other", priority="high", tags=["work"], due_date="2026-04-01")
    complete(client, headers, target)
    query = "q=report&priority=high&tag=work&has_due=true&due_from=2026-04-01&due_to=2026-04-01"
    assert titles(query) == ["Report"]
    assert titles(f"{query}&completed=false") == []
    assert counts(client, headers, query) == {"all": 1, "active": 0, "completed": 1}


def test_counts_ignore_completed_sort_and_paging(client: TestClient, headers: Headers) -> None:
    tasks = [create(client, headers, f"t{n}") for n in range(3)]
    complete(client, headers, tasks[0])
    assert counts(client, headers, "completed=true&sort=title&limit=1&offset=2") == {
        "all": 3,
        "active": 2,
        "completed": 1,
    }


def test_sorts_and_their_reverse(client: TestClient, headers: Headers, titles: Lister) -> None:
    create(client, headers, "banana", priority="low", due_date="2026-05-02")
    create(client, headers, "Apple", priority="high")
    create(client, headers, "cherry", priority="none", due_date="2026-05-01")
    create(client, headers, "apricot", priority="medium", due_date="2026-05-03")
    newest_first = ["apricot", "cherry", "Apple", "banana"]
    assert titles("") == titles("sort=created") == titles("sort=created&order=desc")
    assert titles("") == newest_first
    assert titles("sort=created&order=asc") == newest_first[::-1]
    # Earliest due first, undated last; the reverse puts undated first.
    assert titles("sort=due") == titles("sort=due&order=asc")
    assert titles("sort=due") == ["cherry", "banana", "apricot", "Apple"]
    assert titles("sort=due&order=desc") == ["Apple", "apricot", "banana", "cherry"]
    assert titles("sort=priority") == titles("sort=priority&order=desc")
    assert titles("sort=priority") == ["Apple", "apricot", "banana", "cherry"]
    assert titles("sort=priority&order=asc") == ["cherry", "banana", "apricot", "Apple"]
    # A to Z ignoring case.
    assert titles("sort=title") == ["Apple", "apricot", "banana", "cherry"]
    assert titles("sort=title&order=desc") == ["cherry", "banana", "apricot", "Apple"]


@pytest.mark.parametrize("sort", ["created", "due", "priority", "title"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_ties_go_by_id_and_pages_neither_skip_nor_repeat(
    client: TestClient, headers: Headers, sort: str, order: str
) -> None:
    # Equal keys throughout (and a few undated): only the id tells them apart.
    ids = [
        create(client, headers, "Same", due_date=None if n % 3 else "2026-01-01")["id"]
        for n in range(7)
    ]
    query = f"sort={sort}&order={order}"
    whole = [t["id"] for t in client.get(f"/tasks?{query}", headers=headers).json()]
    paged: list[int] = []
    for offset in range(0, 8, 3):
        page = client.get(f"/tasks?{query}&limit=3&offset={offset}", headers=headers).json()
        paged += [t["id"] for t in page]
    assert paged == whole
    assert sorted(whole) == sorted(ids)
    if sort != "due":  # all keys equal: the id decides, in the order's direction
        assert whole == sorted(ids, reverse=order == "desc")
    else:
        dated = [i for n, i in enumerate(ids) if n % 3 == 0]
        undated = [i for i in ids if i not in dated]
        expected = dated + undated if order == "asc" else undated[::-1] + dated[::-1]
        assert whole == expected


@pytest.mark.parametrize("sort", ["created", "due", "priority", "title"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_a_tag_filter_pages_in_the_list_order(
    client: TestClient, headers: Headers, sort: str, order: str
) -> None:
    # Keys that repeat and undated tasks: the page is found before its rows are read
    # (app/statements.py), and must be the same page, in the same order, as the whole list's
    # tagged tasks.
    for n in range(10):
        due = None if n % 3 else f"2026-01-0{1 + n % 2}"
        tags = ["x"] if n % 4 else []
        create(
            client, headers, f"T{n % 3}", priority=("low", "high")[n % 2], due_date=due, tags=tags
        )
    query = f"sort={sort}&order={order}"
    tagged = [t["id"] for t in client.get(f"/tasks?{query}", headers=headers).json() if t["tags"]]
    pages = [
        t["id"]
        for offset in (0, 3, 6)
        for t in client.get(f"/tasks?{query}&tag=x&limit=3&offset={offset}", headers=headers).json()
    ]
    assert pages == tagged and len(tagged) == 7


def test_counts_by_tag_follow_every_change_of_completed(
    client: TestClient, headers: Headers
) -> None:
    # Counts filtered by tags read the links' copy of `completed` (migration 0007).
    a = create(client, headers, "a", tags=["x"])
    create(client, headers, "b", tags=["x", "y"])
    c = create(client, headers, "c", tags=["y"])
    assert counts(client, headers, "tag=x") == {"all": 2, "active": 2, "completed": 0}
    client.patch(f"/tasks/{a['id']}", headers=headers, json={"completed": True})
    assert counts(client, headers, "tag=x") == {"all": 2, "active": 1, "completed": 1}
    client.patch("/tasks?tag=y", headers=headers, json={"completed": True})  # b and c at once
    assert counts(client, headers, "tag=x") == {"all": 2, "active": 0, "completed": 2}
    assert counts(client, headers, "tag=x&tag=y") == {"all": 1, "active": 0, "completed": 1}
    # A new link of a task completed before it.
    client.patch(f"/tasks/{c['id']}", headers=headers, json={"tags": ["x", "y"]})
    assert counts(client, headers, "tag=x") == {"all": 3, "active": 0, "completed": 3}
    client.patch("/tasks", headers=headers, json={"completed": False})
    assert counts(client, headers, "tag=x&tag=y") == {"all": 2, "active": 2, "completed": 0}
    client.delete(f"/tasks/{a['id']}", headers=headers)
    assert counts(client, headers, "tag=x") == {"all": 2, "active": 2, "completed": 0}


def test_sort_within_a_filter_pages_stably(client: TestClient, headers: Headers) -> None:
    for n in range(9):
        create(client, headers, f"t{n}", priority=("low", "high")[n % 2], tags=["x"])
    query = "sort=priority&tag=x&priority=low&priority=high"
    whole = [t["id"] for t in client.get(f"/tasks?{query}", headers=headers).json()]
    pages = [
        t["id"]
        for offset in (0, 4, 8)
        for t in client.get(f"/tasks?{query}&limit=4&offset={offset}", headers=headers).json()
    ]
    assert pages == whole and len(whole) == 9


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("priority=urgent", "priority"),
        ("priority=high&priority=urgent", "priority"),
        ("sort=size", "sort"),
        ("order=up", "order"),
        ("due_from=2026-02-30", "due_from"),
        ("due_to=2026-13-01", "due_to"),
        ("due_from=tomorrow", "due_from"),
        ("due_from=2026-03-03&due_to=2026-03-01", "due_from"),
        ("tag=" + "x" * 33, "tag"),
        ("tag=+++", "tag"),
        ("tag=a.b", "tag"),
        ("&".join(f"tag=t{n}" for n in range(11)), "tag"),
        ("q=" + "q" * 101, "q"),
        ("q=nul%00byte", "q"),
        ("has_due=maybe", "has_due"),
        ("completed=maybe", "completed"),
    ],
)
def test_bad_list_queries_are_422_with_a_message(
    client: TestClient, headers: Headers, query: str, field: str
) -> None:
    for path in ("/tasks", "/tasks/counts"):
        if path == "/tasks/counts" and field in {"sort", "order", "completed"}:
            continue  # counts take neither
        response = client.get(f"{path}?{query}", headers=headers)
        assert response.status_code == 422, (path, response.text)
        errors = response.json()["detail"]
        messages = " ".join(error["msg"] for error in errors)
        assert field in messages or any(field in map(str, e["loc"]) for e in errors), errors


def test_query_limits_are_inclusive(client: TestClient, headers: Headers, titles: Lister) -> None:
    create(client, headers, "t", tags=[f"t{n}" for n in range(10)])
    assert titles("&".join(f"tag=t{n}" for n in range(10))) == ["t"]
    assert titles("q=" + "t" * 100) == []
    assert titles("q=" + "+".join("t" * 10) + "+") == ["t"]  # ten words, spaces around
    assert titles("tag=" + "x" * 32) == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=" + "+".join(["ab"] * 11), "at most 10 words, and no NUL characters"),
        ("q=" + "%09".join("a" * 50), "at most 10 words, and no NUL characters"),
        ("q=" + "x" * 101, "String should have at most 100 characters"),
    ],
    ids=["11 words", "50 words", "101 characters"],
)
def test_q_is_bounded_on_every_route_that_takes_it(
    client: TestClient, headers: Headers, query: str, message: str
) -> None:
    # Each word is a pattern checked against every candidate: an unbounded q let one user's
    # searches keep the database busy for everyone (issue 19).
    requests = [
        ("GET", "/tasks", None),
        ("GET", "/tasks/counts", None),
        ("PATCH", "/tasks", {"completed": True}),
        ("DELETE", "/tasks?completed=true", None),
    ]
    for method, path, body in requests:
        separator = "&" if "?" in path else "?"
        response = client.request(method, f"{path}{separator}{query}", headers=headers, json=body)
        assert response.status_code == 422, (path, response.text)
        (error,) = response.json()["detail"]
        assert (error["loc"], error["msg"]) == (["query", "q"], message)


@pytest.mark.parametrize(
    ("title", "queries"),
    [
        ("İstanbul trip", ["İstanbul", "İSTANBUL"]),
        ("ΟΔΟΣ work", ["οδος", "ΟΔΟΣ", "οδοσ"]),
        ("Straße fixing", ["STRASSE", "strasse", "Straße"]),
        ("ﬁnal report", ["final", "FINAL"]),
    ],
)
def test_search_folds_text_and_query_with_one_rule(
    client: TestClient, headers: Headers, titles: Lister, title: str, queries: list[str]
) -> None:
    # Unicode case folding and NFKC, the same for the stored text and the query (issue 19):
    # lower() on one side and the database's lower() on the other missed these.
    create(client, headers, title)
    create(client, headers, "unrelated")
    for q in queries:
        assert titles(f"q={q}") == [title], q
    # In the description too, and after a change of the title alone (folded again).
    task = create(client, headers, "x", description=title)
    assert titles(f"q={queries[0]}") == ["x", title]
    client.patch(f"/tasks/{task['id']}", headers=headers, json={"title": "Groß"})
    assert titles("q=gross") == ["Groß"]
    assert titles(f"q={queries[0]}") == ["Groß", title]
