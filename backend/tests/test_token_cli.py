"""python -m app.token mints a token that the API accepts, for curl."""

import subprocess

import jwt

from app.core.security import TokenVerifier
from tests.support import SECRET, backend_env, run_python


def run_cli(*args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = backend_env(BETTER_AUTH_SECRET=SECRET, **settings)
    return run_python("-m", "app.token", *args, env=env)


def test_prints_a_valid_token() -> None:
    result = run_cli("--sub", "alice", "--ttl", "120")
    assert result.returncode == 0, result.stderr
    claims = jwt.decode(result.stdout.strip(), SECRET, algorithms=["HS256"], audience="todo-api")
    assert claims["sub"] == "alice"
    assert claims["exp"] - claims["iat"] == 120


def test_the_token_carries_the_configured_audience_and_issuer() -> None:
    settings = {"JWT_AUDIENCE": "tasks-api", "JWT_ISSUER": "https://todo.example"}
    result = run_cli("--sub", "alice", **settings)
    assert result.returncode == 0, result.stderr
    verifier = TokenVerifier(
        secrets=(SECRET.encode(),), audience="tasks-api", issuer="https://todo.example"
    )
    assert verifier.verify(result.stdout.strip()) == "alice"


def test_refuses_a_lifetime_the_api_would_refuse() -> None:
    result = run_cli("--sub", "alice", "--ttl", "999999")
    assert result.returncode != 0
    assert "--ttl must be between" in result.stderr
