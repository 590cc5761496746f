"""Authentication first: the bearer token in, the caller's user id out, before anything else.

An unauthenticated request learns nothing from the API: not whether its body, its ids or its
query would parse, nor which paths exist. FastAPI reads and parses a request's body before it
runs any dependency, so the token is checked here, in a middleware ahead of routing, on every
path but the public ones; the `CurrentUser` dependency (app/api/deps.py) hands the result to
the route. Only the body size limit comes before this.
"""

import re
from collections.abc import Iterable

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.security import TokenError, TokenVerifier, Verified
from app.observability import metrics

# Where the middleware leaves the verified user id in the request's ASGI scope, and the
# token's expiry (epoch seconds: an event stream ends there).
USER_ID = "user_id"
TOKEN_EXPIRES = "token_expires"  # noqa: S105 (a key, not a secret)
# RFC 6750 2.1: "Bearer", a space, the token; the scheme is case-insensitive (RFC 9110 11.1).
# One spelling only (issue 19): exactly one SP, nothing after the token. NBSP, NEL, a tab or
# a second space are not taken for a separator (str.split() would take them all): two parts of
# a chain that strip whitespace differently must not read two different credentials.
# Bytes patterns, so that IGNORECASE folds ASCII alone.
_BEARER = re.compile(rb"bearer ([^ ]+)", re.IGNORECASE)
# A JWS in compact serialization: three base64url segments without padding (RFC 7515 2 and
# 7.1). PyJWT would also take '=' padding, a second spelling of the same token.
_COMPACT_JWS = re.compile(rb"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
BARE_CHALLENGE = "Bearer"
INVALID_CHALLENGE = 'Bearer error="invalid_token"'


class Refusal(Exception):
    """The request is not authenticated; `response()` says why, with a challenge."""

    def __init__(
        self, status_code: int, detail: str, reason: str, challenge: str = BARE_CHALLENGE
    ) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail
        self.reason = reason  # one word, for auth_tokens_rejected_total
        self.challenge = challenge

    def response(self) -> JSONResponse:
        return JSONResponse(
            {"detail": self.detail},
            self.status_code,
            headers={"WWW-Authenticate": self.challenge},
        )


def authenticate(headers: Iterable[tuple[bytes, bytes]], verifier: TokenVerifier) -> Verified:
    """What the token of the request with these (ASGI, lower-cased) headers says, or a
    Refusal."""
    values = [value for name, value in headers if name == b"authorization"]
    if not values:
        # RFC 6750 3.1: no error code when the request carried no credentials at all.
        raise Refusal(401, "not authenticated", "missing")
    if len(values) > 1:
        # Refused, not "first one wins": two proxies could disagree on which one counts.
        raise Refusal(
            400,
            "more than one Authorization header",
            "several_headers",
            'Bearer error="invalid_request"',
        )
    credentials = _BEARER.fullmatch(values[0])
    if credentials is None:
        raise Refusal(401, "expected: Authorization: Bearer <token>", "scheme")
    token = credentials[1]
    if _COMPACT_JWS.fullmatch(token) is None:
        raise Refusal(401, "malformed token", "malformed", INVALID_CHALLENGE)
    try:
        return verifier.verified(token.decode("ascii"))
    except TokenError as error:
        raise Refusal(401, str(error), error.reason, INVALID_CHALLENGE) from None


class RequireBearerToken:
    """Refuses every request that lacks a valid token, except on the public paths."""

    def __init__(
        self, app: ASGIApp, *, verifier: TokenVerifier, public_paths: Iterable[str]
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.public_paths = frozenset(public_paths)

    def _public(self, scope: Scope) -> bool:
        # Behind a proxy that mounts the API under a prefix, the path starts with root_path.
        path: str = scope["path"]
        return path.removeprefix(scope.get("root_path", "")) in self.public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._public(scope):
            try:
                verified = authenticate(scope["headers"], self.verifier)
            except Refusal as refusal:
                metrics.token_rejected(refusal.reason)
                await refusal.response()(scope, receive, send)
                return
            scope[USER_ID] = verified.subject
            scope[TOKEN_EXPIRES] = verified.expires
        await self.app(scope, receive, send)
