"""Structured tables (the underlying unweighted counts) and differencing (pure).

A table file is CSV or JSON. CSV: a header row; the columns ``count``, ``sum``,
``largest``, ``second_largest``, ``has_negative``, ``has_missing`` and ``statistic`` are
the cell's figures, every other column is a category (a dimension of the table). JSON::

    {"kind": "frequency", "dimensions": ["region", "year"],
     "cells": [{"key": ["North", "2021"], "count": 12}]}

A table with a ``sum`` column (or ``"kind": "magnitude"``) is a magnitude table.

A spreadsheet (XLSX or ODS) is a workbook of such tables: every sheet that holds anything is
read exactly like a CSV file (a header row, then one row per cell) and checked on its own;
an empty sheet has nothing to disclose and is skipped.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from srs_clearance.sdc import engine, workbooks

# The workbook limit is the tables' too: read here as the rest of the tables' rules.
from srs_clearance.sdc.workbooks import MAX_UNPACKED_BYTES as MAX_UNPACKED_BYTES
from srs_clearance.sdc.workbooks import TableError as TableError

FIGURES = ("count", "sum", "largest", "second_largest", "has_negative", "has_missing")
TRUE = {"true", "1", "yes", "y", "t"}
FALSE = {"false", "0", "no", "n", "f", ""}


@dataclass(slots=True)
class Table:
    kind: engine.TableKind
    dimensions: list[str]
    keys: list[tuple[str, ...]]
    counts: list[int]
    sums: list[float] = field(default_factory=list)
    largest: list[float] = field(default_factory=list)
    second_largest: list[float] = field(default_factory=list)
    has_negative: list[bool] = field(default_factory=list)
    has_missing: list[bool] = field(default_factory=list)
    statistic: str | None = None
    residual_dof: int | None = None

    def as_json(self) -> dict[str, Any]:
        """The stored form (for differencing against later requests)."""
        return {
            "kind": self.kind,
            "dimensions": self.dimensions,
            "cells": [[list(k), c] for k, c in zip(self.keys, self.counts, strict=True)],
        }


@dataclass(frozen=True, slots=True)
class TableCheck:
    status: engine.Status
    cell_flags: list[int]


def check_table(table: Table, rules: engine.Rules) -> TableCheck:
    """Run the disclosure rules on one table."""
    if table.kind == "regression":
        flags = [engine.check_regression(table.residual_dof or 0, rules)]
    elif table.kind == "frequency":
        flags = engine.check_frequency(table.counts, rules)
    else:
        problem = engine.inconsistent_magnitude_cell(
            table.counts, table.sums, table.largest, table.second_largest, table.has_negative
        )
        if problem is not None:
            raise TableError(f"cell {problem[0]}: {problem[1]}")
        flags = engine.check_magnitude(
            table.counts,
            table.sums,
            table.largest,
            table.second_largest,
            table.has_negative,
            table.has_missing,
            rules,
        )
    if table.statistic in engine.SINGLE_OBSERVATION_STATISTICS:
        flags = [f | engine.SINGLE_OBSERVATION for f in flags]
    return TableCheck(engine.overall_status(flags), flags)


def _number(value: Any, what: str, row: int) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TableError(f"row {row}: {what} is not a number: {value!r}") from None
    if not math.isfinite(number):
        raise TableError(f"row {row}: {what} is not a finite number")
    return number


def _count(value: Any, row: int) -> int:
    number = _number(value, "count", row)
    if number < 0 or number != int(number):
        raise TableError(f"row {row}: count must be a whole number of contributors >= 0")
    return int(number)


def _flag(value: Any, what: str, row: int) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in TRUE:
        return True
    if text in FALSE:
        return False
    raise TableError(f"row {row}: {what} must be true or false")


def _table_from_rows(
    kind: str | None,
    dimensions: list[str],
    rows: Sequence[dict[str, Any]],
    keys: list[tuple[str, ...]],
    statistic: str | None,
) -> Table:
    magnitude = kind == "magnitude" or (kind is None and any("sum" in r for r in rows))
    table = Table(
        kind="magnitude" if magnitude else "frequency",
        dimensions=dimensions,
        keys=keys,
        counts=[],
        statistic=statistic,
    )
    for number, row in enumerate(rows, start=1):
        if "count" not in row or row["count"] in (None, ""):
            raise TableError(f"row {number}: every cell needs its unweighted count")
        table.counts.append(_count(row["count"], number))
        if magnitude:
            for name in ("sum", "largest"):
                if row.get(name) in (None, ""):
                    raise TableError(f"row {number}: a magnitude cell needs {name}")
            table.sums.append(_number(row["sum"], "sum", number))
            table.largest.append(_number(row["largest"], "largest", number))
            second = row.get("second_largest")
            table.second_largest.append(
                0.0 if second in (None, "") else _number(second, "second_largest", number)
            )
            table.has_negative.append(_flag(row.get("has_negative", False), "has_negative", number))
            table.has_missing.append(_flag(row.get("has_missing", False), "has_missing", number))
    if len(set(keys)) != len(keys):
        raise TableError("two cells have the same categories")
    return table


def _table_from_records(header: Sequence[str], rows: Sequence[dict[str, Any]], what: str) -> Table:
    """A table from header-keyed rows (a CSV file, or one sheet of a spreadsheet)."""
    if "count" not in header:
        raise TableError(f"{what} needs a 'count' column of unweighted counts")
    dimensions = [h for h in header if h not in FIGURES and h != "statistic"]
    if not rows:
        raise TableError("the table has no cells")
    statistic = (rows[0].get("statistic") or None) if "statistic" in header else None
    keys = [tuple(_category(r.get(d)) for d in dimensions) for r in rows]
    if "sum" not in header:
        rows = [{"count": r["count"]} for r in rows]
    return _table_from_rows(None, dimensions, rows, keys, statistic)


def _category(value: Any) -> str:
    """A category as text; a spreadsheet's whole number (a year: 2021.0) reads as ``2021``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_csv(data: bytes) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TableError("a CSV table must be UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    return _table_from_records(header, list(reader), "a CSV table")


def parse_json(data: bytes) -> Table:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise TableError("the JSON table is not valid JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise TableError('a JSON table is an object with a "cells" list')
    kind = document.get("kind", "frequency")
    if kind not in ("frequency", "magnitude", "regression"):
        raise TableError("kind must be frequency, magnitude or regression")
    if kind == "regression":
        dof = document.get("residual_dof")
        if not isinstance(dof, int) or isinstance(dof, bool):
            raise TableError("a regression needs residual_dof as a whole number")
        return Table(kind="regression", dimensions=[], keys=[], counts=[], residual_dof=dof)
    cells = document["cells"]
    if not cells or not all(isinstance(c, dict) for c in cells):
        raise TableError("the table has no cells")
    keys = []
    for number, cell in enumerate(cells, start=1):
        key = cell.get("key", [])
        if not isinstance(key, list):
            raise TableError(f"row {number}: key must be a list of categories")
        keys.append(tuple(str(part) for part in key))
    dimensions = document.get("dimensions") or [f"dim{i + 1}" for i in range(len(keys[0]))]
    if not isinstance(dimensions, list) or any(len(k) != len(dimensions) for k in keys):
        raise TableError("every key must name one category per dimension")
    return _table_from_rows(
        kind, [str(d) for d in dimensions], cells, keys, document.get("statistic")
    )


def parse_table(filename: str, data: bytes) -> Table:
    lower = filename.lower()
    if lower.endswith(".csv"):
        return parse_csv(data)
    if lower.endswith(".json"):
        return parse_json(data)
    raise TableError("a structured table is a .csv or .json file")


# --- spreadsheets -------------------------------------------------------------------------

SPREADSHEET_EXTENSIONS = (".xlsx", ".ods")


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet of a workbook, read as a table."""

    name: str
    table: Table


def _sheet_table(name: str, rows: list[list[Any]]) -> Table | None:
    """The sheet as a table (a header row, then one row per cell); None for an empty sheet.

    Blank rows are skipped, as a CSV reader skips blank lines."""
    rows = [row for row in rows if row]
    if not rows:
        return None
    header = [_category(h).strip() for h in rows[0]]
    records = []
    for number, row in enumerate(rows[1:], start=1):
        if len(row) > len(header):
            raise TableError(f"row {number} has values beyond the header's columns")
        records.append(dict(zip(header, [*row, *[None] * (len(header) - len(row))], strict=True)))
    return _table_from_records(header, records, "a sheet")


def parse_spreadsheet(filename: str, data: bytes) -> list[Sheet]:
    """Every non-empty sheet of an XLSX or ODS workbook as a table; :class:`TableError`
    naming the sheet for one that is not a table."""
    lower = filename.lower()
    if lower.endswith(".xlsx"):
        what, reader = "XLSX", workbooks.xlsx_sheets
    elif lower.endswith(".ods"):
        what, reader = "ODS", workbooks.ods_sheets
    else:
        raise TableError("a spreadsheet is an .xlsx or .ods file")
    workbooks.check_archive(data, what)
    sheets: list[Sheet] = []
    try:
        for name, rows in reader(data):
            try:
                table = _sheet_table(name, rows)
            except TableError as exc:
                raise TableError(f"sheet {name!r}: {exc}") from None
            if table is not None:
                sheets.append(Sheet(name, table))
    except TableError:
        raise
    except (ValueError, TypeError, KeyError):  # a malformed attribute or value in the file
        raise TableError(f"not a readable {what} file") from None
    if not sheets:
        raise TableError("the spreadsheet has no table in any sheet")
    return sheets


@dataclass(frozen=True, slots=True)
class Exposure:
    """A small count exposed by subtracting a cleared table from a new one."""

    key: tuple[str, ...]
    difference: int
    exposed_by: str  # the cleared output's id


def differencing_exposures(
    new: Table, cleared: Sequence[tuple[str, dict[str, Any]]], threshold: int
) -> list[Exposure]:
    """Cells of ``new`` whose difference from the same cell of a cleared frequency table
    over the same categories is between 1 and threshold - 1.

    ``cleared`` holds ``(output id, Table.as_json())`` pairs."""
    if new.kind != "frequency":
        return []
    mine = dict(zip(new.keys, new.counts, strict=True))
    found: list[Exposure] = []
    for output_id, stored in cleared:
        if stored.get("kind") != "frequency" or stored.get("dimensions") != new.dimensions:
            continue
        for key, count in stored["cells"]:
            other = mine.get(tuple(key))
            if other is None:
                continue
            difference = abs(other - count)
            if 1 <= difference < threshold:
                found.append(Exposure(tuple(key), difference, output_id))
    return found
