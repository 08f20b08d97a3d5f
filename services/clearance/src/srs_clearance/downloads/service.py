"""Downloads: a file of a request the caller may see, every download audited."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance.audit.service import record
from srs_clearance.models import (
    OutputFile,
)
from srs_clearance.outputs.visibility import visible_output
from srs_common.auth import Principal
from srs_common.errors import NotFound


async def file_for_download(
    session: AsyncSession, principal: Principal, output_id: str, file_id: str, now: dt.datetime
) -> OutputFile:
    """The file if the caller may see the request; every download is audited."""
    output = await visible_output(session, principal, output_id, for_update=True)
    file = await session.get(OutputFile, file_id)
    if file is None or file.output_id != output.id:
        raise NotFound(f"file {file_id} not found")
    await record(session, output, principal, "downloaded", file.filename, file_id=file.id, at=now)
    await session.flush()
    return file
