"""Submission: completeness rules, the automatic checks (tables and code), the
service-level clock; and withdrawal before a decision.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import domain, sla
from srs_clearance.audit.service import record
from srs_clearance.domain import OutputAction, OutputStatus
from srs_clearance.drafting.service import submitter_eligibility
from srs_clearance.models import (
    OutputRequest,
)
from srs_clearance.outputs.service import contract_fields, groups_of
from srs_clearance.outputs.visibility import own_output
from srs_clearance.sdc import codescan
from srs_clearance.sdc.checks import (
    identifier_columns_for,
    not_checked_files,
    rules_for,
    rules_out,
    run_automatic_checks,
)
from srs_clearance.settings import ClearanceSettings
from srs_common.auth import Principal
from srs_common.contracts import clearance as events
from srs_common.errors import RuleViolation
from srs_common.events.outbox import publish


async def submit_output(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    now: dt.datetime,
    settings: ClearanceSettings,
    read_text: Callable[[str], str],
) -> OutputRequest:
    """Submit a draft: completeness rules, automatic checks, service-level due date."""
    output = await own_output(session, principal, output_id)
    domain.transition(output.status, OutputAction.SUBMIT)
    project = await submitter_eligibility(session, principal, output.project_id)
    groups = await groups_of(session, output.id)
    if not groups:
        raise RuleViolation("add at least one group of files before submitting", rule="groups")
    for group in groups:
        if not group["files"]:
            raise RuleViolation(f"group {group['name']!r} has no files", rule="group_files")
        roles = {f.role for f in group["files"]}
        if output.kind != "code_file" and "table" not in roles:
            raise RuleViolation(
                f"group {group['name']!r} must carry its underlying unweighted counts as a "
                "structured table (CSV, JSON, XLSX or ODS)",
                rule="underlying_counts",
            )
    files = [f for g in groups for f in g["files"]]
    if output.kind == "code_file" and not any(f.role == "code" for f in files):
        raise RuleViolation("a code file request needs at least one code file", rule="code_files")
    identifier_columns = await identifier_columns_for(
        session, sorted({*project.dataset_ids, *output.dataset_ids})
    )
    for file in files:
        if file.role == "code":
            text = read_text(file.sha256)
            # A scan of a large file takes seconds of CPU: off the event loop.
            findings = await anyio.to_thread.run_sync(
                functools.partial(
                    codescan.scan_code,
                    text,
                    filename=file.filename,
                    identifier_columns=identifier_columns,
                )
            )
            file.check_json = {
                "status": codescan.code_status(findings),
                "findings": [dataclasses.asdict(f) for f in findings],
                **code_lines(file.filename, text),
            }
    rules = await rules_for(session, list(output.dataset_ids))
    output.automatic_status = await run_automatic_checks(session, output, files, rules)
    output.check_report = {
        "status": output.automatic_status,
        "rules": rules_out(rules),
        "exception_requested": bool(output.exception_justification),
        "not_checked": not_checked_files(files),
    }
    output.status = OutputStatus.CHECKED
    output.submitted_at = now
    output.due_at = sla.due_at(now, settings.service_level_working_days)
    base = contract_fields(output, now)
    await publish(
        session,
        events.OutputSubmitted(**base, due_at=output.due_at, priority=project.priority),
        subject=output.id,
    )
    await publish(
        session,
        events.OutputChecked(**base, automatic_status=output.automatic_status),
        subject=output.id,
    )
    await record(
        session,
        output,
        principal,
        "submitted",
        f"automatic checks: {output.automatic_status}",
        at=now,
    )
    await session.flush()
    return output


# A page shows at most this many lines of a code file beside the scan's findings.
MAX_CODE_LINES = 5_000


def code_lines(filename: str, text: str) -> dict[str, Any]:
    """The lines the scan read, numbered as its findings are, for a page to show beside
    them (``lines``, ``total_lines``, ``truncated``). A notebook's findings number the
    code the scan extracted, not the file's lines: it carries none."""
    if filename.lower().endswith(".ipynb"):
        return {}
    lines = text.splitlines()
    return {
        "lines": lines[:MAX_CODE_LINES],
        "total_lines": len(lines),
        "truncated": len(lines) > MAX_CODE_LINES,
    }


async def withdraw_output(
    session: AsyncSession, principal: Principal, output_id: str, now: dt.datetime
) -> OutputRequest:
    """The requester withdraws a request before any decision."""
    output = await own_output(session, principal, output_id)
    submitted = output.status != OutputStatus.DRAFT
    output.status = domain.transition(output.status, OutputAction.WITHDRAW)
    output.clock_paused_at = None
    if submitted:
        await publish(
            session, events.OutputWithdrawn(**contract_fields(output, now)), subject=output.id
        )
    await record(session, output, principal, "withdrawn", at=now)
    await session.flush()
    return output
