"""Turns bench/results/latest.json into docs/benchmarks.md and docs/benchmarks.png.

Usage: python bench/report.py RESULTS_JSON DOCS_DIR [BROWSER_FIGURES_DIR]   (needs matplotlib)

BROWSER_FIGURES_DIR holds what the browser tests of `make test` measured (artifacts/e2e).
"""

import json
import statistics
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt

from sections import OWN_SECTIONS, markers

LABELS = {
    "B0": "B0 GET /health (baseline)",
    "B1": "B1 GET /tasks, PostgreSQL, RLS on",
    "B1_no_rls": "B1 GET /tasks, PostgreSQL, RLS bypassed",
    "B2": "B2 POST /tasks, PostgreSQL, RLS on",
    "B3": "B3 GET /tasks, SQLite",
    "B5_10k": "B5 GET /tasks, 10k rows in the table",
    "B5_1M": "B5 GET /tasks, 1M rows in the table",
    "B5_1M_list": "B5 GET /tasks?list=inbox, 1M rows (lists, subtasks)",
    "B5_1M_manual": "B5 GET /tasks?sort=manual, 1M rows",
    "B10_plain": "B10 PATCH /tasks/{id} completed, a plain task",
    "B10_repeating": "B10 PATCH /tasks/{id} completed, a repeating task (copy + next)",
    "B7_list": "B7 GET /tasks, users of 1000 tasks, large table",
    "B7_search": "B7 GET /tasks?q=(one word), same users",
    "B7_tag": "B7 GET /tasks?tag=(one tag), same users",
    "B8_list": "B8 GET /tasks, one user of 10k tasks",
    "B8_counts": "B8 GET /tasks/counts?tag=(one tag), same user",
    "B9_direct": "B9 GET /tasks straight to one API replica",
    "B9_balancer_1": "B9 GET /tasks through HAProxy, 1 replica (CPU: HAProxy's)",
    "B9_balancer_2": "B9 GET /tasks through HAProxy, 2 replicas (CPU: HAProxy's)",
    "B12_off": "B12 GET /tasks, no metrics, no traces",
    "B12_metrics": "B12 GET /tasks, METRICS_PORT set",
    "B12_traces": "B12 GET /tasks, every request traced and exported (OTLP)",
    "B12_sampled": "B12 GET /tasks, a tenth of the requests traced and exported (sampler)",
}
# Issue 24: what metrics and traces may cost the list, as a share of its req/s without them.
METRICS_FLOOR, TRACES_FLOOR = 0.95, 0.80
ROUTE_LABELS = ("http_request_method", "http_route", "http_response_status_code")


def label(key: str) -> str:
    if key.endswith("_baseline"):
        return f"B6 GET /tasks, 1 worker (alternating with {key.split('_')[1]})"
    if key.startswith("B6_"):
        return f"B6 GET /tasks, {key.split('_')[1]} workers"
    return LABELS[key]


def paired(s: dict[str, Any], a: str, b: str, runs: str = "rps_runs") -> float:
    """a / b as the median of the ratios of each round: a and b ran in the same rounds, one
    after the other, so the machine's drift from round to round (other tenants, load) cancels
    out of each ratio, as it does not out of a ratio of medians taken from different rounds."""
    ratios: list[float] = [x / y for x, y in zip(s[a][runs], s[b][runs], strict=True)]
    return statistics.median(ratios)


def worker_gains(s: dict[str, Any]) -> dict[int, float]:
    """Throughput with N workers over one worker measured in the same rounds."""
    return {
        int(key.split("_")[1]): paired(s, key, key.replace("workers", "baseline"))
        for key in s
        if key.startswith("B6_") and key.endswith("_workers")
    }


def targets(results: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    s, b4 = results["scenarios"], results["B4"]
    b1_share = paired(s, "B1", "B0")
    b1_tail = s["B1"]["p99_ms"] / s["B1"]["p50_ms"]
    auth_share = b4["repeat_us"] / s["B1"]["server_cpu_us_per_request"]
    auth_share_cold = b4["first_sight_us"] / s["B1"]["server_cpu_us_per_request"]
    b5 = paired(s, "B5_1M", "B5_10k", "p50_ms_runs")
    gains = worker_gains(s)
    best = max(gains, key=lambda n: gains[n])
    search = paired(s, "B7_search", "B7_list", "p50_ms_runs")
    tagged = paired(s, "B7_tag", "B7_list", "p50_ms_runs")
    counts = paired(s, "B8_counts", "B8_list", "p50_ms_runs")
    in_list = paired(s, "B5_1M_list", "B5_1M", "p50_ms_runs")
    manual = paired(s, "B5_1M_manual", "B5_1M", "p50_ms_runs")
    repeat = paired(s, "B10_repeating", "B10_plain", "p50_ms_runs")
    return [
        (
            "B1 req/s vs B0 (tasks with tags, lists, subtask counts)",
            ">= 30 %",
            f"{b1_share:.1%}",
            b1_share >= 0.30,
        ),
        ("B1 p99 / p50", "<= 5x", f"{b1_tail:.1f}x", b1_tail <= 5),
        (
            "B4 auth / B1 server CPU per request",
            "<= 10 %",
            f"{auth_share:.1%} (token seen before); {auth_share_cold:.1%} (first sight)",
            auth_share <= 0.10,
        ),
        ("B5 p50 at 1M / at 10k rows", "<= 1.3x", f"{b5:.2f}x", b5 <= 1.3),
        (
            "B6 req/s, N workers / 1 worker",
            "> 1x",
            ", ".join(f"{n} workers: {gain:.2f}x" for n, gain in sorted(gains.items())),
            gains[best] > 1,
        ),
        ("B7 p50, search (q, one word) / list", "<= 1.5x", f"{search:.2f}x", search <= 1.5),
        ("B7 p50, tag filter / list", "<= 1.3x", f"{tagged:.2f}x", tagged <= 1.3),
        ("B8 p50, counts with a tag filter / list", "<= 2x", f"{counts:.2f}x", counts <= 2),
        ("B5 p50 at 1M, ?list= / list", "<= 1.2x", f"{in_list:.2f}x", in_list <= 1.2),
        ("B5 p50 at 1M, sort=manual / list", "<= 1.2x", f"{manual:.2f}x", manual <= 1.2),
        (
            "B10 p50, completing a repeating task / a plain one",
            "<= 2x",
            f"{repeat:.2f}x",
            repeat <= 2,
        ),
        *observability_targets(s),
    ]


def observability_targets(s: dict[str, Any]) -> list[tuple[str, str, str, bool]]:
    metrics, traces = paired(s, "B12_metrics", "B12_off"), paired(s, "B12_traces", "B12_off")
    return [
        (
            "B12 req/s, metrics on / off",
            f">= {METRICS_FLOOR:.0%}",
            f"{metrics:.1%}",
            metrics >= METRICS_FLOOR,
        ),
        (
            "B12 req/s, traces exported / off",
            f">= {TRACES_FLOOR:.0%}",
            f"{traces:.1%}",
            traces >= TRACES_FLOOR,
        ),
    ]


def observability_section(results: dict[str, Any], dashboard: str) -> list[str]:
    """B12: what METRICS_PORT and OTEL_EXPORTER_OTLP_ENDPOINT cost the list."""
    s = results["scenarios"]
    rows = [
        f"| {label(key)} | {s[key]['rps']:,.0f} | {s[key]['p50_ms']:.2f} | {s[key]['p99_ms']:.2f} |"
        f" {s[key]['server_cpu_us_per_request']:,.0f} | {s[key]['errors']:,} |"
        for key in ("B12_off", "B12_metrics", "B12_traces", "B12_sampled")
        if key in s
    ]
    targets_met = [
        f"| {name} | {goal} | {measured} | {'met' if met else '**missed**'} |"
        for name, goal, measured, met in observability_targets(s)
    ]
    return [
        "## B12: the cost of metrics and traces",
        "",
        "The list (B1's request) on four servers measured in the same rounds, each with the app's",
        "default pool of 10 connections (four of 32 would pass PostgreSQL's 100): nothing on,",
        "`METRICS_PORT` set (every request observed in the duration histogram),",
        "`OTEL_EXPORTER_OTLP_ENDPOINT` set (every request and statement a span, exported in",
        f"batches over OTLP/HTTP to a receiver on the same machine: {results['B12_exports']:,}",
        "exports, with the fourth server's), and the same with the sampler README.md suggests",
        "for a busy API (`OTEL_TRACES_SAMPLER=parentbased_traceidratio`, `..._ARG=0.1`).",
        "",
        "| Target | Goal | Measured | |",
        "|---|---|---|---|",
        *targets_met,
        *(
            [f"| B12 req/s, a tenth traced / off | | {paired(s, 'B12_sampled', 'B12_off'):.1%} | |"]
            if "B12_sampled" in s
            else []
        ),
        "",
        "| Scenario | req/s | p50 ms | p99 ms | server CPU µs/req | errors |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"![the metrics-on server's /metrics after the run]({dashboard})",
        "",
        "The dashboard is drawn from the last scrape of the metrics-on server's `/metrics`.",
        "",
    ]


def samples(scrape: str) -> list[tuple[str, dict[str, str], float]]:
    """Prometheus text → (name, labels, value) for each sample."""
    found = []
    for line in scrape.splitlines():
        if not line or line.startswith("#"):
            continue
        head, value = line.rsplit(" ", 1)
        name, _, rest = head.partition("{")
        labels = dict(part.split("=", 1) for part in rest.rstrip("}").split(",") if part)
        found.append((name, {k: v.strip('"') for k, v in labels.items()}, float(value)))
    return found


def draw_dashboard(results: dict[str, Any], path: Path) -> None:
    """Requests per route, the list's latency distribution, the pool and B12's req/s."""
    scraped = samples(results["B12_scrape"])
    fig, ((routes, latency), (pool, cost)) = plt.subplots(2, 2, figsize=(13, 8))
    counts = {
        " ".join(labels[k] for k in ROUTE_LABELS): value
        for name, labels, value in scraped
        if name == "http_server_request_duration_seconds_count"
    }
    routes.barh(list(counts), list(counts.values()), color="tab:blue")
    routes.set_title("Requests by route and status (http_server_request_duration_seconds_count)")
    buckets = sorted(
        (float(labels["le"]), value)
        for name, labels, value in scraped
        if name == "http_server_request_duration_seconds_bucket"
        and labels["http_route"] == "/tasks"
        and labels["le"] != "+Inf"
    )
    previous = 0.0
    widths = []
    for _, cumulative in buckets:
        widths.append(cumulative - previous)
        previous = cumulative
    latency.bar([f"≤{le * 1000:g}" for le, _ in buckets], widths, color="tab:orange")
    latency.set_title("GET /tasks latency (ms buckets)")
    latency.tick_params(axis="x", rotation=45)
    gauges = {
        name.removeprefix("db_pool_connections_"): value
        for name, _, value in scraped
        if name.startswith("db_pool_connections_")
    }
    pool.bar(list(gauges), list(gauges.values()), color="tab:green")
    pool.set_title("Database pool (connections, at the last scrape)")
    s = results["scenarios"]
    bars = {"off": "B12_off", "metrics": "B12_metrics", "traces": "B12_traces"}
    bars |= {"traces, 1/10": "B12_sampled"} if "B12_sampled" in s else {}
    cost.bar(list(bars), [s[key]["rps"] for key in bars.values()], color="tab:purple")
    cost.set_title("GET /tasks req/s (B12, same rounds)")
    for axis in (routes, latency, pool, cost):
        axis.grid(alpha=0.3)
    fig.suptitle("Todo API under B12's load, from its /metrics")
    fig.tight_layout()
    fig.savefig(path, dpi=100)


def markdown(results: dict[str, Any], chart: str, browser: list[str], notes: dict[str, str]) -> str:
    s, b4, m, settings = (
        results["scenarios"],
        results["B4"],
        results["machine"],
        results["settings"],
    )
    base = s["B0"]["rps"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `bash bench/run.sh` (see [bench/README.md](../bench/README.md) for what",
        "each figure measures, how, and what was changed to get there). Do not edit by hand.",
        "",
        f"Run of {m['date']}, {settings['mode']} mode: wrk, {settings['wrk_threads']} threads,"
        f" {settings['connections']} connections, median of {settings['repeats']} run(s) of"
        f" {settings['seconds']} s after a 2 s warm-up; one uvicorn worker unless stated.",
        "Figures compared in a target ran in the same rounds, and the ratio given is the median",
        'of their per-round ratios; the table\'s "vs B0" divides its medians.',
        f"Machine: {m['cpus']} CPUs ({m['cpu']}), shared by wrk, the API and PostgreSQL"
        f" {m['postgresql']}; Python {m['python']}; load average at the end"
        f" {', '.join(f'{x:.1f}' for x in m['load_average_at_end'])}"
        " (above 2: other work shared the two cores during the run).",
        "The machine is shared with other projects' builds and tests: a figure alone moves by",
        "20 % and more from run to run, and the medians of the table are not comparable across",
        "runs; the targets' same-round ratios are the figures to read.",
        "",
        "## Targets",
        "",
        "| Target | Goal | Measured | |",
        "|---|---|---|---|",
    ]
    for name, goal, measured, met in targets(results):
        lines.append(f"| {name} | {goal} | {measured} | {'met' if met else '**missed**'} |")
    lines += [
        "",
        "## Figures",
        "",
        "| Scenario | req/s | vs B0 | p50 ms | p99 ms | server CPU µs/req | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for key, r in s.items():
        lines.append(
            f"| {label(key)} | {r['rps']:,.0f} | {r['rps'] / base:.1%} | {r['p50_ms']:.2f} |"
            f" {r['p99_ms']:.2f} | {r['server_cpu_us_per_request']:,.0f} | {r['errors']} |"
        )
    rls = paired(s, "B1", "B1_no_rls")
    lines += [
        "",
        f"![req/s and latency per scenario]({chart})",
        "",
        "## Row-level security",
        "",
        f"The same list as a plain role (RLS applies) serves {rls:.1%} of the requests it serves",
        "as the database superuser (RLS bypassed), median of the per-round ratios; medians: "
        f"{s['B1']['rps']:,.0f} vs {s['B1_no_rls']['rps']:,.0f} req/s,"
        f" p50 {s['B1']['p50_ms']:.2f} vs {s['B1_no_rls']['p50_ms']:.2f} ms.",
        "",
        *balancer_section(s),
        "## B4: authentication per call (in-process)",
        "",
        "| Path | µs per call |",
        "|---|---:|",
        f"| Header parse + verification, token seen before | {b4['repeat_us']:.1f} |",
        f"| Header parse + verification, first sight of the token | {b4['first_sight_us']:.1f} |",
        f"| Floor: bare HMAC-SHA256 compare over the signing input | {b4['hmac_floor_us']:.1f} |",
        "",
        f"B1's server CPU per request is {s['B1']['server_cpu_us_per_request']:,.0f} µs.",
        "",
        "## B5: the list query's plan at 1M rows",
        "",
        "```",
        results["B5_1M_plan"],
        "```",
        "",
        *(
            line
            for name, plan in results.get("B5_1M_plans", {}).items()
            for line in (f"With `{name}` (issue 20):", "", "```", plan, "```", "")
        ),
        *search_section(results),
        *observability_section(results, "observability.png"),
        *note_lines(notes, "B12"),
        *fair_share_section(results.get("B11")),
        *note_lines(notes, "B11"),
        *browser,
    ]
    return "\n".join(lines)


def fair_share_section(b10: dict[str, Any] | None) -> list[str]:
    """B11 (bench/fair_share.py): another user's list during one user's heavy searches."""
    if b10 is None:
        return []
    lines = [
        "## B11: one user's heavy searches against another user's list",
        "",
        "The attacker: 5,000 tasks of 2,000 characters, 20 loops of `GET /tasks?q=` with 10",
        "two-letter words; the other user: 4 loops of `GET /tasks?limit=20`, alone and then",
        f"during the attack, {b10['seconds']:.0f} s each, one worker, DB_POOL_SIZE"
        f" {b10['pool_size']}. Goal: the other user's list all 200, p99 under 1 s.",
        "",
        "| MAX_INFLIGHT_PER_USER | list alone p50 / p99 ms | list attacked p50 / p99 ms"
        " | list statuses | attacker statuses | most backends | running 2 s after | goal |",
        "|---|---:|---:|---|---|---:|---:|---|",
    ]
    for cap in (4, 1000):
        r = b10[f"cap_{cap}"]
        alone, attacked = r["alone"], r["attacked"]
        statuses = attacked["victim_statuses"]
        good = set(statuses) == {"200"} and attacked["victim_p99_ms"] < 1000
        met = "met" if good else "**missed**"
        lines.append(
            f"| {cap} | {alone['victim_p50_ms']:.0f} / {alone['victim_p99_ms']:.0f}"
            f" | {attacked['victim_p50_ms']:.0f} / {attacked['victim_p99_ms']:.0f}"
            f" | {_statuses(statuses)} | {_statuses(attacked['attacker_statuses'])}"
            f" | {r['most_backends']} | {r['running_2s_after']} | {met} |"
        )
    return [*lines, ""]


def _statuses(counts: dict[str, int]) -> str:
    return ", ".join(f"{count} x {status}" for status, count in sorted(counts.items()))


def search_section(results: dict[str, Any]) -> list[str]:
    sizes = results["B7_sizes"]
    rows = sizes["users"] * sizes["per_user"] + sizes["heavy"]
    lines = [
        "## B7 and B8: search, tag filter and counts in a large table",
        "",
        f"One database of {rows:,} tasks: {sizes['users']:,} users of {sizes['per_user']:,}"
        f" tasks each and one user of {sizes['heavy']:,}, spread over the table as in real use."
        " Titles are an everyday verb, thing and time, so the word searched (one of 120 things)"
        " is in about 1 % of a user's tasks; tags are as common as 30 % (work) to 3 % (travel);"
        " the tag filtered on is in 15 % of tasks. B7 rotates the tokens of all users of"
        " 1000 tasks; B8 sends every request as the one user of 10k. The list, search and tag"
        " filter (and the B8 pair) ran in the same rounds; the ratios are those of their p50s,"
        " per round. The plans are the API's own statements, run as its role (row-level"
        " security applies), after the measured rounds (a warm cache, as under load).",
        "",
    ]
    for section, user in (("B7_plans", "a user of 1000 tasks"), ("B8_plans", "the user of 10k")):
        for name, plan in results[section].items():
            lines += [f"### {section[:2]} {name}, {user}", "", "```", plan, "```", ""]
    return lines


BROWSER_HEADING = "## Browser: the first page of a user with 5,000 tasks"


def browser_figures(figures: Path | None, pattern: str) -> list[tuple[Path, Any]]:
    """The figures of one measurement the browser tests wrote (files `pattern` in `figures`),
    each with its file, in the files' order."""
    found = sorted(figures.glob(pattern)) if figures else []
    return [(path, json.loads(path.read_text())) for path in found]


def browser_section(figures: Path | None, previous: str) -> list[str]:
    """The tasks page's first screen for a user of 5,000 tasks, as the browser tests measured it
    (they assert the number of API calls, never the time). Without new figures, the section
    the docs have (`previous`: their text) stays as it is."""
    lines = [BROWSER_HEADING, ""]
    found = browser_figures(figures, "first-page-*-tasks-*.json")
    if not found and BROWSER_HEADING in previous:
        kept = previous[previous.index(BROWSER_HEADING) :]
        ends = [kept.index(start) for start, _ in KEPT if start in kept]
        return [*kept[: min(ends, default=len(kept))].rstrip("\n").split("\n"), ""]
    if not found:
        none = "No figures: the browser tests of `make test` write them to artifacts/e2e/."
        return [*lines, none, ""]
    lines += [
        "Measured by the browser tests (`e2e/tests/tasks-list.test.mjs`, Debian chromium) from the",
        "start of the navigation until the first rows and the counts are on screen; one run each,",
        "on the same shared machine, so a figure moves by tens of percent from run to run.",
        "",
        "| Database | Tasks | First page ms | API calls | Measured |",
        "|---|---:|---:|---:|---|",
    ]
    for path, run in found:
        when = datetime.fromtimestamp(path.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
        calls = ", ".join(f"`{call}`" for call in run["apiCalls"])
        lines.append(
            f"| {run['database']} | {run['tasks']:,} | {run['firstPageMs']} |"
            f" {len(run['apiCalls'])} ({calls}) | {when} |"
        )
    return [*lines, "", *changes_section(figures)]


def changes_section(figures: Path | None) -> list[str]:
    """One change with 200 rows loaded: the calls it sends (target ≤ 2, asserted by the test)."""
    found = browser_figures(figures, "changes-with-200-rows-*.json")
    if not found:
        return []
    lines = [
        "### A change with 200 rows loaded",
        "",
        "Measured by `e2e/tests/app-shell.test.mjs`: the calls one toggle, edit or delete sends",
        "(target: at most 2, its own call and the counts; the test asserts it).",
        "",
        "| Database | Change | API calls |",
        "|---|---|---|",
    ]
    for _, run in found:
        for change, calls in run["changes"].items():
            listed = ", ".join(f"`{call}`" for call in calls)
            lines.append(f"| {run['database']} | {change} | {len(calls)} ({listed}) |")
    return [*lines, ""]


def balancer_section(s: dict[str, Any]) -> list[str]:
    """B9: what the load balancer costs, and what a second replica gives, on this machine."""
    one, two = paired(s, "B9_balancer_1", "B9_direct"), paired(s, "B9_balancer_2", "B9_direct")
    return [
        "## B9: the load balancer (HAProxy, deploy/haproxy.cfg)",
        "",
        f"The list through HAProxy to the same single replica serves {one:.1%} of the requests",
        f"it serves called directly, and to two replicas {two:.1%} (medians of the per-round",
        "ratios). HAProxy's own CPU per request:"
        f" {s['B9_balancer_1']['server_cpu_us_per_request']:,.0f} µs (one replica),"
        f" {s['B9_balancer_2']['server_cpu_us_per_request']:,.0f} µs (two), against the API's"
        f" {s['B9_direct']['server_cpu_us_per_request']:,.0f} µs. A second replica on the same two",
        "cores shares them with the first, wrk and PostgreSQL: it shows what the balancer costs,",
        "not what a second machine would add.",
        "",
    ]


def draw(results: dict[str, Any], path: Path) -> None:
    s = results["scenarios"]
    names = [label(k) for k in s]
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), sharey=True)
    positions = range(len(names))
    left.barh(positions, [r["rps"] for r in s.values()], color="tab:blue")
    left.set_title("Throughput (req/s, higher is better)")
    right.barh([p - 0.2 for p in positions], [r["p50_ms"] for r in s.values()], 0.4, label="p50")
    right.barh([p + 0.2 for p in positions], [r["p99_ms"] for r in s.values()], 0.4, label="p99")
    right.set_title("Latency (ms, lower is better)")
    right.legend()
    left.set_yticks(list(positions), names)
    left.invert_yaxis()
    for axis in (left, right):
        axis.grid(axis="x", alpha=0.3)
    fig.suptitle(f"Todo API, {results['machine']['cpus']} CPUs, wrk -t2 -c32")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


# bench/data_io.py and bench/streams.py write their own sections (bench/sections.py); a
# rewrite keeps them.
KEPT = tuple(markers(name) for name in OWN_SECTIONS)


# Hand-written notes on a generated section (how a figure was measured again, a profile),
# between `<!-- note:B12:start -->` and `<!-- note:B12:end -->`: a rewrite puts them back
# after the section they name (markdown(): the B12 and B11 sections).
NOTED = ("B12", "B11")


def notes_in(text: str) -> dict[str, str]:
    notes = {}
    for name in NOTED:
        start, end = markers(f"note:{name}")
        if start in text and end in text:
            notes[name] = text[text.index(start) : text.index(end) + len(end)]
    return notes


def note_lines(notes: dict[str, str], name: str) -> list[str]:
    return [notes[name], ""] if name in notes else []


def kept_sections(path: Path) -> str:
    text = path.read_text() if path.exists() else ""
    return "".join(
        "\n" + text[text.index(start) : text.index(end) + len(end)] + "\n"
        for start, end in KEPT
        if start in text and end in text
    )


# What a scenario run alone (`bench.py --only B1` or `B5`) can tell: the ratios of its figures
# measured in the same rounds (name, a, b, the runs compared). It writes no docs: the rest of
# docs/benchmarks.md would be missing.
ALONE = {
    "B1": (
        ("B1 req/s vs B0", "B1", "B0", "rps_runs"),
        ("B1 req/s, RLS on / bypassed", "B1", "B1_no_rls", "rps_runs"),
    ),
    "B5": (
        ("B5 p50 at 1M / at 10k rows", "B5_1M", "B5_10k", "p50_ms_runs"),
        ("B5 p50 at 1M, ?list= / list", "B5_1M_list", "B5_1M", "p50_ms_runs"),
        ("B5 p50 at 1M, sort=manual / list", "B5_1M_manual", "B5_1M", "p50_ms_runs"),
    ),
}


def alone_section(results: dict[str, Any], only: str) -> list[str]:
    """The same-round ratios of a scenario run alone: the median, and each round's."""
    s, m = results["scenarios"], results["machine"]
    lines = [
        f"{only} alone, {m['date']}, {results['settings']['repeats']} round(s) of"
        f" {results['settings']['seconds']} s, load average at the end"
        f" {', '.join(f'{x:.1f}' for x in m['load_average_at_end'])}",
        "",
        "| Ratio | median | per round |",
        "|---|---:|---|",
    ]
    for name, a, b, runs in ALONE[only]:
        rounds = [x / y for x, y in zip(s[a][runs], s[b][runs], strict=True)]
        each = ", ".join(f"{ratio:.3f}" for ratio in rounds)
        lines.append(f"| {name} | {paired(s, a, b, runs):.3f} | {each} |")
    lines += ["", "| Scenario | req/s | p50 ms | p99 ms | server CPU µs/req | errors |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    for key, r in s.items():
        lines.append(
            f"| {label(key)} | {r['rps']:,.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |"
            f" {r['server_cpu_us_per_request']:,.0f} | {r['errors']} |"
        )
    for name, plan in results.get("B5_1M_plans", {}).items():
        lines += ["", f"{name}:", plan]
    return lines


def main() -> None:
    results = json.loads(Path(sys.argv[1]).read_text())
    docs = Path(sys.argv[2])
    docs.mkdir(parents=True, exist_ok=True)
    if "B12_scrape" in results:
        draw_dashboard(results, docs / "observability.png")
    only = results["settings"].get("only")
    if only in ALONE:
        print("\n".join(alone_section(results, only)))
        return
    if "B0" not in results["scenarios"]:  # `bench.py --only B12`: its section alone
        print("\n".join(observability_section(results, "observability.png")))
        return
    draw(results, docs / "benchmarks.png")
    figures = Path(sys.argv[3]) if len(sys.argv) > 3 else None
    path = docs / "benchmarks.md"
    previous = path.read_text() if path.exists() else ""
    text = markdown(
        results, "benchmarks.png", browser_section(figures, previous), notes_in(previous)
    )
    path.write_text(text + kept_sections(path))
    print(f"wrote {docs / 'benchmarks.md'} and {docs / 'benchmarks.png'}")


if __name__ == "__main__":
    main()
