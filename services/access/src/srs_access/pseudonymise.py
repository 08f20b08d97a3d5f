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
from collections.abc import AsyncIterator, Iterator

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


# Input is decoded and cut into records _SLICE bytes at a time, whatever the size of the
# chunks the server hands over (a fast client's can be hundreds of KB, and each byte of a
# block costs more than ten in flight: text, StringIO's 4-byte characters, output), and
# output goes out in pieces of about _FLUSH_AT: the working set stays under half a MB.
_SLICE = 16 * 1024
_FLUSH_AT = 64 * 1024


class CsvPseudonymisation:
    """Reads CSV text chunk by chunk and yields it back with the named columns replaced.

    Records are cut only at newlines outside quotes, so quoted values may hold commas
    and line breaks; memory is bounded by one slice of input plus one record.
    """

    def __init__(self, source: AsyncIterator[bytes], pseudonymiser: Pseudonymiser,
                 columns: list[str], max_record_bytes: int) -> None:
        self._source = source
        self._pseudonymiser = pseudonymiser
        self._columns = columns
        self._max_record = max_record_bytes
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._pending = ""
        self._blocks = self._read_blocks()
        self._indexes: list[int] = []
        self._header: list[str] | None = None
        self._first_block = ""

    def _split(self, text: str) -> tuple[str, str]:
        """Complete records and the rest: cut after the last newline outside quotes (an
        even number of quotes before it), counting each stretch of text once."""
        cut = text.rfind("\n")
        quotes = text.count('"', 0, cut) if cut != -1 else 0
        while cut != -1 and quotes % 2:
            previous = text.rfind("\n", 0, cut)
            quotes -= text.count('"', max(previous, 0), cut)
            cut = previous
        return text[:cut + 1], text[cut + 1:]

    async def _read_blocks(self) -> AsyncIterator[str]:
        """Runs of complete records, each from at most ``_SLICE`` bytes of new input."""
        async for chunk in self._source:
            for start in range(0, len(chunk), _SLICE):
                try:
                    text = self._pending + self._decoder.decode(chunk[start:start + _SLICE])
                except UnicodeDecodeError:
                    raise PseudonymisationError("the file is not UTF-8 text") from None
                block, self._pending = self._split(text)
                if len(self._pending) > self._max_record:
                    raise PseudonymisationError(
                        f"a record is longer than {self._max_record} bytes")
                if block:
                    yield block
        rest = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        if rest:
            yield rest

    async def read_header(self) -> list[str]:
        """Read up to the header and check the named columns exist (before any output,
        so a wrong request is still a clean 4xx)."""
        async for block in self._blocks:
            if block.strip():
                break
        else:
            raise PseudonymisationError("the file is empty: a header row is required")
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

    def _rewrite(self, block: str, out: io.StringIO,
                 writer: csv.writer) -> Iterator[bytes]:  # type: ignore[valid-type]
        """Write the records of ``block`` to ``out`` with the columns replaced, handing
        out's content on whenever it reaches the flush size."""
        ons_id = self._pseudonymiser.ons_id
        for row in csv.reader(io.StringIO(block)):
            for index in self._indexes:
                if index < len(row) and row[index].strip():
                    row[index] = ons_id(row[index])
            writer.writerow(row)
            if out.tell() >= _FLUSH_AT:
                yield out.getvalue().encode()
                out.seek(0)
                out.truncate()

    async def stream(self) -> AsyncIterator[bytes]:
        assert self._header is not None, "read_header() first"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self._header)
        for piece in self._rewrite(self._first_block, out, writer):
            yield piece
        async for block in self._blocks:
            for piece in self._rewrite(block, out, writer):
                yield piece
        if out.tell():
            yield out.getvalue().encode()
