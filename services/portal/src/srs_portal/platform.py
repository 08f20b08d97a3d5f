"""Calls to the platform's public REST APIs, with the signed-in person's own token.

The portal owns no business rule and reads no service's database: what it shows is what
these APIs answer the person."""

from __future__ import annotations

from typing import Any

import httpx

from srs_common.errors import AppError


class ServiceUnavailable(AppError):
    status = 503
    title = "Service unavailable"


class SignInAgain(Exception):
    """The person's token is no longer accepted: they must sign in again."""


class Platform:
    def __init__(
        self,
        service_urls: dict[str, str],
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.service_urls = service_urls
        self.client = httpx.AsyncClient(timeout=timeout, transport=transport)

    async def get(
        self,
        service: str,
        path: str,
        *,
        token: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> Any | None:
        """The JSON answer, None for a 404 (missing, or not this person's to see)."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = self.service_urls[service].rstrip("/") + path
        try:
            response = await self.client.get(url, headers=headers, params=params)
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"the {service} service cannot be reached just now; try again in a few minutes"
            ) from exc
        if response.status_code == 404:
            return None
        if response.status_code == 401:
            raise SignInAgain()
        if response.status_code >= 400:
            raise ServiceUnavailable(
                f"the {service} service answered {response.status_code}; try again in a few minutes"
            )
        return response.json()

    async def get_bytes(self, service: str, path: str, *, token: str) -> bytes | None:
        """A file's bytes (a download), None for a 404."""
        url = self.service_urls[service].rstrip("/") + path
        try:
            response = await self.client.get(url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"the {service} service cannot be reached just now; try again in a few minutes"
            ) from exc
        if response.status_code == 404:
            return None
        if response.status_code == 401:
            raise SignInAgain()
        if response.status_code >= 400:
            raise ServiceUnavailable(
                f"the {service} service answered {response.status_code}; try again in a few minutes"
            )
        return response.content

    async def post(self, service: str, path: str, *, token: str, json: Any) -> tuple[int, Any]:
        """The status and JSON body of a POST; 4xx answers are returned for the page to
        explain (problem+json), never raised."""
        return await self.send("POST", service, path, token=token, json=json)

    async def send(
        self, method: str, service: str, path: str, *, token: str, json: Any
    ) -> tuple[int, Any]:
        """:meth:`post` for any method (PATCH, ...)."""
        url = self.service_urls[service].rstrip("/") + path
        try:
            response = await self.client.request(
                method, url, json=json, headers={"Authorization": f"Bearer {token}"}
            )
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"the {service} service cannot be reached just now; try again in a few minutes"
            ) from exc
        if response.status_code == 401:
            raise SignInAgain()
        if response.status_code >= 500:
            raise ServiceUnavailable(
                f"the {service} service answered {response.status_code}; try again in a few minutes"
            )
        try:
            body = response.json()
        except ValueError:
            body = None
        return response.status_code, body

    async def close(self) -> None:
        await self.client.aclose()
