"""Calls to the platform's public REST APIs, with the signed-in person's own token.

The portal owns no business rule and reads no service's database: what it shows is what
these APIs answer the person."""

from __future__ import annotations

import logging
import time
from typing import Any

import httpx

from srs_common.errors import AppError, NotFound

log = logging.getLogger(__name__)
# How long the organisations' names are kept before they are read again.
ORGANISATION_NAMES_SECONDS = 60.0


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
        self._organisations: tuple[float, dict[str, str]] = (0.0, {})

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

    async def etag(self, service: str, path: str, *, token: str) -> str:
        """The ``ETag`` of a resource as the person reads it now ("" when it has none or
        cannot be read): a staff form carries it and sends it back as ``If-Match``, so a
        change made from a page someone else has since changed is refused (412)."""
        url = self.service_urls[service].rstrip("/") + path
        try:
            response = await self.client.get(url, headers={"Authorization": f"Bearer {token}"})
        except httpx.HTTPError as exc:
            raise ServiceUnavailable(
                f"the {service} service cannot be reached just now; try again in a few minutes"
            ) from exc
        if response.status_code == 401:
            raise SignInAgain()
        return response.headers.get("etag", "") if response.status_code == 200 else ""

    async def organisation_names(self) -> dict[str, str]:
        """Every organisation's name by id (the access service's public directory), kept
        for a minute; empty while the directory cannot be reached (pages then show ids)."""
        fetched_at, names = self._organisations
        if names and time.monotonic() - fetched_at < ORGANISATION_NAMES_SECONDS:
            return names
        try:
            entries = await self.get("access", "/v1/organisation-names") or []
        except ServiceUnavailable:
            log.warning("the organisations' names could not be read: pages show their ids")
            return names
        names = {str(e["id"]): str(e["name"]) for e in entries}
        self._organisations = (time.monotonic(), names)
        return names

    async def staff_names(self, usernames: set[str], *, token: str) -> dict[str, str]:
        """The names of staff logins by login (the access service's staff directory, read
        with the signed-in staff member's token); a login it does not name, or any answer
        but a list, leaves the page showing the login."""
        wanted = sorted(u for u in usernames if u)[:50]
        if not wanted:
            return {}
        try:
            entries = await self.get(
                "access", "/v1/staff-names", token=token, params={"username": wanted}
            )
        except ServiceUnavailable:
            log.warning("staff names could not be read: pages show their logins")
            return {}
        return {str(e["username"]): str(e["name"]) for e in entries or []}

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

    async def post(
        self, service: str, path: str, *, token: str, json: Any, missing: str | None = None
    ) -> tuple[int, Any]:
        """The status and JSON body of a POST; 4xx answers are returned for the page to
        explain (problem+json), never raised (but see ``missing`` in :meth:`send`)."""
        return await self.send("POST", service, path, token=token, json=json, missing=missing)

    async def send(
        self,
        method: str,
        service: str,
        path: str,
        *,
        token: str,
        json: Any,
        if_match: str | None = None,
        missing: str | None = None,
        data: dict[str, str] | None = None,
        files: Any = None,
    ) -> tuple[int, Any]:
        """:meth:`post` for any method (PATCH, ...); ``if_match``: the ``ETag`` the page
        was drawn from (a 412 answer says someone else changed the resource meanwhile);
        ``missing``: what the person's not-found page says when the API answers 404 (the
        resource is gone, or is not theirs to act on), raised as ``NotFound``; ``data`` and
        ``files``: a multipart form (uploads) in place of the JSON body."""
        url = self.service_urls[service].rstrip("/") + path
        headers = {"Authorization": f"Bearer {token}"}
        if if_match:
            headers["If-Match"] = if_match
        try:
            if files is not None:
                response = await self.client.request(
                    method, url, data=data, files=files, headers=headers
                )
            else:
                response = await self.client.request(method, url, json=json, headers=headers)
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
        if missing is not None and response.status_code == 404:
            raise NotFound(missing)
        try:
            body = response.json()
        except ValueError:
            body = None
        return response.status_code, body

    async def close(self) -> None:
        await self.client.aclose()
