"""Code file checks (pure): identifiers, single-entity commands, missing annotation.

Findings carry a 1-based line number and a severity: a literal that looks like a real
identifier fails; identifier columns, row-level commands and thin annotation go to a
checker for review.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Severity = Literal["fail", "review"]

CODE_EXTENSIONS = frozenset({".py", ".r", ".do", ".sas", ".sps", ".sql", ".ipynb", ".jl",
                             ".ado", ".rmd", ".qmd"})

_LITERALS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("nhs-number", re.compile(r"(?<![\d-])\d{3}[ -]?\d{3}[ -]?\d{4}(?![\d-])")),
    ("national-insurance-number",
     re.compile(r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
                re.IGNORECASE)),
    ("postcode", re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b")),
    ("date-of-birth", re.compile(r"\b(19|20)\d{2}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b"
                                 r"|\b(0[1-9]|[12]\d|3[01])/(0[1-9]|1[0-2])/(19|20)\d{2}\b")),
)
_COLUMNS = re.compile(
    r"\b(nhs_?(number|no)|ni_?(number|no)|nino|national_insurance\w*|post_?code|postcode_full"
    r"|dob|date_of_birth|birth_?date|forename|surname|first_?name|last_?name|full_?name"
    r"|patient_?name|person_?name)\b", re.IGNORECASE)
_ROW_LEVEL = re.compile(
    r"(\.head\s*\(|\.tail\s*\(|\.iloc\s*\[\s*\d|\bprint\s*\(\s*df\b|\bView\s*\(|^\s*browse\b"
    r"|^\s*list\b(?!\s*\()|\bproc\s+print\b|select\s+\*\s+from"
    r"|\b\w*(_id|id)\s*==?\s*['\"]?[\w-]+['\"]?\s*[\])]"
    r"|where\s+\w*(_id|id)\s*=\s*['\"]?\w+)", re.IGNORECASE | re.MULTILINE)
_COMMENT = re.compile(r"^\s*(#|//|\*|/\*|--|%|')")

# Below this share of annotated lines, a checker cannot follow the code.
MIN_ANNOTATED_SHARE = 0.20


@dataclass(frozen=True, slots=True)
class Finding:
    line: int
    rule: str
    severity: Severity
    detail: str


def scan_code(text: str) -> list[Finding]:
    """Every finding in one code file, in line order."""
    findings: list[Finding] = []
    code_lines = comment_lines = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if _COMMENT.match(line) or "#" in line or "//" in line:
            comment_lines += 1
        if not _COMMENT.match(line):
            code_lines += 1
        for rule, pattern in _LITERALS:
            if pattern.search(line):
                findings.append(Finding(number, rule, "fail",
                                        f"a literal that looks like a {rule.replace('-', ' ')}"))
        column = _COLUMNS.search(line)
        if column:
            findings.append(Finding(number, "identifier-column", "review",
                                    f"uses the identifier column {column.group(0)!r}"))
        if not _COMMENT.match(line) and _ROW_LEVEL.search(line):
            findings.append(Finding(number, "row-level", "review",
                                    "selects a single entity or prints row-level data"))
    if code_lines and comment_lines / max(code_lines, 1) < MIN_ANNOTATED_SHARE:
        findings.append(Finding(0, "annotation", "review",
                                "too little annotation for a checker to follow the code"))
    return findings


def code_status(findings: list[Finding]) -> Literal["pass", "review", "fail"]:
    if any(f.severity == "fail" for f in findings):
        return "fail"
    return "review" if findings else "pass"
