"""Mint a token from the configured secret, for curl and local debugging.

python -m app.token --sub USER_ID [--ttl SECONDS]
"""

import argparse
import sys
import time

import jwt

from app.core.config import ConfigError, load_settings
from app.core.security import ALGORITHM, DEFAULT_AUDIENCE


def mint(
    secret: str,
    sub: str,
    ttl: int,
    now: int | None = None,
    *,
    audience: str = DEFAULT_AUDIENCE,
    issuer: str | None = None,
) -> str:
    issued = int(time.time()) if now is None else now
    claims = {"sub": sub, "iat": issued, "exp": issued + ttl, "aud": audience}
    if issuer is not None:
        claims["iss"] = issuer
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Print an HS256 token the API accepts.")
    parser.add_argument("--sub", required=True, help="the user id the token speaks for")
    parser.add_argument("--ttl", type=int, default=900, help="lifetime in seconds (default 900)")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        sys.exit(f"error: {error}")
    if not 0 < args.ttl <= settings.jwt_max_lifetime_seconds:
        parser.error(f"--ttl must be between 1 and {settings.jwt_max_lifetime_seconds}")
    print(
        mint(
            settings.better_auth_secret,
            args.sub,
            args.ttl,
            audience=settings.jwt_audience,
            issuer=settings.jwt_issuer,
        )
    )


if __name__ == "__main__":
    main()
