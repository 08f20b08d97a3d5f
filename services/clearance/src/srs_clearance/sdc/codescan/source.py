"""A code file as the scan reads it (pure): its language, its text with comments blanked
(and a copy with string contents blanked too, so keywords inside strings do not count), and
its statements. Blanking keeps every offset, so a match maps back to its line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

LANGUAGES = {
    ".py": "python",
    ".ipynb": "python",
    ".jl": "python",
    ".r": "r",
    ".rmd": "r",
    ".qmd": "r",
    ".do": "stata",
    ".ado": "stata",
    ".sas": "sas",
    ".sps": "sas",
    ".sql": "sql",
}
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


@dataclass(frozen=True, slots=True)
class Source:
    language: str | None
    code: str
    bare: str

    def statement(self, start: int, end: int) -> Statement:
        return Statement(start, self.code[start:end], self.bare[start:end])


def _blank(text: str) -> str:
    return re.sub(r"[^\n]", " ", text)


def _token_pattern(language: str | None) -> re.Pattern[str]:
    comments = {
        "python": [r"\#[^\n]*"],
        "r": [r"\#[^\n]*"],
        "sql": [r"--[^\n]*"],
        "stata": [r"//[^\n]*", r"(?m:^)[ \t]*\*[^\n]*"],
        "sas": [r"(?:(?<=;)|\A)\s*\*[^;]*;?"],
        None: [r"\#[^\n]*", r"//[^\n]*", r"--[^\n]*"],
    }[language]
    if language in ("stata", "sas", "sql", None):
        comments.insert(0, r"/\*.*?(?:\*/|\Z)")
    escaped = language in ("python", "r", None)
    strings = [r'"(?:\\.|[^"\\])*(?:"|\Z)' if escaped else r'"[^"]*(?:"|\Z)']
    if language != "stata":
        strings.append(r"'(?:\\.|[^'\\])*(?:'|\Z)" if escaped else r"'[^']*(?:'|\Z)")
    return re.compile(
        f"(?P<comment>{'|'.join(comments)})|(?P<string>{'|'.join(strings)})"
        r"|(?P<other>[^\"'#/\-*;\n]+|.|\n)",
        re.S,
    )


def read_source(text: str, language: str | None) -> Source:
    """Blank comments (keeping offsets) the way ``language`` writes them."""
    if language not in ("python", "r", "sql", "stata", "sas"):
        language = None
    code: list[str] = []
    bare: list[str] = []
    for token in _token_pattern(language).finditer(text):
        piece = token.group(0)
        if token.lastgroup == "comment":
            code.append(_blank(piece))
            bare.append(_blank(piece))
        elif token.lastgroup == "string":
            code.append(piece)
            closed = len(piece) > 1 and piece[-1] == piece[0]
            bare.append(
                piece[0]
                + _blank(piece[1:-1] if closed else piece[1:])
                + (piece[-1] if closed else "")
            )
        else:
            code.append(piece)
            bare.append(piece)
    return Source(language, "".join(code), "".join(bare))


MAX_LINES = 60  # no R pipeline or Python call a checker can follow is longer
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
        start = depth = lines = 0
        offset = 0
        for line in bare.splitlines(keepends=True):
            depth += sum(line.count(o) for o in "([{") - sum(line.count(c) for c in ")]}")
            offset += len(line)
            lines += 1
            # an unbalanced bracket must not make the rest of the file one statement
            if (depth > 0 or _CONTINUES.search(line.rstrip("\n"))) and lines < MAX_LINES:
                continue
            spans.append((start, offset))
            start, depth, lines = offset, 0, 0
        spans.append((start, len(bare)))
    return [source.statement(s, e) for s, e in spans if bare[s:e].strip()]
