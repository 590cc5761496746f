"""B4: what the API's authentication costs per call, against the floor of a bare HMAC check.

"Authentication" is the API's real check (Authorization header parse + token verification, as
its middleware runs it), called in-process so that nothing else is in the figure.
"""

import base64
import hashlib
import hmac
import time
from collections.abc import Callable

from app.api.auth import authenticate
from app.core.security import TokenVerifier
from app.token import mint
from seed import user

DISTINCT_TOKENS = 2000


def _per_call_us(function: Callable[[int], object], calls: int) -> float:
    started = time.perf_counter()
    for n in range(calls):
        function(n)
    return (time.perf_counter() - started) / calls * 1e6


def _authenticate(verifier: TokenVerifier, value: bytes) -> str:
    return authenticate(((b"authorization", value),), verifier).subject


def measure(secret: str) -> dict[str, float]:
    verifier = TokenVerifier(secrets=(secret.encode(),))
    tokens = [mint(secret, user(n), ttl=3600) for n in range(DISTINCT_TOKENS)]
    headers = [f"Bearer {t}".encode() for t in tokens]
    key = secret.encode()
    signed = [
        (t.rsplit(".", 1)[0].encode(), base64.urlsafe_b64decode(t.rsplit(".", 1)[1] + "=="))
        for t in tokens
    ]

    def floor(n: int) -> bool:
        signing_input, signature = signed[n % DISTINCT_TOKENS]
        return hmac.compare_digest(hmac.new(key, signing_input, hashlib.sha256).digest(), signature)

    # First sight of each token (what any cache misses), then tokens seen before (wrk
    # rotates the same users' tokens, as returning clients do).
    first = _per_call_us(lambda n: _authenticate(verifier, headers[n]), DISTINCT_TOKENS)
    repeat = _per_call_us(lambda n: _authenticate(verifier, headers[n % DISTINCT_TOKENS]), 20_000)
    return {
        "first_sight_us": first,
        "repeat_us": repeat,
        "hmac_floor_us": _per_call_us(floor, 20_000),
    }
