"""Reading the rows of a workbook (XLSX or ODS), sheet by sheet, within limits: a zip
archive that unpacks to far more than any real table, or a sheet of too many cells, is
refused before it is expanded. What the rows mean is :mod:`srs_clearance.sdc.tables`'s concern."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from typing import Any


class TableError(ValueError):
    """A table file that is not a structured table; the message says what is wrong."""


# A spreadsheet is a zip archive: refuse one that unpacks to far more than any real table
# (a few kilobytes can unpack to gigabytes) before a parser holds it in memory.
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
# Spreadsheets repeat empty rows and columns by count; a sheet's cells are capped all the same.
MAX_SHEET_CELLS = 2_000_000


def check_archive(data: bytes, what: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError):
        raise TableError(f"not a readable {what} file") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise TableError(
            f"the {what} file unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MB"
        )


def _trimmed(values: list[Any]) -> list[Any]:
    end = len(values)
    while end and values[end - 1] in (None, ""):
        end -= 1
    return values[:end]


def xlsx_sheets(data: bytes) -> Iterator[tuple[str, list[list[Any]]]]:
    from openpyxl import load_workbook  # imported on use: only uploads of spreadsheets need it

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook  # noqa: BLE001
        raise TableError("not a readable XLSX workbook") from None
    try:
        for sheet in workbook.worksheets:
            # The stored dimensions are the file's claim, not its content: a claimed
            # A1:XFD1048576 would pad every row to 16384 columns.
            sheet.reset_dimensions()
            rows: list[list[Any]] = []
            cells = 0
            for row in sheet.iter_rows(values_only=True):
                values = _trimmed(list(row))
                if not values:
                    continue
                cells += len(values)
                if cells > MAX_SHEET_CELLS:
                    raise TableError(f"sheet {sheet.title!r} has more than {MAX_SHEET_CELLS} cells")
                rows.append(values)
            yield sheet.title, rows
    finally:
        workbook.close()


def _ods_value(cell: Any) -> Any:
    from odf import teletype

    kind = cell.getAttribute("valuetype")
    if kind in ("float", "percentage", "currency"):
        number = float(cell.getAttribute("value"))
        return int(number) if number.is_integer() else number
    if kind == "boolean":
        return cell.getAttribute("booleanvalue") == "true"
    if kind == "date":
        return cell.getAttribute("datevalue")
    if kind == "time":
        return cell.getAttribute("timevalue")
    text = teletype.extractText(cell)
    return text if text else None


def ods_sheets(data: bytes) -> Iterator[tuple[str, list[list[Any]]]]:
    from odf.opendocument import load
    from odf.table import Table as OdsTable
    from odf.table import TableRow

    try:
        document = load(io.BytesIO(data))
        sheets = document.spreadsheet.getElementsByType(OdsTable)
    except Exception:  # odfpy raises many kinds for a damaged document  # noqa: BLE001
        raise TableError("not a readable ODS spreadsheet") from None
    for sheet in sheets:
        name = sheet.getAttribute("name") or "(unnamed)"
        rows: list[list[Any]] = []
        cells = 0
        for row in sheet.getElementsByType(TableRow):
            # ODS stores runs (a value repeated over columns, rows repeated): the run of empty
            # cells to the sheet's edge is dropped before anything is expanded.
            runs = [
                (_ods_value(cell), int(cell.getAttribute("numbercolumnsrepeated") or 1))
                for cell in row.childNodes
                if cell.qname[1] in ("table-cell", "covered-table-cell")
            ]
            while runs and runs[-1][0] in (None, ""):
                runs.pop()
            if not runs:
                continue
            repeat_rows = int(row.getAttribute("numberrowsrepeated") or 1)
            cells += sum(repeat for _, repeat in runs) * repeat_rows
            if cells > MAX_SHEET_CELLS:
                raise TableError(f"sheet {name!r} has more than {MAX_SHEET_CELLS} cells")
            values = [value for value, repeat in runs for _ in range(repeat)]
            rows.extend(list(values) for _ in range(repeat_rows))
        yield name, rows
