"""Issuing tokens for the embedded default: RSA signing keys, JWKS, signed access tokens.

Production uses an external OIDC provider; the access service uses this module to stand
in for one, and ``srs-token`` / ``make token`` use it for local development.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt

MAX_TTL_SECONDS = 15 * 60
# The smallest RSA modulus a production signing key may have.
MIN_RSA_BITS = 2048


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    private_pem: str
    kid: str
    public_jwk: dict[str, Any]

    @classmethod
    def from_pem(cls, pem: str) -> SigningKey:
        """The key in ``pem``, loaded and checked once per process: loading an RSA key
        checks it, tens of milliseconds of CPU with the GIL held (an app built again
        with the same settings, or the JWKS and the signer of one key, load it once)."""
        return _from_pem(pem)

    @classmethod
    def generate(cls) -> SigningKey:
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        return cls.from_pem(pem)

    @classmethod
    def load_or_create(cls, path: Path) -> SigningKey:
        if path.exists():
            return cls.from_pem(path.read_text())
        key = cls.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(key.private_pem)
        path.chmod(0o600)
        return key

    @property
    def key_size(self) -> int:
        """Bits of the RSA modulus."""
        n = self.public_jwk["n"]
        return int.from_bytes(base64.urlsafe_b64decode(n + "=" * (-len(n) % 4)), "big").bit_length()

    @functools.cached_property
    def signer(self) -> Any:
        """The key loaded for signing, once: loading (and checking) an RSA key costs tens
        of milliseconds of CPU with the GIL held, too much to pay for every token."""
        return jwk.construct(_load_private(self.private_pem), "RS256")

    @property
    def public_pem(self) -> str:
        return (
            _load_private(self.private_pem)
            .public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


@functools.lru_cache(maxsize=16)
def _load_private(pem: str) -> rsa.RSAPrivateKey:
    private = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(private, rsa.RSAPrivateKey):
        raise ValueError("signing key must be RSA")
    return private


@functools.lru_cache(maxsize=16)
def _from_pem(pem: str) -> SigningKey:
    numbers = _load_private(pem).public_key().public_numbers()
    n, e = _b64(numbers.n), _b64(numbers.e)
    # RFC 7638 thumbprint as the key id: stable for the same key, new for a new one.
    thumb = json.dumps({"e": e, "kty": "RSA", "n": n}, separators=(",", ":"), sort_keys=True)
    kid = base64.urlsafe_b64encode(hashlib.sha256(thumb.encode()).digest()).rstrip(b"=").decode()
    return SigningKey(
        pem, kid, {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid, "n": n, "e": e}
    )


def jwks(*keys: SigningKey) -> dict[str, Any]:
    """The JWKS document publishing ``keys`` (the signing key first, then any key still or
    soon to be trusted during a rotation); a key given twice is published once."""
    unique = {k.kid: k.public_jwk for k in keys}
    return {"keys": list(unique.values())}


def issue_token(
    key: SigningKey,
    *,
    sub: str,
    roles: list[str],
    issuer: str,
    audience: str,
    ttl_seconds: int = MAX_TTL_SECONDS,
    researcher_id: str | None = None,
    org: str | None = None,
    scope: str | None = None,
    now: float | None = None,
    extra: dict[str, Any] | None = None,
) -> str:
    """Sign an RS256 access token; lifetimes are capped at 15 minutes."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {
        "iss": issuer,
        "aud": audience,
        "sub": sub,
        "iat": issued,
        "nbf": issued,
        "exp": issued + min(ttl_seconds, MAX_TTL_SECONDS),
        "jti": str(uuid.uuid4()),
        "roles": roles,
    }
    if researcher_id:
        claims["researcher_id"] = researcher_id
    if org:
        claims["org"] = org
    if scope:
        claims["scope"] = scope
    if extra:
        claims.update(extra)
    token: str = jwt.encode(claims, key.signer, algorithm="RS256", headers={"kid": key.kid})
    return token
