"""A reader of GET /events for the tests: server-sent events as the spec parses them, and a
client's copy of the caller's tasks and lists that applies them."""

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support import auth


@dataclass
class Block:
    """One block of the stream (up to a blank line): an event, or comments alone."""

    comments: list[str] = field(default_factory=list)
    event: str | None = None
    id: str | None = None
    data: str | None = None

    def json(self) -> dict[str, Any]:
        assert self.data is not None, self
        parsed: dict[str, Any] = json.loads(self.data)
        return parsed


class EventReader:
    def __init__(self, response: httpx.Response) -> None:
        self.response = response
        self._lines = response.iter_lines()

    def block(self) -> Block | None:
        """The next block, or None when the stream has ended."""
        block = Block()
        for line in self._lines:
            if line == "":
                return block
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "":
                block.comments.append(value)
            elif name == "data":
                block.data = value if block.data is None else f"{block.data}\n{value}"
            elif name in ("event", "id"):
                setattr(block, name, value)
        return None

    def event(self, seconds: float = 20.0) -> Block:
        """The next event (a block with data), skipping comments (heartbeats), within
        `seconds`."""
        deadline = time.monotonic() + seconds
        while True:
            block = self.block()
            assert block is not None, "the stream ended"
            if block.data is not None:
                return block
            assert time.monotonic() < deadline, f"no event within {seconds} s"

    def until(self, wanted: dict[str, Any], seen: list[Block] | None = None) -> Block:
        """Reads events up to the first whose data has every item of `wanted` (each event read
        goes to `seen`)."""
        while True:
            event = self.event()
            if seen is not None:
                seen.append(event)
            data = event.json()
            if all(data.get(key) == value for key, value in wanted.items()):
                return event


@contextmanager
def events(
    base_url: str, token: str, last_event_id: str | None = None, read_timeout: float = 20.0
) -> Iterator[EventReader]:
    """GET /events, open (its first block, the connected comment, read) for the block."""
    headers = auth(token)
    if last_event_id is not None:
        headers["Last-Event-ID"] = last_event_id
    timeout = httpx.Timeout(10.0, read=read_timeout)
    with (
        httpx.Client(base_url=base_url, timeout=timeout) as client,
        client.stream("GET", "/events", headers=headers) as response,
    ):
        assert response.status_code == 200, response.read()
        reader = EventReader(response)
        first = reader.block()
        assert first is not None and first.comments, first
        yield reader


@dataclass
class Replica:
    """What a client keeps of the caller's data, by applying events."""

    tasks: dict[int, dict[str, Any]] = field(default_factory=dict)
    lists: dict[int, dict[str, Any]] = field(default_factory=dict)
    cursor: str | None = None
    resets: int = 0

    def apply(self, block: Block) -> None:
        self.cursor = block.id or self.cursor
        data = block.json()
        if block.event == "reset":
            self.resets += 1
            return
        kind, action = data["type"].split(".")
        rows = self.tasks if kind == "task" else self.lists
        if action == "deleted":
            rows.pop(data["id"], None)
        else:
            assert data["row"]["id"] == data["id"], data
            rows[data["id"]] = data["row"]


def refetched(client: httpx.Client, token: str, task_ids: set[int]) -> Replica:
    """The caller's lists, and those of `task_ids` that exist, as the API answers now."""
    headers = auth(token)
    lists = client.get("/lists", headers=headers).json()
    tasks = {}
    for task_id in task_ids:
        response = client.get(f"/tasks/{task_id}", headers=headers)
        if response.status_code == 200:
            tasks[task_id] = response.json()
        else:
            assert response.status_code == 404, response.text
    return Replica(tasks=tasks, lists={row["id"]: row for row in lists})
