"""Pseudonymisation of operational IDs (section 7), streamed in constant memory.

An ONS ID is a keyed HMAC-SHA256 of the operational ID under a secret key: the same
value gives the same ONS ID in every file (tables match inside the environment), it is
meaningless outside it, and nothing maps it back. The key id is part of the ONS ID, so
keys can rotate and IDs made under different keys never collide silently.
"""

from __future__ import annotations

import base64
import codecs
import csv
import hashlib
import hmac
import io
from collections.abc import AsyncIterator

from srs_common.errors import AppError


class PseudonymisationError(AppError):
    status = 422
    title = "Cannot pseudonymise this file"


class Pseudonymiser:
    def __init__(self, key_id: str, secret: bytes) -> None:
        self.key_id = key_id
        self._secret = secret

    def ons_id(self, operational_id: str) -> str:
        digest = hmac.new(self._secret, operational_id.strip().encode(), hashlib.sha256).digest()
        return f"ONS{self.key_id}-{base64.b32encode(digest[:15]).decode()}"


_FLUSH_AT = 64 * 1024


class CsvPseudonymisation:
    """Reads CSV text chunk by chunk and yields it back with the named columns replaced.

    Records are cut only at newlines outside quotes, so quoted values may hold commas
    and line breaks; memory is bounded by one chunk plus one record.
    """

    def __init__(self, source: AsyncIterator[bytes], pseudonymiser: Pseudonymiser,
                 columns: list[str], max_record_bytes: int) -> None:
        self._source = source
        self._pseudonymiser = pseudonymiser
        self._columns = columns
        self._max_record = max_record_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._pending = ""
        self._indexes: list[int] = []
        self._header: list[str] | None = None
        self._first_block = ""

    def _split(self, text: str) -> tuple[str, str]:
        cut = text.rfind("\n")
        while cut != -1 and text.count('"', 0, cut) % 2:
            cut = text.rfind("\n", 0, cut)
        return text[:cut + 1], text[cut + 1:]

    async def _next_block(self) -> str | None:
        """The next run of complete records, or None at the end of the input."""
        async for chunk in self._source:
            try:
                text = self._pending + self._decoder.decode(chunk)
            except UnicodeDecodeError:
                raise PseudonymisationError("the file is not UTF-8 text") from None
            block, self._pending = self._split(text)
            if len(self._pending) > self._max_record:
                raise PseudonymisationError(
                    f"a record is longer than {self._max_record} bytes")
            if block:
                return block
        rest = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        return rest or None

    async def read_header(self) -> list[str]:
        """Read up to the header and check the named columns exist (before any output,
        so a wrong request is still a clean 4xx)."""
        while True:
            block = await self._next_block()
            if block is None:
                raise PseudonymisationError("the file is empty: a header row is required")
            if block.strip():
                break
        header_and_rest = io.StringIO(block)
        header = next(csv.reader(header_and_rest))
        missing = [c for c in self._columns if c not in header]
        if missing:
            raise PseudonymisationError(
                f"columns not in the header: {', '.join(missing)}", missing_columns=missing)
        self._header = header
        self._indexes = [header.index(c) for c in self._columns]
        self._first_block = header_and_rest.read()
        return header

    def _rewrite(self, block: str, out: io.StringIO, writer: csv.writer) -> None:  # type: ignore[valid-type]
        ons_id = self._pseudonymiser.ons_id
        for row in csv.reader(io.StringIO(block)):
            for index in self._indexes:
                if index < len(row) and row[index].strip():
                    row[index] = ons_id(row[index])
            writer.writerow(row)

    async def stream(self) -> AsyncIterator[bytes]:
        assert self._header is not None, "read_header() first"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self._header)
        block: str | None = self._first_block
        while block is not None:
            self._rewrite(block, out, writer)
            if out.tell() >= _FLUSH_AT:
                yield out.getvalue().encode()
                out.seek(0)
                out.truncate()
            block = await self._next_block()
        if out.tell():
            yield out.getvalue().encode()
