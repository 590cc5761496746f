"""The bridge's check: a token string in, the caller's user id out, nothing else.

PyJWT does the cryptography and the standard claim checks with the algorithm pinned to HS256.
It still lets some bad tokens through (numeric strings or booleans for exp/iat, an empty
sub, any size, any lifetime, crit headers), so those gaps are closed here.

The audience is always required: BETTER_AUTH_SECRET also signs Better-Auth's own HS256 JWTs
(email verification, its session cookie cache), and only `aud` tells a bridge token apart
from those (RFC 8725 3.11).
"""

import time
from dataclasses import dataclass, field
from typing import Any

import jwt

ALGORITHM = "HS256"
DEFAULT_AUDIENCE = "todo-api"
MAX_TOKEN_BYTES = 8 * 1024
MAX_SUBJECT_CHARS = 255
REQUIRED_CLAIMS = ("exp", "iat", "sub")
TIME_CLAIMS = ("exp", "iat", "nbf")
# Time claims beyond this are refused before any arithmetic on them: a float (1e999 is
# infinite) or an integer too large for a float (10**400) would make it fail.
# 2**53 seconds is some 285 million years either way.
MAX_TIME_CLAIM = 2**53
# Tokens verified recently, so that a returning client's token is not decoded and its HMAC
# recomputed on every request (PyJWT's full decode is most of the cost of authentication).
CACHE_SIZE = 10_000


class TokenError(Exception):
    """The token is not acceptable; the message is a short reason safe to send to the client,
    `reason` one word for the operator's metrics (auth_tokens_rejected_total{reason})."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Verified:
    """What a full verification of a token established; only its time limits can change."""

    subject: str
    expires: int
    not_before: int | None
    issued: int

    def still_valid(self, leeway: int) -> bool:
        # The same comparisons PyJWT makes (on the same int() of each claim).
        now = time.time()
        return (
            self.expires > now - leeway
            and self.issued <= now + leeway
            and (self.not_before is None or self.not_before <= now + leeway)
        )


@dataclass(slots=True, eq=False)
class TokenVerifier:
    """Verifies tokens and remembers the ones that passed: it holds a cache that every
    verification may change, so it is neither frozen nor compared by value. Its settings are
    meant to stay as built for its whole life; the cache relies on that."""

    secrets: tuple[bytes, ...]
    leeway_seconds: int = 30
    max_lifetime_seconds: int = 86400
    issuer: str | None = None
    audience: str = DEFAULT_AUDIENCE
    # Keyed on the exact token string. The secrets, issuer and audience are fixed for the
    # life of the verifier, so a token that passed once passes again until a time limit.
    _cache: dict[str, Verified] = field(default_factory=dict, init=False, repr=False)

    def verify(self, token: str) -> str:
        """Return the user id (`sub`) of a valid token, or raise TokenError."""
        return self.verified(token).subject

    def verified(self, token: str) -> Verified:
        """What a valid token says (its user id and expiry), or raise TokenError."""
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenError("token too large", "too_large")
        known = self._cache.get(token)
        if known is not None:
            if known.still_valid(self.leeway_seconds):
                return known
            del self._cache[token]  # expired: the full check below says so, as it would have
        return self._remember(token, self._verify_fully(token))

    def _remember(self, token: str, claims: dict[str, Any]) -> Verified:
        if len(self._cache) >= CACHE_SIZE:
            del self._cache[next(iter(self._cache))]  # the oldest entry
        not_before = claims.get("nbf")
        verified = self._cache[token] = Verified(
            subject=claims["sub"],
            expires=int(claims["exp"]),
            not_before=None if not_before is None else int(not_before),
            issued=int(claims["iat"]),
        )
        return verified

    def _verify_fully(self, token: str) -> dict[str, Any]:
        # Header and claims from one parse (a separate look at the header cost a good part of
        # a full verification: bench/README.md).
        decoded = self._decode(token)
        if "crit" in decoded["header"]:
            # RFC 7515 4.1.11: extensions we do not understand must make the token invalid.
            raise TokenError("unsupported critical header", "header")
        claims: dict[str, Any] = decoded["payload"]
        _check_time_claim_types(claims)
        if claims["exp"] - claims["iat"] > self.max_lifetime_seconds:
            raise TokenError("token lifetime too long", "lifetime")
        _check_subject(claims["sub"])
        return claims

    def _decode(self, token: str) -> dict[str, Any]:
        options: Any = {
            "require": list(REQUIRED_CLAIMS),
            "verify_iss": self.issuer is not None,
        }
        for secret in self.secrets:
            try:
                return jwt.decode_complete(
                    token,
                    secret,
                    algorithms=[ALGORITHM],
                    options=options,
                    leeway=self.leeway_seconds,
                    issuer=self.issuer,
                    audience=self.audience,
                )
            except jwt.InvalidSignatureError:
                continue  # signed with an older secret, perhaps: try the next one
            except jwt.InvalidTokenError as error:
                raise TokenError(*_reason(error)) from None
        raise TokenError("invalid signature", "signature")


def _reason(error: jwt.InvalidTokenError) -> tuple[str, str]:
    """The client's message and the metrics' reason."""
    match error:
        case jwt.ExpiredSignatureError():
            return "token expired", "expired"
        case jwt.ImmatureSignatureError():
            return "token not yet valid", "not_yet_valid"
        case jwt.InvalidAlgorithmError():
            return "unsupported algorithm", "algorithm"
        case jwt.MissingRequiredClaimError(claim=claim):
            return f"missing claim: {claim}", "claims"
        case jwt.InvalidAudienceError():
            return "invalid audience", "audience"
        case jwt.InvalidIssuerError():
            return "invalid issuer", "issuer"
        case jwt.exceptions.InvalidSubjectError():
            return "invalid subject", "subject"
        case _:
            return "malformed token", "malformed"


def _check_time_claim_types(claims: dict[str, Any]) -> None:
    # PyJWT runs int() on these, which accepts "123", True and 1.5e3 alike.
    for name in TIME_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TokenError(f"claim {name} must be a number", "claims")
        # Also false for NaN.
        if not -MAX_TIME_CLAIM <= value <= MAX_TIME_CLAIM:
            raise TokenError(f"claim {name} out of range", "claims")


def _check_subject(sub: object) -> None:
    # Control characters (NUL above all) cannot be stored and have no place in an id.
    if (
        not isinstance(sub, str)
        or not sub.strip()
        or len(sub) > MAX_SUBJECT_CHARS
        or not sub.isprintable()
    ):
        raise TokenError("invalid subject", "subject")
