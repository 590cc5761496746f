"""The API against its own OpenAPI schema, over real HTTP on the suite's database:
schemathesis's CLI with every check, positive and negative data, the example, coverage,
fuzzing and stateful phases, a fixed seed. Any finding fails the test, with the report.

Other seeds and budgets: `ST_SEED=7 ST_MAX_EXAMPLES=500 pytest tests/system/test_api_contract.py`.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.migrations import migrate
from devtools import uvicorn
from tests.conftest import TEST_DATABASE_URL
from tests.support import SECRET, backend_env, new_user, token

pytestmark = pytest.mark.contract

# make test runs this on SQLite and again on PostgreSQL: each database gets a seed of its own, so
# that the fuzzing phase's random cases differ between the two runs (the same seed on both drew
# the same cases twice), and the two runs' budgets add up to the 400 cases per operation that one
# run drew before, for half the CPU. What can differ by database (a NUL byte, a huge number, a
# long or odd text) is what the coverage phase sends, which has no budget: it runs whole on both.
SEED = int(os.environ.get("ST_SEED", "20260514")) + (1 if TEST_DATABASE_URL else 0)
MAX_EXAMPLES = int(os.environ.get("ST_MAX_EXAMPLES", "200"))
REPORT_LINES = 400
HOOKS = Path(__file__).with_name("schemathesis_hooks.py")


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[str]:
    migrate(database_url)
    with uvicorn(backend_env(BETTER_AUTH_SECRET=SECRET, DATABASE_URL=database_url)) as api:
        yield api.url


def test_schemathesis_finds_nothing(server: str, tmp_path: Path) -> None:
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "run", f"{server}/openapi.json"),
        # One user for the whole run, so that generated ids sometimes hit real tasks.
        *("--header", f"Authorization: Bearer {token(new_user())}"),
        *("--checks", "all"),
        *("--mode", "all"),
        *("--phases", "examples,coverage,fuzzing,stateful"),
        *("--seed", str(SEED)),
        *("--max-examples", str(MAX_EXAMPLES)),
        # Nothing remembered between runs: the seed alone decides the cases.
        *("--generation-database", "none"),
        *("--request-timeout", "10"),
        # An event stream answers 200 and goes on until the token's exp: every valid case
        # would wait out the request timeout. tests/api/test_events.py checks its contract
        # (headers, each event, 401, 429, a malformed Last-Event-ID's reset) over real HTTP.
        *("--exclude-path", "/events"),
        "--continue-on-failure",
        "--no-color",
    ]
    # In a scratch folder: schemathesis keeps a cache in its working directory.
    env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
    result = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    report = "\n".join((result.stdout + result.stderr).splitlines()[-REPORT_LINES:])
    assert result.returncode == 0, f"schemathesis (seed {SEED}) found problems:\n{report}"
    assert "No issues found" in result.stdout, report
