"""verify_token on its own: what it accepts, what it refuses, and that it says why."""

import time

import pytest

from app.core import security
from app.core.security import TokenError, TokenVerifier
from tests.support import PREVIOUS_SECRET, SECRET, token
from tests.tokens import BAD_TOKENS

verifier = TokenVerifier(secrets=(SECRET.encode(), PREVIOUS_SECRET.encode()))


def test_a_valid_token_gives_its_subject() -> None:
    assert verifier.verify(token("alice")) == "alice"


def test_a_token_signed_with_a_previous_secret_is_accepted() -> None:
    assert verifier.verify(token("alice", secret=PREVIOUS_SECRET)) == "alice"


def test_expiry_within_the_leeway_is_accepted() -> None:
    now = int(time.time())
    assert verifier.verify(token("alice", iat=now - 100, exp=now - 10)) == "alice"


# What the refusal says, for the kinds of bad token whose reason is pinned.
REASONS = {
    "expired beyond leeway": "token expired",
    "alg HS512": "unsupported algorithm",
    "wrong secret": "invalid signature",
    "missing sub": "missing claim: sub",
    "exp numeric string": "claim exp must be a number",
    "over 8 KiB": "token too large",
}


def test_each_pinned_reason_is_for_a_bad_token() -> None:
    assert REASONS.keys() <= BAD_TOKENS.keys()


@pytest.mark.parametrize("kind", BAD_TOKENS)
def test_bad_tokens_are_refused_saying_why(kind: str) -> None:
    with pytest.raises(TokenError, match=REASONS.get(kind)):
        verifier.verify(BAD_TOKENS[kind]("alice"))


def test_the_issuer_is_enforced_only_when_configured() -> None:
    strict = TokenVerifier(secrets=(SECRET.encode(),), issuer="frontend")
    good = token("alice", iss="frontend")
    assert strict.verify(good) == "alice"
    assert verifier.verify(good) == "alice"
    for wrong in (token("alice", iss="other"), token("alice")):
        with pytest.raises(TokenError, match="iss"):
            strict.verify(wrong)


def test_the_audience_is_always_required() -> None:
    assert verifier.audience == "todo-api"
    other = TokenVerifier(secrets=(SECRET.encode(),), audience="other-api")
    assert other.verify(token("alice", aud="other-api")) == "alice"
    assert other.verify(token("alice", aud=["x", "other-api"])) == "alice"
    with pytest.raises(TokenError, match="invalid audience"):
        other.verify(token("alice"))  # aud: todo-api


def test_max_lifetime_is_configurable() -> None:
    short = TokenVerifier(secrets=(SECRET.encode(),), max_lifetime_seconds=60)
    now = int(time.time())
    assert short.verify(token("alice", iat=now, exp=now + 60)) == "alice"
    with pytest.raises(TokenError, match="lifetime"):
        short.verify(token("alice", iat=now, exp=now + 61))


def test_a_remembered_token_is_still_refused_once_it_expires() -> None:
    strict = TokenVerifier(secrets=(SECRET.encode(),), leeway_seconds=0)
    now = int(time.time())
    expiring = token("alice", iat=now, exp=now + 1)
    assert strict.verify(expiring) == "alice"
    assert strict.verify(expiring) == "alice"  # from the cache
    time.sleep(max(0.0, now + 1.05 - time.time()))
    with pytest.raises(TokenError, match="token expired"):
        strict.verify(expiring)


def test_a_remembered_token_is_not_valid_before_nbf_either(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fresh = TokenVerifier(secrets=(SECRET.encode(),), leeway_seconds=0)
    now = int(time.time())
    later = token("alice", iat=now, nbf=now)
    assert fresh.verify(later) == "alice"
    # Were the clock to step back, the remembered token is checked again like a new one.
    monkeypatch.setattr(time, "time", lambda: now - 100.0)
    assert not fresh._cache[later].still_valid(0)


def test_the_cache_of_verified_tokens_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(security, "CACHE_SIZE", 3)
    bounded = TokenVerifier(secrets=(SECRET.encode(),))
    tokens = [token(f"user-{n}") for n in range(5)]
    assert [bounded.verify(t) for t in tokens] == [f"user-{n}" for n in range(5)]
    assert list(bounded._cache) == tokens[2:]  # the oldest went first
