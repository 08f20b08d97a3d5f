"""Token verification and authorisation dependencies (the only JWT code on the platform).

RS256 only, with an explicit algorithm list; ``iss``, ``aud``, ``exp``, ``iat`` and
``sub`` required; keys looked up by ``kid`` in a cached JWKS, refetched (at most once a
few seconds) when an unknown ``kid`` appears so that signing keys can rotate.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from jose import jwk, jwt
from jose.exceptions import JOSEError, JWKError
from jose.utils import base64_to_long

from srs_common.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    import httpx

ALGORITHMS = ["RS256"]
ROLES = frozenset({"researcher", "panel", "checker", "support", "ops", "partner", "data_owner"})


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: from a verified token, never from the request body."""

    sub: str
    roles: frozenset[str]
    researcher_id: str | None = None
    org: str | None = None
    scopes: frozenset[str] = field(default_factory=frozenset)
    claims: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_staff(self) -> bool:
        return self.has("support")

    @property
    def actor_id(self) -> str:
        """The id audit trails and ``decided_by``-like fields record for this caller: the
        researcher id of a researcher (tokens of researchers carry it), the subject of
        staff and of partner clients (whose tokens carry none)."""
        return self.researcher_id or self.sub


class KeySource:
    """Where verification keys come from: a JWKS document, by ``kid``."""

    async def key(self, kid: str) -> Any:  # pragma: no cover - interface
        raise NotImplementedError


def verification_key(entry: dict[str, Any]) -> Any:
    """The RS256 verification key of one JWKS entry.

    The public key is built from the entry's numbers here and handed to jose ready-made:
    jose's own JWK parsing asks for cryptography's legacy OpenSSL backend, whose bindings
    (a copy of every OpenSSL function, ~2 MB) would otherwise load at the first request
    of every process."""
    if entry.get("kty") != "RSA":
        raise JWKError(f"Incorrect key type. Expected: 'RSA', Received: {entry.get('kty')}")
    numbers = rsa.RSAPublicNumbers(base64_to_long(entry["e"]), base64_to_long(entry["n"]))
    return jwk.construct(numbers.public_key(), "RS256")


class StaticKeys(KeySource):
    """A JWKS held in memory (the issuing service verifies its own tokens this way)."""

    def __init__(self, jwks: dict[str, Any] | Callable[[], dict[str, Any]]) -> None:
        self._jwks = jwks
        self._cache: dict[str, Any] = {}

    async def key(self, kid: str) -> Any:
        if kid not in self._cache:
            jwks = self._jwks() if callable(self._jwks) else self._jwks
            for entry in jwks.get("keys", []):
                if entry.get("kid") == kid:
                    self._cache[kid] = verification_key(entry)
        return self._cache.get(kid)


class RemoteJwks(KeySource):
    """A JWKS fetched over HTTP and cached; unknown ``kid`` triggers a bounded refetch."""

    def __init__(
        self,
        url: str,
        *,
        cache_seconds: int = 300,
        min_refetch_seconds: float = 5.0,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.cache_seconds = cache_seconds
        self.min_refetch_seconds = min_refetch_seconds
        self._client = client
        self._keys: dict[str, Any] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()

    async def _fetch(self) -> None:
        import httpx  # only services that fetch keys over HTTP pay for it

        client = self._client or httpx.AsyncClient(timeout=5.0)
        try:
            response = await client.get(self.url)
            response.raise_for_status()
            document = response.json()
        except httpx.HTTPError as exc:
            raise ValueError(f"cannot fetch {self.url}: {exc!r}") from exc
        finally:
            if self._client is None:
                await client.aclose()
        keys = {}
        for entry in document.get("keys", []):
            if entry.get("kty") == "RSA" and entry.get("kid"):
                keys[entry["kid"]] = verification_key(entry)
        self._keys = keys
        self._fetched_at = time.monotonic()

    def _fresh(self, kid: str) -> bool:
        return kid in self._keys and time.monotonic() - self._fetched_at < self.cache_seconds

    async def key(self, kid: str) -> Any:
        if self._fresh(kid):
            return self._keys[kid]
        # Unknown kid (rotation) or stale cache: refetch, but at most once per
        # ``min_refetch_seconds`` so a flood of forged kids cannot hammer the issuer.
        if kid in self._keys or time.monotonic() - self._fetched_at >= self.min_refetch_seconds:
            async with self._lock:
                if not self._fresh(kid):
                    try:
                        await self._fetch()
                    except ValueError:
                        if kid not in self._keys:
                            raise Unauthorized("signing keys unavailable") from None
        return self._keys.get(kid)


class TokenVerifier:
    """Verifies bearer tokens; caches verified claims until shortly before expiry."""

    def __init__(
        self, keys: KeySource, *, issuer: str, audience: str, cache_size: int = 10_000
    ) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self._cache: dict[str, tuple[float, Principal]] = {}
        self._cache_size = cache_size

    async def verify(self, token: str) -> Principal:
        cached = self._cache.get(token)
        if cached is not None and cached[0] > time.time():
            return cached[1]
        try:
            header = jwt.get_unverified_header(token)
        except JOSEError:
            raise Unauthorized("malformed token") from None
        if header.get("alg") not in ALGORITHMS:
            raise Unauthorized("token algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthorized("token has no key id")
        key = await self.keys.key(kid)
        if key is None:
            raise Unauthorized("token signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=ALGORITHMS,
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require_exp": True,
                    "require_iat": True,
                    "require_sub": True,
                    "require_iss": True,
                    "require_aud": True,
                    "leeway": 5,
                },
            )
        except JOSEError as exc:
            raise Unauthorized(f"invalid token: {exc}") from None
        principal = principal_from_claims(claims)
        if len(self._cache) >= self._cache_size:
            self._cache.clear()
        self._cache[token] = (float(claims["exp"]), principal)
        return principal


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    roles = claims.get("roles") or []
    if isinstance(roles, str):
        roles = roles.split()
    scope = claims.get("scope") or ""
    scopes = scope.split() if isinstance(scope, str) else list(scope)
    return Principal(
        sub=str(claims["sub"]),
        roles=frozenset(r for r in roles if r in ROLES),
        researcher_id=claims.get("researcher_id"),
        org=claims.get("org"),
        scopes=frozenset(scopes),
        claims=claims,
    )


_bearer = HTTPBearer(auto_error=False, description="RS256 access token from the issuer")


async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    if credentials is None:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(credentials.credentials)


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("a bearer token is required")
    return principal


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """Dependency: the caller must hold one of ``roles`` (403 otherwise)."""
    allowed = frozenset(roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if not principal.roles & allowed:
            raise Forbidden(f"requires one of the roles: {', '.join(sorted(allowed))}")
        return principal

    return dependency


def require_scope(
    scope: str, *, for_roles: Iterable[str] = ("partner",)
) -> Callable[..., Awaitable[Principal]]:
    """Dependency: partner clients must hold ``scope``; other roles are unaffected."""
    scoped = frozenset(for_roles)

    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.roles & scoped and scope not in principal.scopes:
            raise Forbidden(f"requires the scope {scope}")
        return principal

    return dependency
