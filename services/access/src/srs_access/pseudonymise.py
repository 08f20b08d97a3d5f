"""Pseudonymisation of operational IDs (section 7), streamed in constant memory.

An ONS ID is a keyed HMAC-SHA256 of the operational ID under a secret key: the same
value gives the same ONS ID in every file (tables match inside the environment), it is
meaningless outside it, and nothing maps it back. The key id is part of the ONS ID, so
keys can rotate and IDs made under different keys never collide silently.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

from srs_common.errors import AppError

if TYPE_CHECKING:
    import _csv

# A problem found after the answer has begun (200 and rows already sent) ends the stream
# with one last line: this marker, then the problem as JSON. The response names the marker
# in STREAM_ERROR_HEADER; a client (srs_access.pseudonymise_client) raises on it. Input
# holding the marker text is refused, so no row can be mistaken for it.
STREAM_ERROR_MARKER = "#SRS-STREAM-ERROR "
STREAM_ERROR_HEADER = "X-Stream-Error-Marker"


class PseudonymisationError(AppError):
    status = 422
    title = "Cannot pseudonymise this file"


# RFC 4648 base32, two characters per 10 bits: a 15-byte digest (120 bits) is twelve
# lookups, where base64.b32encode (pure Python) costs more than the HMAC itself.
_B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_B32_PAIRS = [a + b for a in _B32 for b in _B32]
_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))


class Pseudonymiser:
    def __init__(self, key_id: str, secret: bytes) -> None:
        self.key_id = key_id
        self._prefix = f"ONS{key_id}-"
        # HMAC-SHA256 (RFC 2104) with the padded key's inner and outer hashes computed
        # once: each value then costs two copies and updates, not a new HMAC object.
        key = (hashlib.sha256(secret).digest() if len(secret) > 64 else secret).ljust(64, b"\0")
        self._inner = hashlib.sha256(key.translate(_IPAD))
        self._outer = hashlib.sha256(key.translate(_OPAD))

    def ons_id(self, operational_id: str) -> str:
        inner = self._inner.copy()
        inner.update(operational_id.strip().encode())
        outer = self._outer.copy()
        outer.update(inner.digest())
        n = int.from_bytes(outer.digest()[:15])
        t = _B32_PAIRS
        return "".join(
            (
                self._prefix,
                t[n >> 110],
                t[(n >> 100) & 1023],
                t[(n >> 90) & 1023],
                t[(n >> 80) & 1023],
                t[(n >> 70) & 1023],
                t[(n >> 60) & 1023],
                t[(n >> 50) & 1023],
                t[(n >> 40) & 1023],
                t[(n >> 30) & 1023],
                t[(n >> 20) & 1023],
                t[(n >> 10) & 1023],
                t[n & 1023],
            )
        )


# Input is decoded and cut into records _SLICE bytes at a time, whatever the size of the
# chunks the server hands over (a fast client's can be hundreds of KB, and each byte of a
# block costs more than ten in flight: text, StringIO's 4-byte characters, output), and
# output goes out in pieces of about _FLUSH_AT: the working set stays under half a MB.
_SLICE = 16 * 1024
_NEEDS_CSV = re.compile('["\r\0]')
_FLUSH_AT = 64 * 1024


class CsvPseudonymisation:
    """Reads CSV text chunk by chunk and yields it back with the named columns replaced.

    Records are cut only at newlines outside quotes, so quoted values may hold commas
    and line breaks; memory is bounded by one slice of input plus one record.
    """

    def __init__(
        self,
        source: AsyncIterator[bytes],
        pseudonymiser: Pseudonymiser,
        columns: list[str],
        max_record_bytes: int,
        check_before_streaming_bytes: int = 0,
    ) -> None:
        self._source = source
        self._pseudonymiser = pseudonymiser
        self._columns = columns
        self._max_record = max_record_bytes
        self._check_ahead = check_before_streaming_bytes
        self._consumed = 0
        self._ahead: list[str] = []
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
        return text[: cut + 1], text[cut + 1 :]

    async def _read_blocks(self) -> AsyncIterator[str]:
        """Runs of complete records, each from at most ``_SLICE`` bytes of new input."""
        async for chunk in self._source:
            for start in range(0, len(chunk), _SLICE):
                piece = chunk[start : start + _SLICE]
                self._consumed += len(piece)
                try:
                    text = self._pending + self._decoder.decode(piece)
                except UnicodeDecodeError:
                    raise PseudonymisationError("the file is not UTF-8 text") from None
                block, self._pending = self._split(text)
                if len(self._pending) > self._max_record:
                    raise PseudonymisationError(
                        f"a record is longer than {self._max_record} bytes",
                        max_record_bytes=self._max_record,
                    )
                if block:
                    yield self._checked(block)
        rest = self._pending + self._decoder.decode(b"", final=True)
        self._pending = ""
        if rest:
            yield self._checked(rest)

    def _checked(self, block: str) -> str:
        if STREAM_ERROR_MARKER.strip() in block:
            raise PseudonymisationError(
                f"the file contains the text {STREAM_ERROR_MARKER.strip()!r}, reserved to "
                "mark an error at the end of the answer"
            )
        return block

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
                f"columns not in the header: {', '.join(missing)}", missing_columns=missing
            )
        self._header = header
        self._indexes = [header.index(c) for c in self._columns]
        self._first_block = header_and_rest.read()
        # Read ahead before answering, up to the first data record whatever its length
        # and at least the first check-ahead bytes (all of a small file), so that a problem
        # there (a first record over the limit, say) is still a 4xx rather than an error
        # after the 200.
        seen_record = bool(self._first_block.strip())
        while self._consumed < self._check_ahead or not seen_record:
            try:
                block = await anext(self._blocks)
            except StopAsyncIteration:
                break
            self._ahead.append(block)
            seen_record = seen_record or bool(block.strip())
        return header

    def _rewrite(self, block: str, out: io.StringIO, writer: _csv.Writer) -> Iterator[bytes]:
        """Write the records of ``block`` to ``out`` with the columns replaced, handing
        out's content on whenever it reaches the flush size."""
        ons_id = self._pseudonymiser.ons_id
        if not _NEEDS_CSV.search(block):
            # No quotes, carriage returns or NULs: a record is a line and a field what
            # lies between commas, so splitting gives what the csv module would, and no
            # field of the result needs quoting (an ONS ID has none of those characters).
            lines = block.split("\n")
            if lines[-1] == "":
                lines.pop()
            indexes = self._indexes
            for number, line in enumerate(lines):
                fields = line.split(",")
                for index in indexes:
                    if index < len(fields) and fields[index].strip():
                        fields[index] = ons_id(fields[index])
                lines[number] = ",".join(fields)
            lines.append("")
            out.write("\n".join(lines))
            if out.tell() >= _FLUSH_AT:
                yield out.getvalue().encode()
                out.seek(0)
                out.truncate()
            return
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
        """The rewritten CSV. A problem met once output has begun ends it with the error
        trailer (after every complete row before the problem), never silently."""
        assert self._header is not None, "read_header() first"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self._header)
        for piece in self._rewrite(self._first_block, out, writer):
            yield piece
        ahead, self._ahead = self._ahead, []
        for block in ahead:
            for piece in self._rewrite(block, out, writer):
                yield piece
        try:
            async for block in self._blocks:
                for piece in self._rewrite(block, out, writer):
                    yield piece
        except PseudonymisationError as exc:
            out.write(error_trailer(exc))
        if out.tell():
            yield out.getvalue().encode()


def error_trailer(exc: AppError) -> str:
    """The last line of an answer that had to stop: the marker and the problem."""
    problem = {
        "type": "about:blank",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
        **exc.extra,
    }
    return STREAM_ERROR_MARKER + json.dumps(problem, separators=(",", ":")) + "\n"
