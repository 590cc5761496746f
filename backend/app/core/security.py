"""The bridge's check: a token string in, the caller's user id out, nothing else.

PyJWT does the cryptography and the standard claim checks with the algorithm pinned to HS256.
It still lets some bad tokens through (numeric strings or booleans for exp/iat, an empty
sub, any size, any lifetime, crit headers), so those gaps are closed here.
"""

import math
from dataclasses import dataclass
from typing import Any

import jwt

ALGORITHM = "HS256"
MAX_TOKEN_BYTES = 8 * 1024
MAX_SUBJECT_CHARS = 255
REQUIRED_CLAIMS = ("exp", "iat", "sub")
TIME_CLAIMS = ("exp", "iat", "nbf")


class TokenError(Exception):
    """The token is not acceptable; the message is a short reason safe to send to the client."""


@dataclass(frozen=True, slots=True)
class TokenVerifier:
    secrets: tuple[bytes, ...]
    leeway_seconds: int = 30
    max_lifetime_seconds: int = 86400
    issuer: str | None = None
    audience: str | None = None

    def verify(self, token: str) -> str:
        """Return the user id (`sub`) of a valid token, or raise TokenError."""
        if len(token) > MAX_TOKEN_BYTES:
            raise TokenError("token too large")
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise TokenError("malformed token") from None
        if "crit" in header:
            # RFC 7515 4.1.11: extensions we do not understand must make the token invalid.
            raise TokenError("unsupported critical header")
        claims = self._decode(token)
        _check_time_claim_types(claims)
        if claims["exp"] - claims["iat"] > self.max_lifetime_seconds:
            raise TokenError("token lifetime too long")
        return _subject(claims)

    def _decode(self, token: str) -> dict[str, Any]:
        options: Any = {
            "require": list(REQUIRED_CLAIMS),
            "verify_aud": self.audience is not None,
            "verify_iss": self.issuer is not None,
        }
        for secret in self.secrets:
            try:
                return jwt.decode(
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
                raise TokenError(_reason(error)) from None
        raise TokenError("invalid signature")


def _reason(error: jwt.InvalidTokenError) -> str:
    match error:
        case jwt.ExpiredSignatureError():
            return "token expired"
        case jwt.ImmatureSignatureError():
            return "token not yet valid"
        case jwt.InvalidAlgorithmError():
            return "unsupported algorithm"
        case jwt.MissingRequiredClaimError(claim=claim):
            return f"missing claim: {claim}"
        case jwt.InvalidAudienceError():
            return "invalid audience"
        case jwt.InvalidIssuerError():
            return "invalid issuer"
        case jwt.exceptions.InvalidSubjectError():
            return "invalid subject"
        case _:
            return "malformed token"


def _check_time_claim_types(claims: dict[str, Any]) -> None:
    # PyJWT runs int() on these, which accepts "123", True and 1.5e3 alike.
    for name in TIME_CLAIMS:
        if name not in claims:
            continue
        value = claims[name]
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value):
            raise TokenError(f"claim {name} must be a number")


def _subject(claims: dict[str, Any]) -> str:
    sub = claims["sub"]
    # Control characters (NUL above all) cannot be stored and have no place in an id.
    if (
        not isinstance(sub, str)
        or not sub.strip()
        or len(sub) > MAX_SUBJECT_CHARS
        or not sub.isprintable()
    ):
        raise TokenError("invalid subject")
    return sub
