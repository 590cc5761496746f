"""Completing a repeating task: a completed copy is kept and the task moves to its next
occurrence, in one transaction; single and bulk; due times and rules are checked."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import recurrence
from tests.api.organize import Headers, create, error_locations, listed, patch, read


def copies_of(client: TestClient, headers: Headers, task: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        t
        for t in listed(client, headers, "?completed=true&limit=100")
        if t["repeat_of"] == task["id"]
    ]


def test_completing_keeps_a_copy_and_moves_the_task(client: TestClient, headers: Headers) -> None:
    work = client.post("/lists", headers=headers, json={"name": "Work"}).json()
    task = create(
        client,
        headers,
        "Report",
        description="weekly",
        priority="high",
        tags=["office"],
        list_id=work["id"],
        due_date="2027-01-04",
        due_time="09:30",
        repeat="FREQ=WEEKLY;BYDAY=MO",
    )
    moved = patch(client, headers, task["id"], completed=True, completed_on="2027-01-04")
    assert (moved["completed"], moved["due_date"], moved["repeat"]) == (
        False,
        "2027-01-11",
        "FREQ=WEEKLY;BYDAY=MO",
    )
    (copy,) = copies_of(client, headers, task)
    assert copy["id"] != task["id"]
    assert (copy["title"], copy["description"], copy["priority"], copy["tags"]) == (
        "Report",
        "weekly",
        "high",
        ["office"],
    )
    assert (copy["list_id"], copy["repeat"], copy["completed"], copy["due_date"]) == (
        work["id"],
        None,
        True,
        "2027-01-04",
    )
    assert copy["completed_at"] is not None
    assert client.get("/tags", headers=headers).json() == [{"name": "office", "count": 2}]


def test_late_completion_moves_past_the_completion_day(
    client: TestClient, headers: Headers
) -> None:
    task = create(client, headers, due_date="2027-01-04", repeat="FREQ=WEEKLY;BYDAY=MO")
    moved = patch(client, headers, task["id"], completed=True, completed_on="2027-01-20")
    assert moved["due_date"] == "2027-01-25"


def test_monthly_rules_follow_rfc_5545(client: TestClient, headers: Headers) -> None:
    for rule, due, expected in (
        ("FREQ=MONTHLY;BYMONTHDAY=31", "2027-01-31", "2027-03-31"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "2027-01-31", "2027-02-28"),
        ("FREQ=MONTHLY;BYDAY=2MO", "2027-01-11", "2027-02-08"),
    ):
        task = create(client, headers, due_date=due, repeat=rule)
        assert (
            patch(client, headers, task["id"], completed=True, completed_on=due)["due_date"]
            == expected
        )


def test_repeating_from_completion(client: TestClient, headers: Headers) -> None:
    task = create(
        client,
        headers,
        due_date="2027-01-04",
        repeat="FREQ=DAILY;INTERVAL=3",
        repeat_from="completion",
    )
    moved = patch(client, headers, task["id"], completed=True, completed_on="2027-01-10")
    assert moved["due_date"] == "2027-01-13"


def test_count_used_up_just_completes(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY;COUNT=2")
    assert (
        patch(client, headers, task["id"], completed=True, completed_on="2027-01-01")["completed"]
        is False
    )
    last = patch(client, headers, task["id"], completed=True, completed_on="2027-01-02")
    assert (last["completed"], last["due_date"]) == (True, "2027-01-02")
    assert len(copies_of(client, headers, task)) == 1


def test_until_passed_just_completes(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY;UNTIL=20270101")
    assert (
        patch(client, headers, task["id"], completed=True, completed_on="2027-01-01")["completed"]
        is True
    )
    assert copies_of(client, headers, task) == []


def test_completed_subtasks_reopen_for_the_next_occurrence(
    client: TestClient, headers: Headers
) -> None:
    task = create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY")
    done = create(client, headers, parent_id=task["id"])
    patch(client, headers, done["id"], completed=True)
    moved = patch(client, headers, task["id"], completed=True, completed_on="2027-01-01")
    assert moved["subtasks"] == {"total": 1, "completed": 0}
    assert read(client, headers, done["id"])["completed"] is False


def test_bulk_completion_repeats_too(client: TestClient, headers: Headers) -> None:
    repeating = create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY")
    plain = create(client, headers)
    response = client.patch(
        "/tasks", headers=headers, json={"completed": True, "completed_on": "2027-01-01"}
    )
    assert response.json() == {"updated": 2}
    assert read(client, headers, repeating["id"])["due_date"] == "2027-01-02"
    assert read(client, headers, plain["id"])["completed"] is True
    assert len(copies_of(client, headers, repeating)) == 1


def test_bulk_completion_is_all_or_nothing(
    client: TestClient, headers: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    repeating = [create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY") for _ in "ab"]
    plain = create(client, headers)
    next_due = recurrence.next_due
    calls: list[str] = []

    def failing_second(*args: Any) -> Any:
        # The second repeating task fails, after the plain task and the first repeating one
        # were written.
        calls.append(args[0])
        if len(calls) == 2:
            raise RuntimeError("failed part-way")
        return next_due(*args)

    monkeypatch.setattr(recurrence, "next_due", failing_second)
    with pytest.raises(RuntimeError, match="part-way"):
        client.patch("/tasks", headers=headers, json={"completed": True})
    assert len(calls) == 2
    for task in [*repeating, plain]:
        assert read(client, headers, task["id"]) == task
    assert listed(client, headers, "?completed=true") == []


def test_other_changes_go_with_the_completion(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY")
    moved = patch(
        client, headers, task["id"], completed=True, completed_on="2027-01-01", title="renamed"
    )
    assert (moved["title"], moved["due_date"]) == ("renamed", "2027-01-02")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"due_time": "17:30"}, "due_time"),
        ({"due_time": "24:00", "due_date": "2027-01-01"}, "due_time"),
        ({"due_time": "7:30", "due_date": "2027-01-01"}, "due_time"),
        ({"repeat": "FREQ=DAILY"}, "repeat"),
        ({"repeat": "FREQ=HOURLY", "due_date": "2027-01-01"}, "FREQ"),
        ({"repeat": "FREQ=DAILY;BYSETPOS=1", "due_date": "2027-01-01"}, "BYSETPOS"),
        (
            {
                "repeat": "FREQ=WEEKLY;BYDAY=MO",
                "repeat_from": "completion",
                "due_date": "2027-01-01",
            },
            "BYDAY",
        ),
        ({"repeat_from": "later"}, "repeat_from"),
    ],
)
def test_bad_times_and_rules_are_422_naming_the_part(
    client: TestClient, headers: Headers, body: dict[str, object], field: str
) -> None:
    response = client.post("/tasks", headers=headers, json={"title": "t", **body})
    assert response.status_code == 422
    assert field in response.text


def test_a_time_or_repeat_needs_the_stored_due_date(client: TestClient, headers: Headers) -> None:
    task = create(client, headers)
    response = client.patch(f"/tasks/{task['id']}", headers=headers, json={"due_time": "08:00"})
    assert error_locations(response) == [["body", "due_date"]]
    dated = create(client, headers, due_date="2027-01-01", due_time="08:00")
    assert patch(client, headers, dated["id"], due_time="18:45")["due_time"] == "18:45"
    # Clearing the date clears the time and the repeat that need it.
    timed = create(client, headers, due_date="2027-01-01", due_time="08:00", repeat="FREQ=DAILY")
    cleared = patch(client, headers, timed["id"], due_date=None)
    assert (cleared["due_time"], cleared["repeat"]) == (None, None)
    both = client.patch(
        f"/tasks/{dated['id']}", headers=headers, json={"due_date": None, "due_time": "08:00"}
    )
    assert both.status_code == 422
    repeating = create(client, headers, due_date="2027-01-01", repeat="FREQ=WEEKLY;BYDAY=MO")
    switched = client.patch(
        f"/tasks/{repeating['id']}", headers=headers, json={"repeat_from": "completion"}
    )
    assert error_locations(switched) == [["body", "repeat_from"]]


def test_completed_on_is_read_only_with_a_completion(client: TestClient, headers: Headers) -> None:
    task = create(client, headers, due_date="2027-01-01", repeat="FREQ=DAILY")
    for body in (
        {"completed_on": "2027-01-05"},
        {"completed": False, "completed_on": "2027-01-05"},
    ):
        assert patch(client, headers, task["id"], **body)["due_date"] == "2027-01-01"
    for bad in ({"completed_on": None}, {"completed": True, "completed_on": "2027-1-5"}):
        response = client.patch(f"/tasks/{task['id']}", headers=headers, json=bad)
        assert response.status_code == 422


def test_completing_while_taking_the_repeat_away_completes_it_once(
    client: TestClient, headers: Headers
) -> None:
    """One call that ends the repeat and ticks the task: a plain completion, no copy (found by
    the contract check's fuzzing: it was a 500)."""
    task = create(client, headers, "Water", due_date="2027-01-04", repeat="FREQ=DAILY")
    done = patch(client, headers, task["id"], completed=True, repeat=None)
    assert (done["completed"], done["repeat"], done["due_date"]) == (True, None, "2027-01-04")
    assert copies_of(client, headers, task) == []
