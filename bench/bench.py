"""Runs every benchmark scenario (B0-B12, RLS on/off) in one go and writes the JSON results.

Run it through bench/run.sh, which installs wrk and the environments first.
"""

import argparse
import json
import os
import platform
import secrets
import subprocess
import tempfile
import time
import urllib.request
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

import auth_cost
import fair_share
from app import statements
from app.models import TaskFilter, TaskListQuery
from devtools import Server, free_port, otlp_receiver
from seed import FILTER_TAG, SEARCH_WORD, Postgres, seeded_sqlite, user, write_tokens
from servers import BENCH_DIR, api, balancer, cpu_seconds, wrk

CONNECTIONS = 32
LIST = "/tasks?limit=20"
# Issue 20: one list (the Inbox, the same index as a list's id) and the manual order.
IN_LIST = f"{LIST}&list=inbox"
MANUAL = f"{LIST}&sort=manual"
SEARCH = f"{LIST}&q={SEARCH_WORD}"
TAGGED = f"{LIST}&tag={FILTER_TAG}"
COUNTS = f"/tasks/counts?tag={FILTER_TAG}"
# Where deploy/haproxy.cfg serves the API.
BALANCED = "/api/v1"
# The plans shown in the report: the API's own statements for these requests.
PLANS = {
    "list": TaskListQuery(limit=20),
    "search": TaskListQuery(limit=20, q=SEARCH_WORD),
    "tag": TaskListQuery(limit=20, tag=(FILTER_TAG,)),
    "in_list": TaskListQuery(limit=20, list="inbox"),
    "manual": TaskListQuery(limit=20, sort="manual"),
}
Result = dict[str, Any]


@dataclass(frozen=True)
class Load:
    """One figure: a request shape driven at one server."""

    server: Server
    method: str
    path: str
    tokens: Path | None = None
    paths: Path | None = None  # a path per token (the user's own task), in place of `path`

    def run(self, seconds: float) -> Result:
        return wrk(
            self.server.url,
            self.method,
            self.path,
            self.tokens,
            seconds,
            CONNECTIONS,
            self.paths,
        )


def summary(runs: list[Result], cpu_seconds: float) -> Result:
    median = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
    return {
        **median,
        # In round order: report.py pairs them with the other figures of the same rounds.
        "rps_runs": [round(r["rps"]) for r in runs],
        "p50_ms_runs": [r["p50_ms"] for r in runs],
        "errors": sum(r["errors"] for r in runs),
        "server_cpu_us_per_request": cpu_seconds / sum(r["requests"] for r in runs) * 1e6,
    }


class Bench:
    def __init__(self, scratch: Path, seconds: float, repeats: int, secret: str) -> None:
        self.seconds = seconds
        self.repeats = repeats
        self.secret = secret
        self.log = scratch / "servers.log"

    def server(
        self, database_url: str, workers: int = 1, **settings: str
    ) -> AbstractContextManager[Server]:
        """The API on `database_url`; `settings`: more of its environment (METRICS_PORT...)."""
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("DATABASE_", "DB_", "OTEL_", "METRICS_", "LOG_"))
        }
        env.update(
            BETTER_AUTH_SECRET=self.secret,
            DATABASE_URL=database_url,
            # Migrated by the benchmark as the owner; the API role may not touch the schema.
            AUTO_MIGRATE="false",
            # A connection for every in-flight request: 32 across the workers.
            DB_POOL_SIZE=str(-(-CONNECTIONS // workers)),
            # These figures are the cost of a request, B8's from one user on every connection:
            # no fair-share cap in the way (B11, bench/fair_share.py, measures that cap).
            MAX_INFLIGHT_PER_USER=str(CONNECTIONS),
        )
        env.update(settings)
        return api(env, self.log, workers)

    def measure(self, loads: dict[str, Load]) -> dict[str, Result]:
        """Warm each load up, then `repeats` rounds that run every load once in turn, so that
        drift in the machine's other work hits the figures compared alike. Per load: the
        median run by req/s, and the server's CPU time per request over all its runs."""
        for key, load in loads.items():
            # A figure of failed requests measures the failure: none may fail (B2 and B10 did
            # for weeks, every write refused a privilege, and their rows went on looking fine).
            warm = load.run(2)
            if warm["errors"]:
                raise RuntimeError(
                    f"{key}: {warm['errors']} errors (statuses other than 2xx, socket errors) in"
                    f" {warm['requests']} requests while warming up (the servers' log: {self.log})"
                )
        runs: dict[str, list[Result]] = {key: [] for key in loads}
        cpu = dict.fromkeys(loads, 0.0)
        for _ in range(self.repeats):
            for key, load in loads.items():
                before = cpu_seconds(load.server)
                runs[key].append(load.run(self.seconds))
                cpu[key] += cpu_seconds(load.server) - before
        return {key: summary(runs[key], cpu[key]) for key in loads}


def run(args: argparse.Namespace) -> Result:
    secret = secrets.token_urlsafe(32)
    results: Result = {"scenarios": {}}
    scenarios = results["scenarios"]
    with (
        tempfile.TemporaryDirectory(prefix="todo-bench-") as tmp,
        Postgres(args.postgres).session() as pg,
    ):
        scratch = Path(tmp)
        bench = Bench(scratch, args.seconds, args.repeats, secret)
        tokens = write_tokens(scratch / "tokens", secret, 1000)
        tokens_100 = write_tokens(scratch / "tokens-100", secret, 100)

        if args.only == "B5":
            scaled(bench, pg, tokens_100, results)
            return partial(results, args)
        say("seeding PostgreSQL: 1000 users x 100 tasks")
        main_db = pg.seeded(users=1000, per_user=100)
        rls_url, owner_url = pg.url(main_db, pg.api_role), pg.url(main_db)
        if args.only == "B12":
            say("B12 list with metrics on, with traces exported (all, a tenth), and with neither")
            scenarios.update(observed(bench, rls_url, tokens, results))
            return partial(results, args)
        if args.only == "B1":
            say("B0 /health, B1 list as a plain role (RLS applies) and as the superuser")
            with bench.server(rls_url) as api, bench.server(owner_url) as owner:
                scenarios.update(bench.measure(listed(api, owner, tokens)))
            return partial(results, args)
        # Before the servers take their connections.
        repeating, plain = pg.completion_paths(main_db, scratch, 1000)
        say("B0 /health, B1 list as a plain role (RLS applies) and as the superuser (bypasses it)")
        with bench.server(rls_url) as api, bench.server(owner_url) as owner:
            scenarios.update(bench.measure(listed(api, owner, tokens)))
            say("B10 completing a repeating task vs a plain one (each user's own)")
            scenarios.update(
                bench.measure(
                    {
                        "B10_plain": Load(api, "PATCH", "", tokens, plain),
                        "B10_repeating": Load(api, "PATCH", "", tokens, repeating),
                    }
                )
            )
            say("B2 create")
            # After the lists: the writes grow the table they read.
            scenarios.update(bench.measure({"B2": Load(api, "POST", "/tasks", tokens)}))
        say("B12 list with metrics on, with traces exported (all, a tenth), and with neither")
        scenarios.update(observed(bench, rls_url, tokens, results))
        say("B9 list through the load balancer (HAProxy) with 1 and 2 API replicas vs direct")
        scenarios.update(balanced(bench, rls_url, tokens))
        for workers in args.workers:
            say(f"B6 list: 1 worker vs {workers} workers")
            with bench.server(rls_url) as one, bench.server(rls_url, workers) as several:
                pair = bench.measure(
                    {
                        f"B6_{workers}_baseline": Load(one, "GET", LIST, tokens),
                        f"B6_{workers}_workers": Load(several, "GET", LIST, tokens),
                    }
                )
            scenarios.update(pair)

        say("B3 list on SQLite: the same 1000 users x 100 tasks")
        sqlite_url = seeded_sqlite(scratch / "bench.sqlite", pg.url(main_db))
        with bench.server(sqlite_url) as api:
            scenarios.update(bench.measure({"B3": Load(api, "GET", LIST, tokens)}))

        scaled(bench, pg, tokens_100, results)

        users, per_user, heavy = args.big
        say(
            f"B7 search and tag filter vs the list, {users} users x {per_user} tasks;"
            f" B8 counts vs the list of a user with {heavy:,} tasks (same table)"
        )
        big = pg.seeded(users=users, per_user=per_user, heavy=heavy)
        big_tokens = write_tokens(scratch / "tokens-big", secret, users)
        heavy_token = write_tokens(scratch / "tokens-heavy", secret, 1, first=0)
        with bench.server(pg.url(big, pg.api_role)) as api:
            scenarios.update(
                bench.measure(
                    {
                        "B7_list": Load(api, "GET", LIST, big_tokens),
                        "B7_search": Load(api, "GET", SEARCH, big_tokens),
                        "B7_tag": Load(api, "GET", TAGGED, big_tokens),
                        "B8_list": Load(api, "GET", LIST, heavy_token),
                        "B8_counts": Load(api, "GET", COUNTS, heavy_token),
                    }
                )
            )
        plans = {name: statements.list_query(query) for name, query in PLANS.items()}
        results["B7_plans"] = {
            name: pg.explain(big, user(7), *statement) for name, statement in plans.items()
        }
        results["B8_plans"] = {
            "list": pg.explain(big, user(0), *plans["list"]),
            "counts": pg.explain(
                big, user(0), *statements.count_query(TaskFilter(tag=(FILTER_TAG,)))
            ),
        }
        results["B7_sizes"] = {"users": users, "per_user": per_user, "heavy": heavy}

        say("B11 one user's heavy searches against another user's list")
        results["B11"] = fair_share.measure(pg, secret, bench.log)

        say("B4 authentication cost, in-process")
        results["B4"] = auth_cost.measure(secret)
        results["machine"] = machine(args.postgres)
    results["settings"] = {
        "seconds": args.seconds,
        "repeats": args.repeats,
        "connections": CONNECTIONS,
        "wrk_threads": 2,
    }
    return results


def partial(results: Result, args: argparse.Namespace) -> Result:
    """The results of a scenario run alone (`--only`)."""
    results["machine"] = machine(args.postgres)
    results["settings"] = {"seconds": args.seconds, "repeats": args.repeats, "only": args.only}
    return results


def listed(api: Server, owner: Server, tokens: Path) -> dict[str, Load]:
    """B0, and B1's list as the API's role (RLS applies) and as the superuser (bypasses it)."""
    return {
        "B0": Load(api, "GET", "/health"),
        "B1": Load(api, "GET", LIST, tokens),
        "B1_no_rls": Load(owner, "GET", LIST, tokens),
    }


def scaled(bench: Bench, pg: Postgres, tokens: Path, results: Result) -> None:
    """B5: the list with 10k and 1M rows in the table (100 tasks per user either way), and at
    1M `?list=` and `sort=manual`; the plans of the three at 1M."""
    say("B5 list with 10k vs 1M rows in the table (100 tasks per user either way)")
    small, large = pg.seeded(users=100, per_user=100), pg.seeded(users=10_000, per_user=100)
    with (
        bench.server(pg.url(small, pg.api_role)) as api_small,
        bench.server(pg.url(large, pg.api_role)) as api_large,
    ):
        results["scenarios"].update(
            bench.measure(
                {
                    "B5_10k": Load(api_small, "GET", LIST, tokens),
                    "B5_1M": Load(api_large, "GET", LIST, tokens),
                    "B5_1M_list": Load(api_large, "GET", IN_LIST, tokens),
                    "B5_1M_manual": Load(api_large, "GET", MANUAL, tokens),
                }
            )
        )
    results["B5_1M_plan"] = pg.explain(large, user(7), *statements.list_query(PLANS["list"]))
    results["B5_1M_plans"] = {
        name: pg.explain(large, user(7), *statements.list_query(PLANS[name]))
        for name in ("in_list", "manual")
    }


def balanced(bench: Bench, database_url: str, tokens: Path) -> dict[str, Result]:
    """B1's list straight to one replica, and through the balancer to one and to two. The
    server CPU of a balanced figure is the balancer's own: its cost per request."""
    with (
        bench.server(database_url) as first,
        bench.server(database_url) as second,
        balancer([first], bench.log) as one,
        balancer([first, second], bench.log) as two,
    ):
        return bench.measure(
            {
                "B9_direct": Load(first, "GET", LIST, tokens),
                "B9_balancer_1": Load(one, "GET", BALANCED + LIST, tokens),
                "B9_balancer_2": Load(two, "GET", BALANCED + LIST, tokens),
            }
        )


def observed(bench: Bench, database_url: str, tokens: Path, results: Result) -> dict[str, Result]:
    """B1's list with everything off, with METRICS_PORT set, with every request traced and
    exported over OTLP/HTTP (to a receiver in this process that keeps what it gets), and with
    a tenth of them traced (the sampler README.md suggests). The
    metrics-on server's last scrape is kept for the dashboard (docs/observability.png)."""
    metrics_port = free_port()
    # Four servers with a connection per wrk connection each (128) are more than PostgreSQL's
    # default max_connections (100): the last ones started were refused connections, and their
    # 503s and retries passed for the cost of tracing (the traces figure was the third server's).
    # The app's default pool, the same for all four, keeps them all well within it.
    pool = "10"
    with (
        otlp_receiver() as received,
        bench.server(database_url, DB_POOL_SIZE=pool) as off,
        bench.server(database_url, METRICS_PORT=str(metrics_port), DB_POOL_SIZE=pool) as metered,
        bench.server(
            database_url, OTEL_EXPORTER_OTLP_ENDPOINT=received.url, DB_POOL_SIZE=pool
        ) as traced,
        # The sampler README.md suggests for a busy API: a tenth of the traces that start here.
        bench.server(
            database_url,
            OTEL_EXPORTER_OTLP_ENDPOINT=received.url,
            OTEL_TRACES_SAMPLER="parentbased_traceidratio",
            OTEL_TRACES_SAMPLER_ARG="0.1",
            DB_POOL_SIZE=pool,
        ) as sampled,
    ):
        figures = bench.measure(
            {
                "B12_off": Load(off, "GET", LIST, tokens),
                "B12_metrics": Load(metered, "GET", LIST, tokens),
                "B12_traces": Load(traced, "GET", LIST, tokens),
                "B12_sampled": Load(sampled, "GET", LIST, tokens),
            }
        )
        scrape = urllib.request.urlopen(f"http://127.0.0.1:{metrics_port}/metrics")
        results["B12_scrape"] = scrape.read().decode()
        results["B12_exports"] = len(received.bodies)
    return figures


def machine(postgres_url: str) -> dict[str, Any]:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if "model name" in line),
        platform.processor(),
    )
    with psycopg.connect(postgres_url) as conn:
        (server_version,) = conn.execute("SHOW server_version").fetchall()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "load_average_at_end": os.getloadavg(),
        "python": platform.python_version(),
        "postgresql": server_version,
        "wrk": wrk_version.split("[")[0].strip(),
    }


def say(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1 run of 4 s per figure")
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
        help="a PostgreSQL superuser URL; the benchmark creates and drops its own databases",
    )
    parser.add_argument("--out", type=Path, default=BENCH_DIR / "results" / "latest.json")
    parser.add_argument(
        "--only",
        choices=["B1", "B5", "B12"],
        help="run this scenario alone (its results go to bench/results/<scenario>.json;"
        " B1: with B0 and B1 without RLS, B5: its four figures)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        help="rounds of alternating runs (default 3, --quick 1): more of them, shorter, steady"
        " the paired ratios on a busy machine",
    )
    parser.add_argument("--seconds", type=int, help="each run's length (default 10, --quick 4)")
    args = parser.parse_args()
    seconds, repeats = (4, 1) if args.quick else (10, 3)
    args.seconds, args.repeats = args.seconds or seconds, args.rounds or repeats
    args.workers = [2] if args.quick else [2, 4]
    # B7/B8: users x tasks each, and the tasks of the one heavy user.
    args.big = (100, 1000, 10_000) if args.quick else (1000, 1000, 10_000)
    started = time.monotonic()
    if args.only:
        args.out = args.out.with_name(f"{args.only}.json")
    results = run(args)
    results["settings"]["mode"] = "quick" if args.quick else "full"
    results["settings"]["wall_seconds"] = round(time.monotonic() - started)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    say(f"results in {args.out}")


if __name__ == "__main__":
    main()
