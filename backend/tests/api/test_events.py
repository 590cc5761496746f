"""GET /events against a real server (a stream never ends, so not through TestClient): the
contract, replay and reset, the token's expiry, the heartbeat, and each user seeing exactly
their own changes."""

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from devtools import Server, uvicorn
from tests.sse import Block, EventReader, Replica, events, refetched
from tests.support import SECRET, auth, backend_env, new_user, token

Headers = dict[str, str]

HEARTBEAT_SECONDS = 0.5
MAX_STREAMS = 3


@pytest.fixture(scope="module")
def api(database_url: str) -> Iterator[Server]:
    env = backend_env(
        BETTER_AUTH_SECRET=SECRET,
        DATABASE_URL=database_url,
        EVENTS_HEARTBEAT_SECONDS=str(HEARTBEAT_SECONDS),
        MAX_STREAMS_PER_USER=str(MAX_STREAMS),
        # Fewer than a user's streams: streams must not count as requests in flight.
        MAX_INFLIGHT_PER_USER=str(MAX_STREAMS - 1),
    )
    with uvicorn(env, "--no-access-log") as server:
        yield server


@pytest.fixture
def http(api: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.url, timeout=10) as client:
        yield client


def _created(http: httpx.Client, jwt: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = http.post(path, headers=auth(jwt), json=body)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def _until_sentinel(http: httpx.Client, jwt: str, stream: EventReader) -> list[Block]:
    """The events up to that of a list created now: every change made before it."""
    sentinel = _created(http, jwt, "/lists", {"name": "sentinel"})
    seen: list[Block] = []
    stream.until({"type": "list.created", "id": sentinel["id"]}, seen)
    return seen


def test_the_stream_is_text_event_stream_without_caching(api: Server) -> None:
    with events(api.url, token(new_user())) as stream:
        assert stream.response.headers["content-type"].startswith("text/event-stream")
        assert stream.response.headers["cache-control"] == "no-cache"


def test_each_task_change_is_an_event_with_its_cursor_and_row(
    api: Server, http: httpx.Client, jwt: str, headers: Headers
) -> None:
    with events(api.url, jwt) as stream:
        created = _created(http, jwt, "/tasks", {"title": "first"})
        event = stream.event()
        assert event.json() == {"type": "task.created", "id": created["id"], "row": created}
        assert event.event is None
        updated = http.patch(f"/tasks/{created['id']}", headers=headers, json={"title": "new"})
        # A write may take two transactions (the search text folded again): each is an event.
        event_2 = stream.until({"row": updated.json()})
        assert event_2.json()["type"] == "task.updated"
        assert http.delete(f"/tasks/{created['id']}", headers=headers).status_code == 204
        event_3 = stream.until({"type": "task.deleted"})
        assert event_3.json() == {"type": "task.deleted", "id": created["id"]}
    cursors = [int(e.id or "") for e in (event, event_2, event_3)]
    assert cursors == sorted(set(cursors))


def test_list_changes_are_events_and_a_task_updates_its_list_count(
    api: Server, http: httpx.Client, jwt: str, headers: Headers
) -> None:
    with events(api.url, jwt) as stream:
        made = _created(http, jwt, "/lists", {"name": "Errands"})
        assert stream.event().json() == {"type": "list.created", "id": made["id"], "row": made}
        task = _created(http, jwt, "/tasks", {"title": "milk", "list_id": made["id"]})
        seen: list[Block] = []
        stream.until({"type": "list.updated", "id": made["id"]}, seen)
        stream_list = [e.json() for e in seen]
        assert {"type": "task.created", "id": task["id"], "row": task} in stream_list
        assert stream_list[-1]["row"]["open_count"] == 1
        renamed = http.patch(f"/lists/{made['id']}", headers=headers, json={"name": "Shop"})
        assert renamed.status_code == 200, renamed.text
        row = stream.until({"type": "list.updated"}).json()["row"]
        assert [row] == http.get("/lists", headers=headers).json()
        assert http.delete(f"/lists/{made['id']}", headers=headers).status_code == 204
        stream.until({"type": "list.deleted", "id": made["id"]})


def test_a_bulk_change_sends_an_event_per_row_and_a_replica_matches_a_refetch(
    api: Server, http: httpx.Client, jwt: str, headers: Headers
) -> None:
    replica = Replica()
    with events(api.url, jwt) as stream:
        ids = {_created(http, jwt, "/tasks", {"title": f"t{n}"})["id"] for n in range(5)}
        done = http.patch("/tasks", headers=headers, json={"completed": True})
        assert done.json() == {"updated": 5}
        cleared = http.delete("/tasks?completed=true", headers=headers)
        assert cleared.json() == {"deleted": 5}
        seen = _until_sentinel(http, jwt, stream)
    for event in seen:
        replica.apply(event)
    deleted = {e.json()["id"] for e in seen if e.json()["type"] == "task.deleted"}
    assert deleted == ids
    expected = refetched(http, jwt, ids)
    assert (replica.tasks, replica.lists) == (expected.tasks, expected.lists)


def test_a_repeating_task_completed_moves_on_and_its_done_copy_is_created(
    api: Server, http: httpx.Client, jwt: str, headers: Headers
) -> None:
    repeating = _created(
        http, jwt, "/tasks", {"title": "water", "due_date": "2026-01-05", "repeat": "FREQ=DAILY"}
    )
    replica = Replica(tasks={repeating["id"]: repeating})
    with events(api.url, jwt) as stream:
        moved = http.patch(f"/tasks/{repeating['id']}", headers=headers, json={"completed": True})
        assert moved.status_code == 200, moved.text
        seen = _until_sentinel(http, jwt, stream)
    for event in seen:
        replica.apply(event)
    copies = {e.json()["id"] for e in seen if e.json()["type"] == "task.created"}
    assert len(copies) == 1
    assert replica.tasks[repeating["id"]] == moved.json()
    expected = refetched(http, jwt, {repeating["id"], *copies})
    assert replica.tasks == expected.tasks


def test_last_event_id_replays_every_change_after_it(
    api: Server, http: httpx.Client, jwt: str, headers: Headers
) -> None:
    with events(api.url, jwt) as stream:
        first = _created(http, jwt, "/tasks", {"title": "seen"})
        cursor = stream.event().id
    assert cursor is not None
    later = _created(http, jwt, "/tasks", {"title": "missed"})
    http.patch(f"/tasks/{first['id']}", headers=headers, json={"completed": True})
    with events(api.url, jwt, last_event_id=cursor) as stream:
        replayed = [stream.event().json() for _ in range(2)]
    assert [(e["type"], e["id"]) for e in replayed] == [
        ("task.created", later["id"]),
        ("task.updated", first["id"]),
    ]
    assert replayed[1]["row"]["completed"] is True


@pytest.mark.parametrize("cursor", ["1", "0", "abc", "-5", "9" * 30, "9223372036854775807"])
def test_a_cursor_that_cannot_be_replayed_gets_one_reset_with_the_latest_cursor(
    api: Server, http: httpx.Client, cursor: str, jwt: str
) -> None:
    _created(http, jwt, "/tasks", {"title": "one"})
    with events(api.url, jwt) as stream:
        latest = _created(http, jwt, "/tasks", {"title": "two"})
        latest_cursor = stream.until({"id": latest["id"]}).id
    with events(api.url, jwt, last_event_id=cursor) as stream:
        reset = stream.event()
        assert (reset.event, reset.id, reset.json()) == ("reset", latest_cursor, {"type": "reset"})
        after = _created(http, jwt, "/tasks", {"title": "three"})
        assert stream.event().json()["id"] == after["id"]


def test_another_users_cursor_is_a_reset_not_their_changes(api: Server, http: httpx.Client) -> None:
    owner, other = token(new_user()), token(new_user())
    with events(api.url, owner) as stream:
        _created(http, owner, "/tasks", {"title": "private"})
        foreign = stream.event().id
    assert foreign is not None
    with events(api.url, other, last_event_id=foreign) as stream:
        reset = stream.event()
        # The other user has no changes: no cursor to give.
        assert (reset.event, reset.id, reset.json()) == ("reset", None, {"type": "reset"})


@pytest.mark.parametrize(
    "headers",
    [{}, auth("not-a-token"), auth(token(new_user(), secret="x" * 40)), auth(token("u", exp=1))],
)
def test_a_stream_needs_a_valid_bearer_token(http: httpx.Client, headers: dict[str, str]) -> None:
    response = http.get("/events", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_a_token_past_its_exp_but_within_the_leeway_is_refused_a_stream(
    http: httpx.Client,
) -> None:
    """Within JWT_LEEWAY_SECONDS the token is still valid for a call, but a stream would end at
    once: the 401 makes the client fetch a fresh token rather than reconnect in a loop."""
    expired = token(new_user(), exp=int(time.time()) - 5)
    assert http.get("/tasks", headers=auth(expired)).status_code == 200
    response = http.get("/events", headers=auth(expired))
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"detail": "token expired"}


def test_the_stream_ends_at_the_tokens_expiry(api: Server) -> None:
    expires = int(time.time()) + 2
    with events(api.url, token(new_user(), exp=expires)) as stream:
        while (block := stream.block()) is not None:
            assert block.data is None  # only heartbeats before the end
    # Ended by the server (the read timeout is far longer), and not before the expiry.
    assert time.time() >= expires


def test_a_quiet_stream_sends_a_comment_every_heartbeat(api: Server) -> None:
    with events(api.url, token(new_user())) as stream:
        for _ in range(2):
            block = stream.block()
            assert block is not None
            assert (block.comments, block.data, block.id) == (["ping"], None, None)


def test_a_user_has_at_most_max_streams_per_user_open(
    api: Server, http: httpx.Client, jwt: str
) -> None:
    with events(api.url, jwt), events(api.url, jwt), events(api.url, jwt):
        refused = http.get("/events", headers=auth(jwt))
        assert refused.status_code == 429
        assert refused.json() == {"detail": "too many event streams open for this user"}
        assert refused.headers["retry-after"].isdigit()
        # Other requests of the user are not held up by the open streams.
        assert http.get("/tasks", headers=auth(jwt)).status_code == 200
    with events(api.url, jwt):
        pass


_OPERATIONS = st.lists(
    st.tuples(
        st.integers(0, 2),  # which user
        st.sampled_from(["task", "list", "update", "complete_all", "delete", "clear"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=_OPERATIONS)
def test_each_user_receives_exactly_their_own_changes(
    api: Server, http: httpx.Client, operations: list[tuple[int, str]]
) -> None:
    users = [token(new_user()) for _ in range(3)]
    owned: list[set[int]] = [set() for _ in users]
    with (
        events(api.url, users[0]) as s0,
        events(api.url, users[1]) as s1,
        events(api.url, users[2]) as s2,
    ):
        for who, operation in operations:
            _operate(http, users[who], operation, owned[who])
        sentinels = [_created(http, jwt, "/lists", {"name": "sentinel"}) for jwt in users]
        for who, stream in enumerate((s0, s1, s2)):
            seen: list[Block] = []
            stream.until({"type": "list.created", "id": sentinels[who]["id"]}, seen)
            replica = Replica()
            for event in seen:
                replica.apply(event)
            task_ids = {e.json()["id"] for e in seen if e.json()["type"].startswith("task.")}
            assert task_ids <= owned[who]
            expected = refetched(http, users[who], owned[who])
            assert replica.tasks == expected.tasks
            assert replica.lists == expected.lists


def _operate(http: httpx.Client, jwt: str, operation: str, owned: set[int]) -> None:
    headers = auth(jwt)
    if operation == "task":
        owned.add(_created(http, jwt, "/tasks", {"title": "t"})["id"])
    elif operation == "list":
        made = _created(http, jwt, "/lists", {"name": f"l{len(owned)}-{time.monotonic_ns()}"})
        owned.add(_created(http, jwt, "/tasks", {"title": "in", "list_id": made["id"]})["id"])
    elif operation == "update" and owned:
        http.patch(f"/tasks/{max(owned)}", headers=headers, json={"title": "changed"})
    elif operation == "complete_all":
        http.patch("/tasks", headers=headers, json={"completed": True})
    elif operation == "delete" and owned:
        http.delete(f"/tasks/{min(owned)}", headers=headers)
    elif operation == "clear":
        http.delete("/tasks?completed=true", headers=headers)
