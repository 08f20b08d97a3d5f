"""Companies House Reference Numbers (company numbers), the key of IDBR matching by CRN.

A company number is always 8 characters: 8 digits for a company registered in England
and Wales (leading zeros included: ``00445790``), or a 2-character prefix naming the
register and kind of body followed by 6 digits (``SC123456`` a Scottish company,
``NI012345`` Northern Ireland, ``OC301234`` an LLP in England and Wales, ``R0000123`` a
Northern Ireland company registered before 1922). The prefixes are the ones Companies
House issues (its "company number prefixes" list); the serial is never all zeros.
People copy numbers with stray spaces and lower case, so both are forgiven; anything else
(7 digits, an unknown prefix, a letter in the serial) is named as invalid.
"""

from __future__ import annotations

import re

# Prefix -> the register and kind of body it marks.
PREFIXES: dict[str, str] = {
    "AC": "assurance company (England and Wales)",
    "CE": "charitable incorporated organisation (England and Wales)",
    "CS": "charitable incorporated organisation (Scotland)",
    "FC": "overseas company",
    "GE": "European Economic Interest Grouping (England and Wales)",
    "GN": "European Economic Interest Grouping (Northern Ireland)",
    "GS": "European Economic Interest Grouping (Scotland)",
    "IC": "investment company with variable capital (England and Wales)",
    "IP": "industrial and provident society (England and Wales)",
    "LP": "limited partnership (England and Wales)",
    "NA": "assurance company (Northern Ireland)",
    "NC": "limited liability partnership (Northern Ireland)",
    "NF": "overseas company (Northern Ireland)",
    "NI": "company (Northern Ireland)",
    "NL": "limited partnership (Northern Ireland)",
    "NO": "other body (Northern Ireland)",
    "NP": "industrial and provident society (Northern Ireland)",
    "NR": "royal charter body (Northern Ireland)",
    "NZ": "body not formed under the Companies Acts (Northern Ireland)",
    "OC": "limited liability partnership (England and Wales)",
    "OE": "overseas entity",
    "R0": "company registered in Northern Ireland before 1922",
    "RC": "royal charter body (England and Wales)",
    "RS": "registered society",
    "SA": "assurance company (Scotland)",
    "SC": "company (Scotland)",
    "SE": "European public limited-liability company (Societas Europaea)",
    "SF": "overseas company (Scotland)",
    "SG": "Scottish qualifying partnership",
    "SI": "investment company with variable capital (Scotland)",
    "SL": "limited partnership (Scotland)",
    "SO": "limited liability partnership (Scotland)",
    "SP": "industrial and provident society (Scotland)",
    "SR": "royal charter body (Scotland)",
    "SZ": "body not formed under the Companies Acts (Scotland)",
    "ZC": "body not formed under the Companies Acts (England and Wales)",
}

_SHAPE = re.compile(r"([A-Z][A-Z0-9]|[0-9]{2})([0-9]{6})")
# How many invalid numbers a problem names before it only counts the rest.
NAMED_AT_MOST = 50


def normalise(value: str) -> str:
    """The number as Companies House writes it: no spaces, capital letters."""
    return "".join(value.split()).upper()


def problem(value: str) -> str | None:
    """Why ``value`` is not a company number, or None when it is one."""
    number = normalise(value)
    if len(number) != 8:
        return f"has {len(number)} characters, not 8"
    match = _SHAPE.fullmatch(number)
    if match is None:
        return "must be 8 digits, or a 2-letter prefix and 6 digits"
    prefix, serial = match.groups()
    if not prefix.isdigit() and prefix not in PREFIXES:
        return f"{prefix} is not a Companies House prefix"
    if serial == "000000" and (not prefix.isdigit() or prefix == "00"):
        return "the serial number cannot be all zeros"
    return None


def check_all(values: list[str]) -> list[str]:
    """The normalised numbers; ValueError naming every invalid one (with why) otherwise."""
    invalid = [(v, why) for v in values if (why := problem(v)) is not None]
    if invalid:
        named = "; ".join(f"{v!r} {why}" for v, why in invalid[:NAMED_AT_MOST])
        more = len(invalid) - NAMED_AT_MOST
        rest = f"; and {more} more" if more > 0 else ""
        raise ValueError(
            f"{len(invalid)} invalid Companies House reference number"
            f"{'s' if len(invalid) > 1 else ''}: {named}{rest}"
        )
    return [normalise(v) for v in values]
