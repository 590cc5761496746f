"""Settings from the environment (and an optional .env), validated once at start-up."""

from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from app.core.security import DEFAULT_AUDIENCE

BACKEND_DIR = Path(__file__).resolve().parents[2]
DEFAULT_SQLITE_PATH = BACKEND_DIR / "data" / "app.sqlite"
MIN_SECRET_BYTES = 32
SECRET_HINT = "generate one with: openssl rand -base64 32"  # noqa: S105 (advice, not a secret)


class ConfigError(Exception):
    """A setting is missing or unusable; the message is one line meant for the operator."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=(BACKEND_DIR.parent / ".env", BACKEND_DIR / ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
    )

    better_auth_secret: str = Field(repr=False)
    # Older secrets still accepted for verification, so a rotation does not log everyone out.
    better_auth_secret_previous: Annotated[list[str], NoDecode] = Field(default=[], repr=False)
    database_url: str = f"sqlite:///{DEFAULT_SQLITE_PATH}"
    cors_origins: Annotated[list[str], NoDecode] = ["http://localhost:3000"]
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    jwt_max_lifetime_seconds: int = Field(default=86400, ge=1)
    jwt_issuer: str | None = None
    # Always required in tokens; the frontend's token route reads the same setting.
    jwt_audience: str = Field(default=DEFAULT_AUDIENCE, min_length=1)
    # Connections per worker: keep it at or above the worker's concurrency, and
    # workers x pool size under the server's max_connections.
    db_pool_size: int = Field(default=10, ge=1, le=200)
    # One budget per request: waiting for a pooled connection, connecting and the statement.
    db_timeout_seconds: float = Field(default=5.0, gt=0)
    # `transaction` behind a transaction-mode pooler (PgBouncer pool_mode=transaction, Neon's
    # -pooler URLs): plain statements in a transaction instead of per-session functions.
    db_pooler_mode: Literal["session", "transaction"] = "session"
    # One user's requests under way at once, per worker; beyond it a 429 (app/api/fair_share.py).
    max_inflight_per_user: int = Field(default=4, ge=1, le=1000)
    # The most rows one user may have: tasks, and different tag names (422 beyond).
    max_tasks_per_user: int = Field(default=100_000, ge=1)
    max_tags_per_user: int = Field(default=1_000, ge=1)
    # GET /events (app/changes.py): a comment this often on a quiet stream, so that proxies
    # (HAProxy's timeouts) keep it open; the event streams one user may have open at once per
    # worker (429 beyond); how long the change feed keeps a change for a reconnecting stream
    # to replay (at least the 24 hours promised).
    events_heartbeat_seconds: float = Field(default=10.0, gt=0, le=15)
    max_streams_per_user: int = Field(default=10, ge=1, le=1000)
    change_retention_hours: int = Field(default=48, ge=24, le=24 * 365)
    # The LISTEN connection's URL (app/db/listen.py): a session of its own, never through a
    # transaction-mode pooler. Unset: DATABASE_URL.
    database_listen_url: str | None = None
    auto_migrate: bool = True
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # The request line and headers together (app/server.py answers 431 beyond).
    max_header_bytes: int = Field(default=32 * 1024, ge=1024, le=1024 * 1024)
    # How long a connection may take to send a request's head (app/server.py closes it then).
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=600)
    # Observability (app/observability/), every part off by default. METRICS_PORT: Prometheus
    # text at GET /metrics on a port of its own (python -m app.server serves it).
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    log_format: Literal["text", "json"] = "text"
    # OpenTelemetry traces, exported over OTLP/HTTP to this base URL (+ /v1/traces).
    otel_exporter_otlp_endpoint: str | None = None

    _split = field_validator("better_auth_secret_previous", "cors_origins", mode="before")(
        _split_csv
    )

    @field_validator("better_auth_secret_previous")
    @classmethod
    def _previous_secrets_long_enough(cls, secrets: list[str]) -> list[str]:
        for secret in secrets:
            _check_secret_length(secret, "BETTER_AUTH_SECRET_PREVIOUS")
        return secrets

    @field_validator("better_auth_secret")
    @classmethod
    def _secret_long_enough(cls, secret: str) -> str:
        _check_secret_length(secret, "BETTER_AUTH_SECRET")
        return secret

    @property
    def verification_secrets(self) -> tuple[bytes, ...]:
        """Current secret first: it signs nearly every token, so it is tried first."""
        return tuple(
            s.encode() for s in (self.better_auth_secret, *self.better_auth_secret_previous)
        )


def _check_secret_length(secret: str, name: str) -> None:
    if len(secret.encode()) < MIN_SECRET_BYTES:
        raise ValueError(f"{name} must be at least {MIN_SECRET_BYTES} bytes")


def _describe(error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        name = str(item["loc"][0]).upper() if item["loc"] else "settings"
        if item["type"] == "missing":
            problems.append(f"{name} is not set")
        else:
            problems.append(f"{name}: {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(problems)


def load_settings() -> Settings:
    """Read and validate the settings, turning pydantic's report into one readable line."""
    try:
        return Settings()  # values come from the environment
    except ValidationError as error:
        message = _describe(error)
        if "BETTER_AUTH_SECRET" in message:
            message += f" (set BETTER_AUTH_SECRET to the frontend's secret; {SECRET_HINT})"
        raise ConfigError(f"invalid configuration: {message}") from None


@lru_cache
def get_settings() -> Settings:
    return load_settings()
