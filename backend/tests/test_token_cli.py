"""python -m app.token mints a token that the API accepts, for curl."""

import subprocess

import jwt

from tests.support import SECRET, backend_env, run_python


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return run_python("-m", "app.token", *args, env=backend_env(BETTER_AUTH_SECRET=SECRET))


def test_prints_a_valid_token() -> None:
    result = run_cli("--sub", "alice", "--ttl", "120")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), SECRET, algorithms=["HS256"])
    assert claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 120


def test_refuses_a_lifetime_the_api_would_refuse() -> None:
    result = run_cli("--sub", "alice", "--ttl", "999999")
    assert result.returncode != 0
    assert "--ttl must be between" in result.stderr
