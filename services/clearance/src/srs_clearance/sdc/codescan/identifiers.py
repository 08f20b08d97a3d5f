"""What a column name or a literal identifies (pure).

A literal is labelled by the column it is compared with: ``nhs_number == 9434765919`` holds
an NHS number, ``income > 9434765919`` holds an amount. A literal with no column beside it
is an NHS number only if its check digit is valid, and a date only when a date-of-birth-like
name holds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# The kinds a column (or a literal compared with it) can identify, most specific first.
NHS_NUMBER = "nhs-number"
NINO = "national-insurance-number"
POSTCODE = "postcode"
DATE_OF_BIRTH = "date-of-birth"
NAME = "name"
OPERATIONAL_ID = "operational-id"
IDENTIFIER = "identifier"

# A literal of these kinds is itself personal data: it fails even outside a selection.
PERSONAL_LITERAL_KINDS = frozenset({NHS_NUMBER, NINO, POSTCODE, DATE_OF_BIRTH})

_COLUMN_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(rf"(?:{pattern})", re.IGNORECASE))
    for kind, pattern in (
        (NHS_NUMBER, r"nhs|nhs_?(?:number|no|num|nbr|id)|nhsno|chi_?(?:number|no)"),
        (NINO, r"nino|ni_?(?:number|no|num)|national_?insurance\w*|nat_?ins\w*"),
        (POSTCODE, r"post_?code(?:_?(?:full|unit))?|pcds?|full_?postcode"),
        (
            DATE_OF_BIRTH,
            r"dob|d_o_b|date_?of_?birth|birth_?date|date_?birth|birth_?day"
            r"|born|birth",
        ),
        (
            NAME,
            r"name|forenames?|surname|(?:first|last|full|given|family|middle|maiden)_?names?"
            r"|(?:patient|person|pupil|respondent|client|customer|business|company|firm"
            r"|employer|trading)_?name|address(?:_?line_?\d)?|addr\d?|street_?address"
            r"|e_?mail(?:_?address)?|(?:tele)?phone(?:_?(?:number|no))?"
            r"|mobile_?(?:number|no)",
        ),
        (
            IDENTIFIER,
            r"id|\w+_id|id_?(?:no|num|number)|\w*uuid"
            r"|(?:person|patient|pupil|student|hh|household|resp|respondent|case|serial"
            r"|client|customer|user|member|firm|company|business|ent|enterprise|lu|ru"
            r"|[phu])id"
            r"|crn|urn|upn|uprn|usrn|idbr\w*|ruref|entref|luref|ons_?id"
            r"|ref(?:erence)?_?(?:no|number)?|serial_?(?:no|number)?|passport\w*"
            r"|driving_?licen[cs]e\w*|company_?(?:number|no|reg\w*)|companies_?house\w*"
            r"|vat_?(?:no|number|reg\w*)|paye_?\w*|sort_?code|account_?(?:number|no)"
            r"|case_?(?:no|number|ref)|registration_?(?:no|number)",
        ),
    )
)

_NHS_LITERAL = re.compile(r"(?<![\w.-])(\d{3})[ -]?(\d{3})[ -]?(\d{4})(?![\w.-])")
_NINO_LITERAL = re.compile(
    r"\b(?!BG|GB|NK|KN|TN|NT|ZZ)[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z] ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b",
    re.IGNORECASE,
)
_POSTCODE_LITERAL = re.compile(r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?) ?\d[ABD-HJLNP-UW-Z]{2}\b")
_DATE_LITERAL = re.compile(
    r"\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"
    r"|\b(?:0[1-9]|[12]\d|3[01])/(?:0[1-9]|1[0-2])/(?:19|20)\d{2}\b"
    r"|\b\d{1,2}(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"(?:19|20)\d{2}\b",
    re.IGNORECASE,
)

_ARTICLE = {
    NHS_NUMBER: "an NHS number",
    NINO: "a National Insurance number",
    POSTCODE: "a postcode",
    DATE_OF_BIRTH: "a date of birth",
    NAME: "a name",
    OPERATIONAL_ID: "an operational identifier of the catalogue",
    IDENTIFIER: "an identifier",
}


def describe(kind: str) -> str:
    """'an NHS number', 'an identifier'..."""
    return _ARTICLE.get(kind, kind)


def column_kind(name: str, catalogued: Iterable[str] = ()) -> str | None:
    """What the column ``name`` identifies, or None for an ordinary variable.

    A column the catalogue lists as an operational identifier is one whatever its name.
    """
    bare = name.strip().strip("`\"'[]").lower().replace(".", "_")
    for kind, pattern in _COLUMN_KINDS:
        if pattern.fullmatch(bare):
            return kind
    if bare in {c.lower() for c in catalogued}:
        return OPERATIONAL_ID
    return None


def nhs_check_digit_valid(digits: str) -> bool:
    """The NHS number modulus 11 check: weights 10..2 on the first nine digits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    remainder = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True)) % 11
    check = 11 - remainder
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def standalone_literal_kinds(text: str) -> list[tuple[int, str]]:
    """(offset, kind) of each literal in ``text`` that is personal data by its form alone."""
    found: list[tuple[int, str]] = []
    for match in _NHS_LITERAL.finditer(text):
        if nhs_check_digit_valid("".join(match.groups())):
            found.append((match.start(), NHS_NUMBER))
    found += [(m.start(), NINO) for m in _NINO_LITERAL.finditer(text)]
    found += [(m.start(), POSTCODE) for m in _POSTCODE_LITERAL.finditer(text)]
    return sorted(found)


def literal_fits(kind: str, literal: str) -> bool:
    """Whether ``literal`` has a form a value of ``kind`` can take (digits for an NHS number)."""
    bare = literal.strip("'\"` ")
    if kind == NHS_NUMBER:
        return bool(re.fullmatch(r"\d{3}[ -]?\d{3}[ -]?\d{4}", bare))
    if kind == DATE_OF_BIRTH:
        return bool(_DATE_LITERAL.search(literal)) or bool(re.search(r"\d", bare))
    return bool(bare)


def is_date_literal(text: str) -> bool:
    return bool(_DATE_LITERAL.search(text))
