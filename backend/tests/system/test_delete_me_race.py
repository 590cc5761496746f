"""DELETE /me racing the same user's writes (tagged creates, bulk PATCH, bulk DELETE) over a
real server on PostgreSQL: no 5xx from anyone, and it leaves nothing half-deleted behind: no
tag without its tasks, no link without its tag (issue 19: 44 of 60 failed, with deadlocks
and foreign-key violations on `tag`)."""

import asyncio
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support import api_server, auth, new_user, token

pytestmark = pytest.mark.slow

ROUNDS = 12
TAGS = ["alpha", "beta", "gamma", "delta"]


@pytest.fixture(scope="module")
def server(api_role_url: str) -> Iterator[str]:
    with api_server(api_role_url, AUTO_MIGRATE="false", MAX_INFLIGHT_PER_USER="100") as api:
        yield api.url


async def race(http: httpx.AsyncClient, headers: dict[str, str]) -> list[tuple[str, int]]:
    """A user with tagged tasks deletes everything while writing more, all at once."""

    async def call(name: str, method: str, path: str, body: Any = None) -> tuple[str, int]:
        response = await http.request(method, path, headers=headers, json=body)
        return name, response.status_code

    def create(n: int) -> Any:
        tags = [TAGS[n % 4], TAGS[(n + 1) % 4], TAGS[(n + 3) % 4]]
        return call("create", "POST", "/tasks", {"title": f"t{n}", "tags": tags})

    await asyncio.gather(*(create(n) for n in range(6)))
    return await asyncio.gather(
        *(create(n) for n in range(12)),
        call("complete", "PATCH", "/tasks?tag=alpha", {"completed": True}),
        call("reopen", "PATCH", "/tasks", {"completed": False}),
        call("complete", "PATCH", "/tasks?tag=beta", {"completed": True}),
        call("clear", "DELETE", "/tasks?completed=true"),
        call("clear", "DELETE", "/tasks?completed=true&tag=gamma"),
        call("delete me", "DELETE", "/me"),
        *(create(n) for n in range(12, 18)),
    )


async def left_behind(http: httpx.AsyncClient, headers: dict[str, str]) -> tuple[Any, Any]:
    """The user's tags as /tags counts them, and as their tasks carry them."""
    tasks = (await http.get("/tasks?limit=100", headers=headers)).json()
    carried = Counter(name for task in tasks for name in task["tags"])
    tags = (await http.get("/tags", headers=headers)).json()
    listed = {tag["name"]: tag["count"] for tag in tags}
    return listed, dict(carried)


async def rounds(base_url: str) -> tuple[list[tuple[str, int]], list[tuple[Any, Any]]]:
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
        answers, tags = [], []
        for _ in range(ROUNDS):
            headers = auth(token(new_user()))
            answers += await race(http, headers)
            tags.append(await left_behind(http, headers))
            # Whatever raced it, a second DELETE /me leaves nothing at all.
            assert (await http.delete("/me", headers=headers)).status_code == 204
            tags.append(await left_behind(http, headers))
        return answers, tags


def test_delete_me_racing_writes_never_answers_5xx(server: str) -> None:
    answers, tags = asyncio.run(rounds(server))
    failed = Counter(answer for answer in answers if answer[1] >= 500)
    assert not failed, failed
    for listed, carried in tags:
        assert listed == carried
    assert tags[1::2] == [({}, {})] * ROUNDS
