"""Comparisons of a column with a value (pure): the heart of a search for one entity.

Found on the text with string contents blanked (so an operator inside a string does not
count) and read back from the text with strings, so a literal keeps its value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

ValueKind = Literal["literal", "variable", "column"]

_EQUALITY = {
    "python": r"==|\.eq\s*\(|\.isin\s*\(",
    "r": r"==|%in%",
    "stata": r"==|\binlist\s*\(",
    "sas": r"(?<![<>!^~=])=(?!=)|\beq\b|\bin\s*\(",
    "sql": r"(?<![<>!:=])==?(?!=)|\bin\s*\(|\blike\b",
    "query": r"(?<![<>!=])==?(?!=)|\bin\s*\(",
    None: r"==|%in%|\.isin\s*\(|\binlist\s*\(",
}
# Where only one entity survives an exclusion: Stata ``drop if id != 5``, SAS
# ``if id ne 5 then delete``, SQL ``delete from t where id <> 5``.
_INEQUALITY = r"!=|~=|\^=|<>|\bne\b"
# Ranges: never a search for one entity, but they say what a literal is compared with.
_RANGE = r"<=|>=|(?<![<%|])<(?![-=<>])|(?<![-=>%|])>(?![=>%])|\b(?:gt|lt|ge|le)\b"

_LEFT = re.compile(
    r"""(?:
    \[\s*\[?\s*(?:[^\[\]'"]*,\s*)?["'](?P<sub>[A-Za-z_.][\w.]*)["']\s*\]?\s*\]
  | \b(?:col|column)\s*\(\s*["'](?P<call>[A-Za-z_]\w*)["']\s*\)
  | (?P<quoted>`[^`\n]+`|"[A-Za-z_]\w*"n?|\[[A-Za-z_]\w*\])
  | (?P<bare>[A-Za-z_.][\w.]*(?:\s*\$\s*[A-Za-z_.][\w.]*)*)
)\s*$""",
    re.VERBOSE,
)
_LEFT_LITERAL = re.compile(r"""(?:"[^"\n]*"|'[^'\n]*'|(?<![\w.])-?\d[\d.]*)\s*$""")
_VALUE = re.compile(
    r"""\s*(?:
    (?P<str>"[^"\n]*"|'[^'\n]*')[dD]?[tT]?(?!\w)
  | (?P<num>-?\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?[lL]?)(?![\w.])
  | (?P<datecall>(?:as\.Date|as\.POSIXct|ymd|dmy|mdy|td|tc|date|mdy|pd\.Timestamp
                 |pd\.to_datetime|datetime\.date|dt\.date|DATE|TIMESTAMP)\s*(?:\(|'))
  | (?P<var>(?:[@&:$]|!!|`|\.env\$)?[A-Za-z_][\w.]*'?|\?)
)""",
    re.VERBOSE,
)
_CONSTANTS = frozenset(
    {
        "true",
        "false",
        "none",
        "na",
        "null",
        "nan",
        "missing",
        "inf",
        "na_character_",
        "na_integer_",
        "na_real_",
    }
)


@dataclass(frozen=True, slots=True)
class Comparison:
    start: int  # offset of the operator in the text scanned
    end: int  # offset just past the value
    column: str
    op: str
    value: str
    value_kind: ValueKind
    qualified: bool  # the column was written df$col, df.col, df['col']...
    selects: bool  # True: keeps the rows equal to the value; False: a range or an exclusion


# Calls that change a column's type or case but not whose row it is.
_TRANSFORMS = re.compile(
    r"astype|str|strip|lstrip|rstrip|lower|upper|zfill|to_string|cast|as\.character|as\.numeric"
    r"|as\.integer|as\.double|trimws|toupper|tolower|str_trim|str_squish|str_to_\w+|trim|ltrim"
    r"|rtrim|strtrim|string|real|int|float|input|put|compress|strip|upcase|lowcase|ustrtrim",
    re.IGNORECASE,
)


def _opening_bracket(text: str) -> int | None:
    """Where the bracket closed at the end of ``text`` opens."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += text[i] in ")]}"
        depth -= text[i] in "([{"
        if depth == 0:
            return i
    return None


def _strip_transforms(left: str) -> str:
    """``df['id'].astype(str)`` -> ``df['id']``; ``as.character(df$id)`` -> ``df$id``;
    ``UPPER(surname)`` -> ``surname``."""
    for _ in range(4):
        stripped = left.rstrip()
        if not stripped.endswith(")"):
            return left
        opening = _opening_bracket(stripped)
        if opening is None:
            return left
        name = re.search(r"([A-Za-z_][\w.]*)\s*$", stripped[:opening])
        if not name:
            return left
        before, called = stripped[: name.start()], name.group(1)
        receiver, _, method = called.rpartition(".")
        if _TRANSFORMS.fullmatch(called) and not before.rstrip().endswith("."):
            # a function: its first argument
            left = re.split(
                r",|\s+as\s+", stripped[opening + 1 : -1], maxsplit=1, flags=re.IGNORECASE
            )[0]
        elif _TRANSFORMS.fullmatch(method):  # a method: keep its receiver
            left = re.sub(r"\.str$", "", (before + receiver).rstrip(" ."))
        else:
            return left
    return left


def _column(left: str, language: str | None) -> tuple[str, bool] | None:
    left = _strip_transforms(left)
    match = _LEFT.search(left)
    if not match:
        return None
    if match.group("sub") or match.group("call"):
        return match.group("sub") or match.group("call"), True
    if match.group("quoted"):
        quoted = match.group("quoted")
        if language in ("python", "query") or (quoted.startswith('"') and language == "r"):
            return None
        return quoted.strip('`"[]').removesuffix('"n'), False
    bare = re.sub(r"\s+", "", match.group("bare"))
    if language == "python" and not re.search(r"[.$]", bare):
        return None  # a bare Python name is a variable; columns are df.col, df["col"], col("x")
    if "$" in bare:
        return bare.rsplit("$", 1)[1], True
    if "." in bare and language != "r":
        return bare.rsplit(".", 1)[1], True
    return bare, False


def _values(right: str, language: str | None) -> tuple[list[str], ValueKind, int] | None:
    """The value (or, for a list, the values) after an operator and where they end."""
    stripped = right.lstrip()
    lead = len(right) - len(stripped)
    opener = re.match(r"(?:c|list|tuple|set)?\s*[(\[{]\s*", stripped)
    if opener and not re.match(r"(?:as\.Date|date|td|ymd)", stripped):
        depth, end = 0, 0
        for i, ch in enumerate(stripped):
            depth += ch in "([{"
            depth -= ch in ")]}"
            if depth == 0 and ch in ")]}":
                end = i
                break
        inner = stripped[opener.end() : end] if end else ""
        items = [
            p.strip()
            for p in re.split(r",(?=(?:[^\"']*[\"'][^\"']*[\"'])*[^\"']*$)", inner)
            if p.strip()
        ]
        if not items:
            return None
        kinds = [_value_kind(item, language) for item in items]
        if any(k is None for k in kinds):
            return None
        kind: ValueKind = (
            "literal"
            if all(k == "literal" for k in kinds)
            else "variable"
            if "variable" in kinds
            else "column"
        )
        return items, kind, lead + end + 1
    match = _VALUE.match(right)
    if not match:
        return None
    value = match.group(0).strip()
    single = _value_kind(value, language)
    return ([value], single, match.end()) if single else None


def _value_kind(value: str, language: str | None) -> ValueKind | None:
    if not value or value.lower() in _CONSTANTS:
        return None
    if (
        value[0] in "\"'"
        or value[0].isdigit()
        or value[0] == "-"
        or re.match(
            r"(?:as\.Date|as\.POSIXct|ymd|dmy|mdy|td|tc|date|pd\.|datetime|dt\.|DATE|TIMESTAMP)"
            r"\s*[('\"]",
            value,
        )
    ):
        return "literal"
    if value[0] in "@&:$`?" or value.startswith(("!!", ".env")):
        return "variable"
    if language in ("sql", "sas", "stata", "query"):
        return "column"
    if language == "python":
        return "column" if "." in value or "[" in value else "variable"
    return "variable"


def find(
    code: str,
    bare: str,
    language: str | None,
    *,
    exclusions: bool = False,
    zones: list[tuple[int, int]] | None = None,
) -> list[Comparison]:
    """Every column-versus-value comparison in one statement.

    ``zones`` limits where a SAS or SQL ``=`` is a comparison (not an assignment);
    ``exclusions`` also reads ``!=``-style operators (a statement that drops all but one).
    """
    equality = _EQUALITY.get(language, _EQUALITY[None])
    pattern = f"(?P<eq>{equality})|(?P<ne>{_INEQUALITY})|(?P<range>{_RANGE})"
    found: list[Comparison] = []
    for match in re.finditer(pattern, bare, re.IGNORECASE):
        if zones is not None and not any(a <= match.start() < b for a, b in zones):
            continue
        selects = bool(match.group("eq")) or (exclusions and bool(match.group("ne")))
        op = re.sub(r"\s+|\($", "", match.group(0)).lower()
        if op in ("inlist(", "inlist"):
            args = _values(code[match.end() - 1 :], language)
            if args and len(args[0]) >= 2:
                listed_column, *listed = args[0]
                listed_values = _values(f"({', '.join(listed)})", language)
                if listed_values:
                    found.append(
                        Comparison(
                            match.start(),
                            match.end() + args[2],
                            listed_column,
                            "inlist",
                            ", ".join(listed),
                            listed_values[1],
                            False,
                            True,
                        )
                    )
            continue
        keep_paren = op.startswith("in") and code[match.end() - 1] == "("
        right = code[match.end() - (1 if keep_paren else 0) :][:300]
        left = code[max(0, match.start() - 200) : match.start()]
        column = _column(left, language)
        values = _values(right, language)
        if column is None and selects:
            # reversed: 123 == df$id
            literal = _LEFT_LITERAL.search(left)
            reversed_column = re.match(r"\s*([A-Za-z_.][\w.$]*(?:\[[^\]]*\])?)", right)
            if literal and reversed_column:
                column = _column(reversed_column.group(1), language)
                values = ([literal.group(0).strip()], "literal", reversed_column.end())
        if column is None or values is None:
            continue
        items, kind, length = values
        end = match.end() + length
        found.append(
            Comparison(
                match.start(),
                end,
                column[0],
                op.strip(".("),
                ", ".join(items),
                kind,
                column[1],
                selects,
            )
        )
    return found
