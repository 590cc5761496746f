"""One user's requests in flight are capped per worker (MAX_INFLIGHT_PER_USER): beyond it a 429
with Retry-After, while every other user's requests go through."""

import asyncio

import httpx
from prometheus_client import REGISTRY

from app.api.deps import CurrentUser
from app.main import create_app
from app.observability import metrics
from tests.conftest import make_settings
from tests.support import auth, new_user, token


def refusals() -> float:
    return REGISTRY.get_sample_value("rate_limit_refusals_total", {"limit": "in_flight"}) or 0.0


def test_requests_beyond_the_cap_are_429_and_other_users_pass(database_url: str) -> None:
    metrics.enable()
    refused_before = refusals()
    app = create_app(make_settings(database_url, max_inflight_per_user=2))
    release, both_arrived = asyncio.Event(), asyncio.Event()
    arrived: list[str] = []

    @app.get("/held")
    async def held(user_id: CurrentUser) -> str:
        arrived.append(user_id)
        if len(arrived) == 2:
            both_arrived.set()
        await release.wait()
        return user_id

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            greedy, other = new_user(), new_user()
            running = [
                asyncio.create_task(client.get("/held", headers=auth(token(greedy))))
                for _ in range(2)
            ]
            await both_arrived.wait()
            # (Without the cap it would be held as well: a guard ends the wait.)
            refused = await asyncio.wait_for(client.get("/held", headers=auth(token(greedy))), 10)
            assert refused.status_code == 429
            assert refused.headers["retry-after"] == "1"
            assert refused.json() == {"detail": "too many requests in flight for this user"}
            assert refusals() == refused_before + 1  # what rate_limit_refusals_total shows
            # Another user is not held up by the first one's requests.
            others = asyncio.create_task(client.get("/held", headers=auth(token(other))))
            release.set()
            assert [r.status_code for r in await asyncio.gather(*running, others)] == [200] * 3
            # Once they are done, the user's share is free again.
            assert (await client.get("/held", headers=auth(token(greedy)))).status_code == 200

    asyncio.run(scenario())
