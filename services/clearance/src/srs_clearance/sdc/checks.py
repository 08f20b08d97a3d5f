"""The automatic checks: rules in force, the stateless check, checks on submission, and
what files a request may hold. Loads what the pure rules need; never commits."""

from __future__ import annotations

import dataclasses
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance.domain import OutputStatus
from srs_clearance.models import DatasetView, OutputFile, OutputRequest
from srs_clearance.sdc import codescan, engine, tables
from srs_clearance.sdc.schemas import RulesIn, SdcCheckRequest
from srs_common.auth import Principal
from srs_common.errors import Forbidden, RuleViolation

TABLE_EXTENSIONS = frozenset({".csv", ".json", *tables.SPREADSHEET_EXTENSIONS})

# Accepted for a checker to read; no automatic check reads them (see NOT_CHECKED).
DOCUMENT_EXTENSIONS = frozenset({".pdf", ".docx", ".txt", ".md", ".png", ".jpg", ".jpeg", ".html"})

# A file's automatic status when no automatic check reads it: never "pass".
NOT_CHECKED = "not_checked"


ALLOWED_EXTENSIONS = TABLE_EXTENSIONS | DOCUMENT_EXTENSIONS | codescan.CODE_EXTENSIONS


async def rules_for(session: AsyncSession, dataset_ids: list[str]) -> engine.Rules:
    """Default rules with the strictest catalogued threshold of the datasets named."""
    if not dataset_ids:
        return engine.Rules()
    thresholds = (
        (
            await session.execute(
                select(DatasetView.disclosure_threshold).where(DatasetView.id.in_(dataset_ids))
            )
        )
        .scalars()
        .all()
    )
    return engine.Rules(threshold=max(thresholds)) if thresholds else engine.Rules()


async def identifier_columns_for(session: AsyncSession, dataset_ids: list[str]) -> list[str]:
    """The operational identifier columns the catalogue lists for the datasets named."""
    if not dataset_ids:
        return []
    listed = (
        (
            await session.execute(
                select(DatasetView.operational_id_columns).where(DatasetView.id.in_(dataset_ids))
            )
        )
        .scalars()
        .all()
    )
    return sorted({column for columns in listed for column in columns or []})


def relax(rules: engine.Rules, principal: Principal, overrides: RulesIn | None) -> engine.Rules:
    """A checker may relax the rules for one request; nobody may tighten them this way."""
    if overrides is None or not overrides.model_dump(exclude_none=True):
        return rules
    if not principal.has("checker"):
        raise Forbidden("only a checker may change the rules for a request")
    try:
        return rules.relaxed_by(**overrides.model_dump(exclude_none=True))
    except ValueError as exc:
        raise RuleViolation(str(exc), rule="rules_relax_only") from None


def rules_out(rules: engine.Rules) -> dict[str, Any]:
    return dataclasses.asdict(rules)


async def run_stateless_check(
    session: AsyncSession, principal: Principal, request: SdcCheckRequest
) -> dict[str, Any]:
    """The disclosure rules on one table, with nothing stored."""
    rules = relax(await rules_for(session, request.dataset_ids), principal, request.rules)
    cells = request.cells
    if request.kind == "regression":
        if request.residual_dof is None:
            raise RuleViolation("a regression check needs residual_dof", rule="residual_dof")
        flags = engine.check_regression(request.residual_dof, rules)
        return {"status": engine.status_of(flags), "cells": [], "rules": rules_out(rules)}
    if not cells:
        raise RuleViolation("a table check needs at least one cell", rule="cells")
    counts = [c.count for c in cells]
    if request.kind == "frequency":
        cell_flags = engine.check_frequency(counts, rules)
    else:
        missing_field = next(
            (
                i
                for i, c in enumerate(cells)
                if c.count > 0 and (c.sum is None or c.largest is None)
            ),
            None,
        )
        if missing_field is not None:
            raise RuleViolation(
                f"cell {missing_field}: a magnitude cell needs sum and largest",
                rule="magnitude_fields",
                cell=missing_field,
            )
        sums = [c.sum or 0.0 for c in cells]
        largest = [c.largest or 0.0 for c in cells]
        second = [c.second_largest or 0.0 for c in cells]
        negative = [c.has_negative for c in cells]
        problem = engine.inconsistent_magnitude_cell(counts, sums, largest, second, negative)
        if problem is not None:
            raise RuleViolation(
                f"cell {problem[0]}: {problem[1]}", rule="magnitude_consistency", cell=problem[0]
            )
        cell_flags = engine.check_magnitude(
            counts, sums, largest, second, negative, [c.has_missing for c in cells], rules
        )
    if request.statistic in engine.SINGLE_OBSERVATION_STATISTICS:
        cell_flags = [f | engine.SINGLE_OBSERVATION for f in cell_flags]
    return {
        "status": engine.overall_status(cell_flags),
        "cells": [
            {"key": c.key, "status": engine.status_of(f), "reasons": engine.reasons_of(f)}
            for c, f in zip(cells, cell_flags, strict=True)
        ],
        "rules": rules_out(rules),
    }


def _extension(filename: str) -> str:
    return PurePosixPath(filename.lower()).suffix


def check_file_type(kind: str, filename: str) -> str:
    """The file's extension if a request of ``kind`` may hold it; 422 naming the rule if not."""
    extension = _extension(filename)
    if extension not in ALLOWED_EXTENSIONS:
        raise RuleViolation(
            f"{filename}: file type {extension or '(none)'} is not allowed; "
            f"allowed: {', '.join(sorted(ALLOWED_EXTENSIONS))}",
            rule="file_type",
        )
    if kind == "code_file" and extension not in codescan.CODE_EXTENSIONS | {".txt", ".md"}:
        raise RuleViolation(
            f"{filename}: a code file request holds code and its commentary only", rule="file_type"
        )
    return extension


def classify_upload(kind: str, filename: str, data: bytes) -> tuple[str, dict[str, Any] | None]:
    """The file's role (table, code, document) and its parsed table; 422 for what is not allowed."""
    extension = check_file_type(kind, filename)
    if extension in codescan.CODE_EXTENSIONS:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise RuleViolation(
                f"{filename}: a code file must be UTF-8 text", rule="file_encoding"
            ) from None
        return "code", None
    if extension in tables.SPREADSHEET_EXTENSIONS:
        try:
            sheets = tables.parse_spreadsheet(filename, data)
            for sheet in sheets:
                try:
                    tables.check_table(sheet.table, engine.Rules())
                except tables.TableError as exc:
                    raise tables.TableError(f"sheet {sheet.name!r}: {exc}") from None
        except tables.TableError as exc:
            raise RuleViolation(f"{filename}: {exc}", rule="table_format") from None
        return "table", {
            "sheets": [{"sheet": sheet.name, **dataclasses.asdict(sheet.table)} for sheet in sheets]
        }
    if extension in TABLE_EXTENSIONS:
        try:
            table = tables.parse_table(filename, data)
            tables.check_table(table, engine.Rules())  # refuses impossible magnitude cells now
        except tables.TableError as exc:
            raise RuleViolation(f"{filename}: {exc}", rule="table_format") from None
        return "table", dataclasses.asdict(table)
    return "document", None


def _table_from_json(stored: dict[str, Any]) -> tables.Table:
    return tables.Table(**{**stored, "keys": [tuple(k) for k in stored["keys"]]})


def _tables_of(stored: dict[str, Any]) -> list[tuple[str | None, tables.Table]]:
    """A stored table file's tables: one for CSV or JSON, one per sheet for a spreadsheet."""
    if "sheets" in stored:
        return [
            (sheet["sheet"], _table_from_json({k: v for k, v in sheet.items() if k != "sheet"}))
            for sheet in stored["sheets"]
        ]
    return [(None, _table_from_json(stored))]


def not_checked_message(filename: str) -> str:
    extension = _extension(filename) or "this kind of"
    return (
        f"not checked automatically: no automatic check reads {extension} files; "
        "a checker must review it"
    )


async def _cleared_tables(
    session: AsyncSession, output: OutputRequest
) -> list[tuple[str, dict[str, Any]]]:
    """Frequency tables already cleared for the same project and an overlapping dataset."""
    rows = (
        await session.execute(
            select(OutputRequest.id, OutputRequest.dataset_ids, OutputFile.table_json)
            .join(OutputFile, OutputFile.output_id == OutputRequest.id)
            .where(
                OutputRequest.project_id == output.project_id,
                OutputRequest.status == OutputStatus.APPROVED,
                OutputRequest.id != output.id,
                OutputFile.role == "table",
            )
            .order_by(OutputRequest.decided_at, OutputRequest.id)
        )
    ).all()
    mine = set(output.dataset_ids)
    cleared: list[tuple[str, dict[str, Any]]] = []
    for output_id, dataset_ids, stored in rows:
        if stored and mine & set(dataset_ids or []):
            cleared.extend((output_id, table.as_json()) for _, table in _tables_of(stored))
    return cleared


def worst(statuses: list[str]) -> engine.Status:
    """The request's automatic status: a file no check read needs a checker (review)."""
    if "fail" in statuses:
        return "fail"
    return "review" if "review" in statuses or NOT_CHECKED in statuses else "pass"


def _cell_report(keys: list[tuple[str, ...]], flags: list[int]) -> list[dict[str, Any]]:
    return [
        {"key": list(k), "status": engine.status_of(f), "reasons": engine.reasons_of(f)}
        for k, f in zip(keys, flags, strict=True)
        if f
    ]


# The rows of a table a file's check carries for drawing it (the portal); the rest is cut.
MAX_TABLE_ROWS = 2_000


def table_rows(table: tables.Table) -> dict[str, Any]:
    """What the check read, to draw: the header (categories, then figures) and the rows, at most
    MAX_TABLE_ROWS of them (``truncated`` says some were left off; ``total_rows`` counts all)."""
    if table.kind == "regression":
        return {
            "dimensions": [],
            "header": ["residual_dof"],
            "rows": [[table.residual_dof]],
            "total_rows": 1,
            "truncated": False,
        }
    magnitude = table.kind == "magnitude"
    header = [*table.dimensions, "count"]
    if magnitude:
        header += ["sum", "largest", "second_largest", "has_negative", "has_missing"]
    rows: list[list[Any]] = []
    for i, key in enumerate(table.keys[:MAX_TABLE_ROWS]):
        row: list[Any] = [*key, table.counts[i]]
        if magnitude:
            row += [
                table.sums[i],
                table.largest[i],
                table.second_largest[i],
                table.has_negative[i],
                table.has_missing[i],
            ]
        rows.append(row)
    return {
        "dimensions": list(table.dimensions),
        "header": header,
        "rows": rows,
        "total_rows": len(table.keys),
        "truncated": len(table.keys) > MAX_TABLE_ROWS,
    }


def _table_report(
    table: tables.Table, rules: engine.Rules, cleared: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """One table's findings: failing or queried cells, and cells exposed by differencing."""
    check = tables.check_table(table, rules)
    flags = list(check.cell_flags)
    exposures = tables.differencing_exposures(table, cleared, rules.threshold)
    index = {k: i for i, k in enumerate(table.keys)}
    for exposure in exposures:
        flags[index[exposure.key]] |= engine.DIFFERENCING
    keys: list[tuple[str, ...]] = table.keys if table.kind != "regression" else [()]
    return {
        "status": engine.overall_status(flags),
        "cells": _cell_report(keys, flags),
        "differencing": [
            {"key": list(e.key), "difference": e.difference, "exposed_by": e.exposed_by}
            for e in exposures
        ],
        "table": table_rows(table),
    }


def not_checked_files(files: list[OutputFile]) -> list[dict[str, Any]]:
    """The request's files no automatic check read, for the request's check report."""
    return [
        {"file_id": f.id, "filename": f.filename, "message": f.check_json["message"]}
        for f in files
        if f.check_json and f.check_json.get("status") == NOT_CHECKED
    ]


async def run_automatic_checks(
    session: AsyncSession, output: OutputRequest, files: list[OutputFile], rules: engine.Rules
) -> engine.Status:
    """Check every file of a request; record per-file findings and return the overall status.

    Every sheet of a spreadsheet is checked as a table. A file no check reads (a PDF, an
    image, a Word document) is ``not_checked``, never ``pass``, and the request then needs a
    checker's review whatever its tables show."""
    statuses: list[str] = []
    cleared = await _cleared_tables(session, output)
    for file in files:
        if file.role == "table" and file.table_json is not None:
            reports = []
            for sheet, table in _tables_of(file.table_json):
                try:
                    report = _table_report(table, rules, cleared)
                except tables.TableError as exc:
                    where = f"{file.filename}, sheet {sheet!r}" if sheet else file.filename
                    raise RuleViolation(f"{where}: {exc}", rule="table_format") from None
                reports.append((sheet, report))
            data: dict[str, Any]
            if "sheets" in file.table_json:
                data = {
                    "status": worst([r["status"] for _, r in reports]),
                    "sheets": [{"sheet": sheet, **r} for sheet, r in reports],
                }
            else:
                data = reports[0][1]
            statuses.append(data["status"])
            file.check_json = data
        elif file.role == "code" and file.check_json is not None:
            statuses.append(file.check_json["status"])
        elif file.role == "document":
            file.check_json = {"status": NOT_CHECKED, "message": not_checked_message(file.filename)}
            statuses.append(NOT_CHECKED)
    status = worst(statuses)
    if output.exception_justification and status == "pass":
        status = "review"  # an exception never passes automatically: a checker decides
    return status
