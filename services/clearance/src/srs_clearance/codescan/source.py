"""A code file as the scan reads it (pure): its language, its text with comments blanked
(and a copy with string contents blanked too, so keywords inside strings do not count), and
its statements. Blanking keeps every offset, so a match maps back to its line."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

LANGUAGES = {".py": "python", ".ipynb": "python", ".jl": "python", ".r": "r", ".rmd": "r",
             ".qmd": "r", ".do": "stata", ".ado": "stata", ".sas": "sas", ".sps": "sas",
             ".sql": "sql"}
# Languages whose interactive sessions print the value of a bare expression.
AUTOPRINTING = frozenset({"r", "notebook"})


def language_of(filename: str | None) -> str | None:
    if not filename:
        return None
    return LANGUAGES.get(PurePosixPath(filename.lower()).suffix)


@dataclass(frozen=True, slots=True)
class Statement:
    start: int
    code: str  # comments blanked
    bare: str  # comments and string contents blanked


@dataclass(slots=True)
class Source:
    language: str | None
    code: str
    bare: str
    _newlines: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._newlines = [i for i, c in enumerate(self.code) if c == "\n"]

    def line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def statement(self, start: int, end: int) -> Statement:
        return Statement(start, self.code[start:end], self.bare[start:end])


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def read_source(text: str, language: str | None) -> Source:
    """Blank comments (keeping offsets) the way ``language`` writes them."""
    code: list[str] = []
    bare: list[str] = []
    quotes = {"stata": '"'}.get(language or "", "\"'")
    line_comment = {"python": ("#",), "r": ("#",), "sql": ("--",), "stata": ("//",),
                    "sas": (), None: ("#", "//", "--")}.get(language, ("#",))
    block = language in ("stata", "sas", "sql", None)
    i, n = 0, len(text)
    at_line_start = True
    statement_start = True
    while i < n:
        c = text[i]
        if block and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            code.append(_blank(text[i:end]))
            bare.append(_blank(text[i:end]))
            i = end
            continue
        star_comment = c == "*" and ((language == "stata" and at_line_start)
                                     or (language == "sas" and statement_start))
        if star_comment or any(text.startswith(m, i) for m in line_comment):
            stop = "\n" if language != "sas" else ";"
            end = text.find(stop, i)
            end = n if end < 0 else end + (1 if language == "sas" else 0)
            code.append(_blank(text[i:end]))
            bare.append(_blank(text[i:end]))
            i = end
            continue
        if c in quotes:
            end = i + 1
            while end < n and text[end] != c:
                end += 2 if text[end] == "\\" and language in ("python", "r") else 1
            end = min(end + 1, n)
            code.append(text[i:end])
            bare.append(c + _blank(text[i + 1:end - 1]) + (c if end - i > 1 else ""))
            i = end
            at_line_start = statement_start = False
            continue
        code.append(c)
        bare.append(c)
        if c == "\n":
            at_line_start = True
        elif not c.isspace():
            at_line_start = False
        if c == ";":
            statement_start = True
        elif not c.isspace():
            statement_start = False
        i += 1
    return Source(language, "".join(code), "".join(bare))


_CONTINUES = re.compile(r"(%>%|\|>|\\|,|\+|&|\||\(|\[|<-|=|///|\bthen)\s*$")


def statements(source: Source) -> list[Statement]:
    """Statements: split at ``;`` in SAS and SQL; elsewhere logical lines (open brackets,
    a trailing pipe, comma or operator, Stata's ``///`` continue a line)."""
    bare = source.bare
    spans: list[tuple[int, int]] = []
    if source.language in ("sas", "sql"):
        start = 0
        for match in re.finditer(";", bare):
            spans.append((start, match.end()))
            start = match.end()
        spans.append((start, len(bare)))
    else:
        start = depth = 0
        offset = 0
        for line in bare.splitlines(keepends=True):
            depth += sum(line.count(o) for o in "([{") - sum(line.count(c) for c in ")]}")
            offset += len(line)
            if depth > 0 or _CONTINUES.search(line.rstrip("\n")):
                continue
            spans.append((start, offset))
            start, depth = offset, 0
        spans.append((start, len(bare)))
    return [source.statement(s, e) for s, e in spans if bare[s:e].strip()]
