"""Every kind of token the API must refuse, each built from a valid one for the given user."""

import json
import time
from collections.abc import Callable

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from tests.support import SECRET, b64, claims, forge, sign_raw, token


def now() -> int:
    return int(time.time())


def _flip_last_signature_char(good: str) -> str:
    head, _, signature = good.rpartition(".")
    # The last base64url character also carries padding bits: change one in the middle.
    middle = len(signature) // 2
    swapped = "A" if signature[middle] != "A" else "B"
    return f"{head}.{signature[:middle]}{swapped}{signature[middle + 1 :]}"


def _swap_payload(sub: str) -> str:
    header, _, signature = token(sub).split(".")
    other = token("someone-else").split(".")[1]
    return f"{header}.{other}.{signature}"


def _swap_header(sub: str) -> str:
    _, payload, signature = token(sub).split(".")
    header = token(sub, headers={"kid": "x"}).split(".")[0]
    return f"{header}.{payload}.{signature}"


def _rsa(sub: str) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return jwt.encode(claims(sub), key, algorithm="RS256")


def _ec(sub: str) -> str:
    return jwt.encode(claims(sub), ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")


def _too_large(sub: str) -> str:
    return token(sub, padding="x" * 9000)


def _raw_claims(sub: str, **numbers: str) -> str:
    """A correctly signed token whose time claims are the given JSON number texts."""
    fields = {"sub": json.dumps(sub), "aud": '"todo-api"', "iat": str(now()), **numbers}
    payload = "{" + ", ".join(f'"{name}": {value}' for name, value in fields.items()) + "}"
    return sign_raw({"alg": "HS256", "typ": "JWT"}, payload)


HUGE = "1" + "0" * 400


def _better_auth(payload: dict[str, object]) -> str:
    """Signed as Better-Auth signs its own JWTs with BETTER_AUTH_SECRET (jose's SignJWT:
    HS256, iat and exp added), so only the missing audience tells them apart."""
    return jwt.encode({**payload, "iat": now(), "exp": now() + 3600}, SECRET, algorithm="HS256")


BAD_TOKENS: dict[str, Callable[[str], str]] = {
    "bad signature": lambda sub: _flip_last_signature_char(token(sub)),
    "wrong secret": lambda sub: token(sub, secret="another-secret-" + "z" * 32),
    "alg none": lambda sub: forge({"alg": "none", "typ": "JWT"}, claims(sub)),
    "alg None mixed case": lambda sub: forge({"alg": "None", "typ": "JWT"}, claims(sub)),
    "alg none with signature": lambda sub: forge(
        {"alg": "none"}, claims(sub), token(sub).split(".")[2]
    ),
    "alg RS256": _rsa,
    "alg ES256": _ec,
    "alg HS384": lambda sub: jwt.encode(claims(sub), SECRET, algorithm="HS384"),
    "alg HS512": lambda sub: jwt.encode(claims(sub), SECRET, algorithm="HS512"),
    "alg lowercase hs256": lambda sub: forge({"alg": "hs256"}, claims(sub), "c2ln"),
    "empty signature": lambda sub: token(sub).rpartition(".")[0] + ".",
    "stripped signature": lambda sub: token(sub).rpartition(".")[0],
    "tampered payload": _swap_payload,
    "tampered header": _swap_header,
    "malformed base64": lambda sub: "@@@." + token(sub).split(".", 1)[1],
    "malformed json": lambda sub: b64(b"{not json") + "." + token(sub).split(".", 1)[1],
    "one segment": lambda sub: token(sub).split(".")[0],
    "four segments": lambda sub: token(sub) + ".AAAA",
    "garbage": lambda sub: "not-a-token",
    "expired beyond leeway": lambda sub: token(sub, iat=now() - 600, exp=now() - 31 - 5),
    "nbf in the future": lambda sub: token(sub, nbf=now() + 120),
    "iat in the future": lambda sub: token(sub, iat=now() + 120, exp=now() + 600),
    "missing exp": lambda sub: jwt.encode({"sub": sub, "iat": now()}, SECRET),
    "missing iat": lambda sub: jwt.encode({"sub": sub, "exp": now() + 60}, SECRET),
    "missing sub": lambda sub: jwt.encode({"iat": now(), "exp": now() + 60}, SECRET),
    "exp numeric string": lambda sub: token(sub, exp=str(now() + 600)),
    "iat numeric string": lambda sub: token(sub, iat=str(now())),
    "exp boolean": lambda sub: token(sub, exp=True),
    "iat boolean": lambda sub: token(sub, iat=False),
    "exp null": lambda sub: token(sub, exp=None),
    "exp infinite": lambda sub: _raw_claims(sub, exp="1e999"),
    "exp huge integer": lambda sub: _raw_claims(sub, exp=HUGE),
    "exp huge negative integer": lambda sub: _raw_claims(sub, exp=f"-{HUGE}"),
    "exp huge, iat a float": lambda sub: _raw_claims(sub, exp=HUGE, iat=f"{now()}.5"),
    "exp just past 2**53": lambda sub: _raw_claims(sub, exp=str(2**53 + 1)),
    "iat huge integer": lambda sub: _raw_claims(sub, exp=str(now() + 60), iat=HUGE),
    "nbf huge integer": lambda sub: _raw_claims(sub, exp=str(now() + 60), nbf=HUGE),
    "nbf huge negative integer": lambda sub: _raw_claims(sub, exp=str(now() + 60), nbf=f"-{HUGE}"),
    "exp a list": lambda sub: token(sub, exp=[now() + 60]),
    "exp an object": lambda sub: token(sub, exp={"at": now() + 60}),
    "nbf numeric string": lambda sub: token(sub, nbf=str(now())),
    "sub empty": lambda sub: token(""),
    "sub blank": lambda sub: token("   "),
    "sub number": lambda sub: jwt.encode({"sub": 42, "iat": now(), "exp": now() + 60}, SECRET),
    "sub too long": lambda sub: token("u" * 256),
    "sub with NUL": lambda sub: token("user\x00admin"),
    "lifetime above maximum": lambda sub: token(sub, exp=now() + 86400 + 3600),
    "over 8 KiB": _too_large,
    "crit header": lambda sub: token(sub, headers={"crit": ["exp"], "exp": 1}),
    "no audience": lambda sub: jwt.encode(
        {k: v for k, v in claims(sub).items() if k != "aud"}, SECRET
    ),
    "another audience": lambda sub: token(sub, aud="another-api"),
    "audience list without ours": lambda sub: token(sub, aud=["a", "b"]),
    "audience empty": lambda sub: token(sub, aud=""),
    # Better-Auth's own tokens, same secret: its email verification token, its session cookie
    # cache (`jwt` strategy), and one that even names the user in `sub`.
    "better-auth email verification": lambda sub: _better_auth({"email": "a@example.com"}),
    "better-auth session cookie cache": lambda sub: _better_auth(
        {
            "session": {"id": "s1", "userId": sub, "token": "t", "expiresAt": now() + 3600},
            "user": {"id": sub, "email": "a@example.com", "name": "A"},
            "updatedAt": now() * 1000,
        }
    ),
    "better-auth token with a sub": lambda sub: _better_auth({"sub": sub}),
}
