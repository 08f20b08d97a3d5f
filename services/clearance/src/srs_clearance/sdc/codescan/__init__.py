"""Code file checks (pure): identifiers, searches for single entities, printing rows,
missing annotation.

A code file cleared for release "must not contain identifiers or any commands that may
attempt to search or identify individual entities". The scan reads R, Python (and
notebooks), Stata, SAS and SQL idioms. Findings carry a 1-based line number and a severity:
a selection of one literal value on an identifier column, or a literal that is personal data,
fails; a selection by a value held in a variable, printing or viewing rows, picking a row by
position, identifier columns and thin annotation go to a checker for review. What counts as
an identifier column: any column the catalogue lists as an operational identifier of the
project's datasets, and any column whose name is identifier-like (``identifiers``).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from srs_clearance.sdc.codescan import comparisons, identifiers, rows
from srs_clearance.sdc.codescan.source import (
    LANGUAGES,
    Source,
    Statement,
    language_of,
    read_source,
    statements,
)

Severity = Literal["fail", "review"]

CODE_EXTENSIONS = frozenset(LANGUAGES)

_COLUMNS = re.compile(
    r"\b(nhs_?(number|no)|ni_?(number|no)|nino|national_insurance\w*|post_?code|postcode_full"
    r"|dob|date_of_birth|birth_?date|forename|surname|first_?name|last_?name|full_?name"
    r"|patient_?name|person_?name)\b",
    re.IGNORECASE,
)
_DROPS = re.compile(r"\bdrop\b|\bdel\b|select\s*\(\s*-|-\s*c\(|\bexclude\b", re.I)
_COMMENT = re.compile(r"^\s*(#|//|\*|/\*|--|%|')")
_MEMBERSHIP = frozenset({"isin", "%in%", "in", "inlist"})
ROW_LEVEL_DETAIL = "selects a single entity or prints row-level data"

# Past this size only literals are looked for (commands are read up to here).
MAX_SCANNED_CHARS = 2_000_000

# Below this share of annotated lines, a checker cannot follow the code.
MIN_ANNOTATED_SHARE = 0.20


@dataclass(frozen=True, slots=True)
class Finding:
    line: int
    rule: str
    severity: Severity
    detail: str


def scan_code(
    text: str, *, filename: str | None = None, identifier_columns: Iterable[str] = ()
) -> list[Finding]:
    """Every finding in one code file, in line order.

    ``filename`` names the language (by extension; every idiom is tried when it is unknown);
    ``identifier_columns`` are the catalogue's operational identifier columns of the
    project's datasets.
    """
    language = language_of(filename)
    autoprint = language == "r"
    if filename and filename.lower().endswith(".ipynb"):
        text, autoprint = _notebook_code(text), True
    elif filename and filename.lower().endswith((".rmd", ".qmd")):
        text = _rmarkdown_code(text)
    catalogued = tuple(identifier_columns)
    full_text = text
    if len(text) > MAX_SCANNED_CHARS:  # bound the time a submission spends here
        text = text[: text.rfind("\n", 0, MAX_SCANNED_CHARS) + 1]
    source = read_source(text, language)
    scan = _Scan(source, catalogued, full_text)
    datasets = rows.Datasets()
    in_proc_sql = False
    for statement in statements(source):
        dialect = language
        if language == "sas":
            if re.match(r"\s*proc\s+sql\b", statement.bare, re.I):
                in_proc_sql = True
                continue
            if re.match(r"\s*(?:quit|run)\s*;", statement.bare, re.I):
                in_proc_sql = False
            dialect = "sql" if in_proc_sql else "sas"
        scan.statement(statement, dialect, datasets, autoprint)
        datasets.learn(statement, dialect)
    scan.standalone_literals(full_text)
    scan.identifier_columns(text)
    scan.annotation(full_text)
    if text != full_text:
        scan.add(
            len(text),
            "unscanned",
            "review",
            "the file is too long to read its commands automatically from here on: "
            "a checker reads the rest",
        )
    unique = {(f.line, f.rule, f.severity, f.detail): f for f in scan.findings}
    return sorted(unique.values(), key=lambda f: (f.line, f.rule))


def code_status(findings: list[Finding]) -> Literal["pass", "review", "fail"]:
    if any(f.severity == "fail" for f in findings):
        return "fail"
    return "review" if findings else "pass"


def _notebook_code(text: str) -> str:
    """A notebook's code cells, its markdown cells as comments (they annotate the code)."""
    try:
        cells = json.loads(text).get("cells", [])
    except (ValueError, AttributeError):
        return text
    lines: list[str] = []
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict):
            continue
        source = cell.get("source", "")
        body = "".join(source) if isinstance(source, list) else str(source)
        if cell.get("cell_type") == "code":
            lines += [ln for ln in body.splitlines() if not ln.lstrip().startswith(("%", "!"))]
        else:
            lines += [f"# {ln}" for ln in body.splitlines() if ln.strip()]
    return "\n".join(lines) + "\n"


def _rmarkdown_code(text: str) -> str:
    """An R Markdown or Quarto document with its prose and chunk fences as comments (they
    annotate the code), line for line."""
    lines, in_chunk = [], False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_chunk = not in_chunk and line.strip() != "```"
            lines.append(f"# {line}")
        else:
            lines.append(line if in_chunk else f"# {line}" if line.strip() else "")
    return "\n".join(lines) + "\n"


_SQL_IN_STRING = re.compile(r"\s*(?:select|with|update|delete)\b", re.I)
_QUERY_CALL = re.compile(r"(?:\.(?:query|filter|where|eval)|\bsubset)\s*\(\s*[frbFRB]?$")
_ASSIGNED_LITERAL = re.compile(
    r"^\s*(?:%let\s+|local\s+|global\s+|scalar\s+)?(?P<name>[A-Za-z_.][\w.]*)\s*(?:<<?-|=)?\s*"
    r"(?P<literal>\"[^\"\n]*\"|'[^'\n]*'|-?\d[\d -]*\d)\s*;?\s*$"
)


class _Scan:
    def __init__(self, source: Source, catalogued: tuple[str, ...], text: str) -> None:
        self.source = source
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.catalogued = catalogued
        self.findings: list[Finding] = []
        self.consumed: list[tuple[int, int]] = []

    def add(self, offset: int, rule: str, severity: Severity, detail: str) -> None:
        line = bisect.bisect_left(self.newlines, offset) + 1
        self.findings.append(Finding(line, rule, severity, detail))

    def statement(
        self, statement: Statement, dialect: str | None, datasets: rows.Datasets, autoprint: bool
    ) -> None:
        zones, exclusions = _comparison_zones(statement.bare, dialect)
        self.comparisons(
            statement.start,
            statement.code,
            statement.bare,
            dialect,
            zones=zones,
            exclusions=exclusions,
        )
        if dialect in ("python", "r", None):
            self.strings(statement)
        if dialect == "sql" and rows.sql_listing(
            statement.bare, self.catalogued, datasets.aggregates
        ):
            self.add(
                statement.start + len(statement.bare) - len(statement.bare.lstrip()),
                "row-level",
                "review",
                ROW_LEVEL_DETAIL,
            )
        for offset, _what in rows.viewing(statement, dialect, datasets, autoprint):
            self.add(statement.start + offset, "row-level", "review", ROW_LEVEL_DETAIL)
        for offset, what in rows.picking_rows(statement, dialect, datasets):
            self.add(statement.start + offset, "row-level", "review", what)
        assigned = _ASSIGNED_LITERAL.match(statement.code)
        if assigned:
            kind = identifiers.column_kind(assigned.group("name"))
            literal = assigned.group("literal")
            if kind in identifiers.PERSONAL_LITERAL_KINDS and identifiers.literal_fits(
                kind, literal
            ):
                start = statement.start + assigned.start("literal")
                self.consumed.append((start, start + len(literal)))
                self.add(
                    start,
                    kind,
                    "fail",
                    f"a literal held as {assigned.group('name')!r}: {identifiers.describe(kind)}",
                )

    def comparisons(
        self,
        base: int,
        code: str,
        bare: str,
        dialect: str | None,
        *,
        zones: list[tuple[int, int]] | None = None,
        exclusions: bool = False,
    ) -> None:
        for found in comparisons.find(code, bare, dialect, zones=zones, exclusions=exclusions):
            self.consumed.append((base + found.start, base + found.end))
            kind = identifiers.column_kind(found.column, self.catalogued)
            if kind is None or found.value_kind == "column":
                continue
            what = f"{found.column} {found.op} {found.value}"
            if found.value_kind == "literal":
                if found.selects:
                    self.add(
                        base + found.start,
                        "row-level",
                        "fail",
                        f"selects a single entity: {what} ({identifiers.describe(kind)})",
                    )
                if kind in identifiers.PERSONAL_LITERAL_KINDS and identifiers.literal_fits(
                    kind, found.value
                ):
                    self.add(
                        base + found.start,
                        kind,
                        "fail",
                        f"a literal compared with {found.column}: {identifiers.describe(kind)}",
                    )
            elif found.selects and found.op not in _MEMBERSHIP:
                # a list held in a variable is a join or a sample far more often than a search
                self.add(
                    base + found.start,
                    "row-level",
                    "review",
                    f"selects a single entity: {what} (a value held in {found.value})",
                )

    def strings(self, statement: Statement) -> None:
        """SQL and query expressions written inside strings (pd.read_sql, df.query, sqldf)."""
        for match in re.finditer(r"\"[^\"]*\"|'[^']*'", statement.bare):
            content = statement.code[match.start() + 1 : match.end() - 1]
            offset = statement.start + match.start() + 1
            blank = re.sub(
                r"\"[^\"]*\"|'[^']*'",
                lambda m: m.group(0)[0] + " " * (len(m.group(0)) - 2) + m.group(0)[-1],
                content,
            )
            if _SQL_IN_STRING.match(content):
                for part in re.finditer(r"[^;]+", blank):
                    zones, exclusions = _comparison_zones(part.group(0), "sql")
                    self.comparisons(
                        offset + part.start(),
                        content[part.start() : part.end()],
                        part.group(0),
                        "sql",
                        zones=zones,
                        exclusions=exclusions,
                    )
                    if rows.sql_listing(part.group(0), self.catalogued):
                        self.add(offset, "row-level", "review", ROW_LEVEL_DETAIL)
            elif _QUERY_CALL.search(statement.bare[: match.start()]):
                self.comparisons(offset, content, blank, "query")

    def standalone_literals(self, text: str) -> None:
        """Literals that are personal data by their form alone, wherever they are."""
        for offset, kind in identifiers.standalone_literal_kinds(text):
            if any(a <= offset < b for a, b in self.consumed):
                continue
            self.add(
                offset, kind, "fail", f"a literal that looks like {identifiers.describe(kind)}"
            )

    def identifier_columns(self, text: str) -> None:
        code = self.source.code
        for match in _COLUMNS.finditer(code):
            line_start = code.rfind("\n", 0, match.start()) + 1
            line_end = code.find("\n", match.start())
            if _DROPS.search(code[line_start : line_end if line_end >= 0 else len(code)]):
                continue  # removing an identifier column is what the researcher should do
            self.add(
                match.start(),
                "identifier-column",
                "review",
                f"uses the identifier column {match.group(0)!r}",
            )

    def annotation(self, text: str) -> None:
        code_lines = comment_lines = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            if _COMMENT.match(line) or "#" in line or "//" in line:
                comment_lines += 1
            if not _COMMENT.match(line):
                code_lines += 1
        if code_lines and comment_lines / max(code_lines, 1) < MIN_ANNOTATED_SHARE:
            self.findings.append(
                Finding(
                    0,
                    "annotation",
                    "review",
                    "too little annotation for a checker to follow the code",
                )
            )


def _comparison_zones(bare: str, dialect: str | None) -> tuple[list[tuple[int, int]] | None, bool]:
    """Where ``=`` compares rather than assigns (SAS, SQL), and whether the statement keeps
    only what an exclusion leaves (``drop if id != 5``)."""
    if dialect == "stata":
        return None, bool(re.match(r"\s*(?:\w+\s*:\s*)?drop\s+if\b", bare))
    if dialect == "sql":
        exclusions = bool(re.match(r"\s*delete\b", bare, re.I))
        assignment = re.search(r"\bset\b(?P<set>.*?)(?:\bwhere\b|$)", bare, re.I | re.S)
        if assignment and re.match(r"\s*update\b", bare, re.I):
            return [(0, assignment.start("set")), (assignment.end("set"), len(bare))], exclusions
        return [(0, len(bare))], exclusions
    if dialect == "sas":
        zones: list[tuple[int, int]] = []
        if re.match(r"\s*where\b", bare, re.I):
            zones.append((0, len(bare)))
        condition = re.match(
            r"\s*(?:else\s+)?if\b(?P<condition>.*?)(?:\bthen\b|$)", bare, re.I | re.S
        )
        if condition:
            zones.append((condition.start("condition"), condition.end("condition")))
        for option in re.finditer(r"\b(?:where\s*=\s*|when\s*)\(", bare, re.I):
            zones.append(
                (option.end(), option.end() + len(rows._call_argument(bare, option.end() - 1)) + 1)
            )
        return zones, bool(re.search(r"\bthen\s+delete\b", bare, re.I))
    return None, False
