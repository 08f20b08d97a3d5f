"""Clients registered with the provider. The embedded default knows two, from settings:
the portal (``portal_*``) and the operations console (``console_*``), both confidential
clients (server-side, holding a secret) with exact redirect URIs."""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from srs_access.settings import AccessSettings


@dataclass(frozen=True)
class RegisteredClient:
    client_id: str
    secret: str
    redirect_uris: tuple[str, ...]
    post_logout_redirect_uris: tuple[str, ...]

    def secret_matches(self, secret: str) -> bool:
        return hmac.compare_digest(secret.encode(), self.secret.encode())


def registered_clients(settings: AccessSettings) -> dict[str, RegisteredClient]:
    portal = RegisteredClient(
        client_id=settings.portal_client_id,
        secret=settings.portal_client_secret.get_secret_value(),
        redirect_uris=tuple(settings.portal_redirect_uris),
        post_logout_redirect_uris=tuple(settings.portal_post_logout_redirect_uris),
    )
    console = RegisteredClient(
        client_id=settings.console_client_id,
        secret=settings.console_client_secret.get_secret_value(),
        redirect_uris=tuple(settings.console_redirect_uris),
        post_logout_redirect_uris=tuple(settings.console_post_logout_redirect_uris),
    )
    return {client.client_id: client for client in (portal, console)}
