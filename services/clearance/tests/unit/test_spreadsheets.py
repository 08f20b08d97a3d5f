"""Spreadsheets read as tables: one table per sheet, as a CSV file would read."""

from __future__ import annotations

import io
import zipfile

import pytest

from srs_clearance.sdc import engine as sdc
from srs_clearance.sdc import tables

from ..spreadsheets import BY_REGION, ods, xlsx


@pytest.mark.parametrize("name,make", [("t.xlsx", xlsx), ("t.ods", ods)])
def test_sheets_read_like_csv_whole_numbers_as_categories(name, make):
    magnitude = [
        ("region", "count", "sum", "largest", "second_largest"),
        ("North", 12, 1234.5, 300.0, 200.0),
        ("South", 3, 1000.0, 950.0, 30.0),
    ]
    sheets = tables.parse_spreadsheet(name, make([("Counts", BY_REGION), ("Income", magnitude)]))
    assert [s.name for s in sheets] == ["Counts", "Income"]
    counts, income = sheets[0].table, sheets[1].table
    assert counts.kind == "frequency" and counts.dimensions == ["region", "year"]
    assert counts.keys == [("North", "2021"), ("South", "2021")]  # the year 2021, not 2021.0
    assert (
        counts.keys == tables.parse_csv(b"region,year,count\nNorth,2021,120\nSouth,2021,40\n").keys
    )
    assert income.kind == "magnitude"
    check = tables.check_table(income, sdc.Rules())
    assert [sdc.reasons_of(f) for f in check.cell_flags] == [
        [],
        ["threshold", "p-ratio", "nk-rule"],
    ]


@pytest.mark.parametrize("name,make", [("t.xlsx", xlsx), ("t.ods", ods)])
def test_blank_rows_are_skipped_and_a_workbook_without_tables_is_refused(name, make):
    sheets = tables.parse_spreadsheet(name, make([("S", [BY_REGION[0], (), *BY_REGION[1:]])]))
    assert sheets[0].table.counts == [120, 40]
    with pytest.raises(tables.TableError, match="no table in any sheet"):
        tables.parse_spreadsheet(name, make([("Empty", [])]))
    with pytest.raises(tables.TableError, match="sheet 'S': row 1: count is not a number"):
        tables.parse_spreadsheet(name, make([("S", [("region", "count"), ("North", "many")])]))


def test_ods_runs_of_repeated_cells_and_rows_expand_and_trailing_empties_do_not():
    from odf.opendocument import OpenDocumentSpreadsheet, load
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    sheet = Table(name="S")

    def row(*cells: TableCell, repeat: int = 1) -> TableRow:
        element = TableRow(numberrowsrepeated=repeat) if repeat > 1 else TableRow()
        for cell in cells:
            element.addElement(cell)
        return element

    def text(value: str) -> TableCell:
        cell = TableCell(valuetype="string")
        cell.addElement(P(text=value))
        return cell

    def number(value: int, repeat: int = 1) -> TableCell:
        cell = TableCell(valuetype="float", value=value, numbercolumnsrepeated=repeat)
        cell.addElement(P(text=str(value)))
        return cell

    empty_edge = TableCell(numbercolumnsrepeated=16000)
    sheet.addElement(row(text("a"), text("b"), text("count"), empty_edge))
    sheet.addElement(row(number(7, repeat=2), number(15), TableCell(numbercolumnsrepeated=9)))
    sheet.addElement(row(TableCell(numbercolumnsrepeated=1024), repeat=1_048_000))
    document.spreadsheet.addElement(sheet)
    buffer = io.BytesIO()
    document.save(buffer)
    load(io.BytesIO(buffer.getvalue()))  # a real ODS file
    table = tables.parse_spreadsheet("t.ods", buffer.getvalue())[0].table
    assert table.dimensions == ["a", "b"] and table.keys == [("7", "7")]
    assert table.counts == [15]


def test_a_spreadsheet_that_unpacks_to_too_much_is_refused_before_parsing():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (tables.MAX_UNPACKED_BYTES + 1))
    with pytest.raises(tables.TableError, match="unpacks to more than"):
        tables.parse_spreadsheet("bomb.xlsx", buffer.getvalue())
