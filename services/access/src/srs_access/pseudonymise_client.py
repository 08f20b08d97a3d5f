"""Client of the pseudonymisation endpoint: streams a CSV up and the answer down, and
raises when the answer ended with the error trailer, so a file cut short by a problem
is never taken for a whole one.

    async with httpx.AsyncClient(base_url=..., headers=auth) as http:
        with open("out.csv", "wb") as out:
            async for piece in pseudonymise(http, upload(), columns=["entref"]):
                out.write(piece)

What was written before the error is a prefix of the answer only: discard it.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any

import httpx

from srs_access.pseudonymise import STREAM_ERROR_HEADER, STREAM_ERROR_MARKER


class PseudonymisationFailed(Exception):
    """The service refused the file (4xx before any output) or stopped part-way (the
    error trailer). ``problem`` is the problem+json it gave; ``partial`` tells the two
    apart: True when some rows had already been received."""

    def __init__(self, problem: dict[str, Any], *, partial: bool) -> None:
        super().__init__(problem.get("detail") or problem.get("title") or "pseudonymisation failed")
        self.problem = problem
        self.status = int(problem.get("status") or 0)
        self.partial = partial


async def pseudonymise(
    client: httpx.AsyncClient,
    body: bytes | str | AsyncIterable[bytes],
    *,
    columns: list[str] | None = None,
    dataset_id: str | None = None,
    key_id: str | None = None,
    path: str = "/v1/pseudonymise",
) -> AsyncIterator[bytes]:
    """The pseudonymised CSV, piece by piece. Raises :class:`PseudonymisationFailed`
    for a refusal, and at the end of an answer that stopped on an error."""
    params: dict[str, Any] = {}
    if columns:
        params["columns"] = columns
    if dataset_id:
        params["dataset_id"] = dataset_id
    if key_id:
        params["key_id"] = key_id
    async with client.stream(
        "POST", path, params=params, content=body, headers={"content-type": "text/csv"}
    ) as response:
        if response.status_code != 200:
            await response.aread()
            try:
                problem = response.json()
            except ValueError:
                problem = {"status": response.status_code, "detail": response.text[:500]}
            raise PseudonymisationFailed(problem, partial=False)
        marker = (response.headers.get(STREAM_ERROR_HEADER) or STREAM_ERROR_MARKER.strip()).encode()
        # The last line is held back until the next arrives: it may be the trailer.
        held = b""
        sent = False
        async for chunk in response.aiter_bytes():
            data = held + chunk
            cut = data.rfind(b"\n", 0, len(data) - 1)
            if cut == -1:
                held = data
                continue
            held = data[cut + 1 :]
            sent = True
            yield data[: cut + 1]
        if held.startswith(marker):
            text = held[len(marker) :].decode("utf-8", "replace").strip()
            try:
                problem = json.loads(text)
            except ValueError:
                problem = {"detail": text or "the answer ended with an error"}
            raise PseudonymisationFailed(problem, partial=sent)
        if held:
            yield held


async def pseudonymise_all(
    client: httpx.AsyncClient, body: bytes | str | AsyncIterable[bytes], **options: Any
) -> bytes:
    """The whole pseudonymised CSV (small files), or :class:`PseudonymisationFailed`."""
    return b"".join([piece async for piece in pseudonymise(client, body, **options)])
