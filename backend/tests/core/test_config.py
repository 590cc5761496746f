"""Settings: a missing or short secret stops the process with one clear line."""

import pytest

from app.core.config import ConfigError, Settings, load_settings
from tests.support import SECRET, backend_env, run_python

HINT = "openssl rand -base64 32"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("BETTER_AUTH_SECRET", "BETTER_AUTH_SECRET_PREVIOUS", "CORS_ORIGINS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    return monkeypatch


def test_missing_secret(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match="BETTER_AUTH_SECRET is not set") as error:
        load_settings()
    assert HINT in str(error.value)


def test_short_secret_is_refused_without_revealing_it(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("BETTER_AUTH_SECRET", "s3cr3t-but-only-31-bytes-long!!")
    with pytest.raises(ConfigError, match="at least 32 bytes") as error:
        load_settings()
    assert "s3cr3t" not in str(error.value)


def test_previous_secrets_and_origins_are_comma_separated(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("BETTER_AUTH_SECRET", SECRET)
    clean_env.setenv("BETTER_AUTH_SECRET_PREVIOUS", f"{'a' * 32}, {'b' * 40}")
    clean_env.setenv("CORS_ORIGINS", "http://localhost:3000,https://todo.example")
    settings = load_settings()
    assert settings.verification_secrets == (SECRET.encode(), b"a" * 32, b"b" * 40)
    assert settings.cors_origins == ["http://localhost:3000", "https://todo.example"]
    assert SECRET not in repr(settings)


def test_short_previous_secret_is_refused(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("BETTER_AUTH_SECRET", SECRET)
    clean_env.setenv("BETTER_AUTH_SECRET_PREVIOUS", "short")
    with pytest.raises(ConfigError, match="BETTER_AUTH_SECRET_PREVIOUS"):
        load_settings()


# The real start-up path (uvicorn importing app.main), with no .env read: a developer's
# checkout may hold one that `make run` wrote, and it would supply the missing secret.
START_WITHOUT_ENV_FILE = """
from app.core.config import Settings
Settings.model_config["env_file"] = None
import uvicorn
uvicorn.run("app.main:app", port=0)
"""


@pytest.mark.parametrize("secret", [None, "", "too-short"])
def test_server_refuses_to_start_with_one_clear_line(secret: str | None) -> None:
    env = backend_env(**({} if secret is None else {"BETTER_AUTH_SECRET": secret}))
    result = run_python("-c", START_WITHOUT_ENV_FILE, env=env, timeout=30)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines[-1].startswith("error: invalid configuration: BETTER_AUTH_SECRET")
    assert HINT in lines[-1]
