"""Output request use cases: load, authorise, apply domain rules, add outbox events, flush.

Nothing here commits: the request or message boundary does, once.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from prometheus_client import Histogram
from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from srs_clearance import codescan, domain, sla
from srs_clearance.checks import (
    classify_upload,
    identifier_columns_for,
    not_checked_files,
    relax,
    rules_for,
    rules_out,
    run_automatic_checks,
)
from srs_clearance.domain import OutputStatus
from srs_clearance.models import (
    AuditEntry,
    Comment,
    OutputFile,
    OutputGroup,
    OutputRequest,
    ProjectMemberView,
    ProjectView,
    Review,
)
from srs_clearance.schemas import (
    CommentCreate,
    DecisionCreate,
    GroupCreate,
    OutputCreate,
    RulesIn,
    VoteCreate,
)
from srs_clearance.settings import ClearanceSettings
from srs_common.auth import Principal
from srs_common.contracts import clearance as events
from srs_common.errors import (
    AppError,
    Conflict,
    Forbidden,
    IllegalTransition,
    NotFound,
    RuleViolation,
)
from srs_common.events.outbox import publish
from srs_common.ids import new_id
from srs_common.pagination import decode_cursor, encode_cursor

TIME_TO_DECISION = Histogram(
    "srs_clearance_time_to_decision_seconds",
    "Wall-clock time from an output request's submission to its decision",
    ["kind", "decision"],
    buckets=(
        3600,
        4 * 3600,
        86400,
        2 * 86400,
        3 * 86400,
        5 * 86400,
        7 * 86400,
        14 * 86400,
        30 * 86400,
    ),
)


def actor_of(principal: Principal) -> str:
    return principal.researcher_id or principal.sub


def is_requester(principal: Principal, output: OutputRequest) -> bool:
    return output.requester_id in {principal.sub, principal.researcher_id}


def _not_found(output_id: str) -> NotFound:
    return NotFound(f"output request {output_id} not found")


# --- visibility -----------------------------------------------------------------------


async def visible_output(
    session: AsyncSession, principal: Principal, output_id: str, *, for_update: bool = False
) -> OutputRequest:
    """The request if the caller may see its contents; 404 otherwise (existence never leaks).

    Checkers and support see every submitted request; active project members see their
    project's requests (drafts only their own); outputs-only peer reviewers see cleared ones
    only; requesters always see their own (to answer for them, and attest destruction).
    Partners never see contents (see :func:`visible_status`)."""
    stmt = select(OutputRequest).where(OutputRequest.id == output_id)
    if for_update:
        stmt = stmt.with_for_update()
    output = (await session.execute(stmt)).scalar_one_or_none()
    if output is None:
        raise _not_found(output_id)
    if principal.has("support"):
        return output
    if principal.has("checker") and output.status != OutputStatus.DRAFT:
        return output
    if principal.has("researcher"):
        if is_requester(principal, output):
            return output
        member = await session.get(ProjectMemberView, (output.project_id, actor_of(principal)))
        if member is not None and member.active and output.status != OutputStatus.DRAFT:
            if member.role not in domain.VIEW_CLEARED_ONLY_ROLES:
                return output
            if output.status == OutputStatus.APPROVED:
                return output
    raise _not_found(output_id)


async def visible_status(
    session: AsyncSession, principal: Principal, output_id: str
) -> OutputRequest:
    """The request's status: its viewers, and partners of the requesting organisation."""
    if principal.has("partner") and not principal.has("researcher", "checker", "support"):
        output = await session.get(OutputRequest, output_id)
        if (
            output is None
            or output.status == OutputStatus.DRAFT
            or not principal.org
            or output.organisation_id != principal.org
        ):
            raise _not_found(output_id)
        return output
    return await visible_output(session, principal, output_id)


async def _own_output(
    session: AsyncSession, principal: Principal, output_id: str, *, for_update: bool = True
) -> OutputRequest:
    output = await visible_output(session, principal, output_id, for_update=for_update)
    if not is_requester(principal, output):
        raise Forbidden("only the requester may change or answer for this request")
    return output


async def _reviewable(session: AsyncSession, principal: Principal, output_id: str) -> OutputRequest:
    output = await visible_output(session, principal, output_id, for_update=True)
    if is_requester(principal, output):
        raise Forbidden("nobody may review their own request")
    return output


async def _submitter_eligibility(
    session: AsyncSession, principal: Principal, project_id: str
) -> ProjectView:
    me = actor_of(principal)
    member = await session.get(ProjectMemberView, (project_id, me))
    project = await session.get(ProjectView, project_id)
    if member is None or project is None:
        raise NotFound(f"project {project_id} not found")
    if member.role not in domain.SUBMITTING_ROLES:
        raise Forbidden("outputs-only peer reviewers may view cleared outputs, not submit")
    if not member.active:
        raise Forbidden("your membership of this project is inactive (accreditation not current)")
    if project.status != "active":
        raise Conflict(
            f"the project is {project.status}: outputs need an active project",
            current_state=project.status,
        )
    return project


async def _audit(
    session: AsyncSession,
    output: OutputRequest,
    principal: Principal | None,
    action: str,
    detail: str | None = None,
    *,
    file_id: str | None = None,
    at: dt.datetime,
) -> None:
    """Append to the request's hash-chained audit trail (callers hold the request's row lock)."""
    previous = (
        await session.execute(
            select(AuditEntry.entry_hash)
            .where(AuditEntry.output_id == output.id)
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    entry = AuditEntry(
        output_id=output.id,
        actor=actor_of(principal) if principal else "system",
        action=action,
        detail=detail,
        file_id=file_id,
        at=at,
        prev_hash=previous,
    )
    entry.entry_hash = domain.audit_hash(entry)
    session.add(entry)
    await session.flush()


async def audit_trail(
    session: AsyncSession, principal: Principal, output_id: str, settings: ClearanceSettings
) -> dict[str, Any]:
    """Every decision and download on a request, and whether the chain is intact."""
    output = await visible_output(session, principal, output_id)
    entries = list(
        (
            await session.execute(
                select(AuditEntry).where(AuditEntry.output_id == output.id).order_by(AuditEntry.id)
            )
        ).scalars()
    )
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    received = sum(1 for e in entries if e.action == "reviewed")
    me = actor_of(principal)
    private = not sees_private_review(principal, output)

    def shown(entry: AuditEntry) -> dict[str, Any]:
        # Blind review holds here too: another checker's vote and its reason are withheld
        # (the entry stays, so the trail still says who reviewed and when).
        hidden = (
            entry.action == "reviewed"
            and not domain.vote_visible(
                entry.actor, me, received=received, needed=needed, viewer_is_requester=private
            )
        ) or (entry.action == "override" and private)
        return {
            "actor": entry.actor,
            "action": entry.action,
            "detail": None if hidden else entry.detail,
            "file_id": entry.file_id,
            "at": entry.at,
            "entry_hash": entry.entry_hash,
        }

    return {"intact": domain.audit_chain_intact(entries), "entries": [shown(e) for e in entries]}


def contract_fields(output: OutputRequest, now: dt.datetime) -> dict[str, Any]:
    return {
        "output_id": output.id,
        "project_id": output.project_id,
        "organisation_id": output.organisation_id,
        "requester_id": output.requester_id,
        "kind": output.kind,
        "occurred_at": now,
    }


# --- drafting -------------------------------------------------------------------------


async def create_output(
    session: AsyncSession, principal: Principal, data: OutputCreate, now: dt.datetime
) -> OutputRequest:
    """An active member of an active project drafts an output request."""
    project = await _submitter_eligibility(session, principal, data.project_id)
    dataset_ids = data.dataset_ids or list(project.dataset_ids)
    unknown = sorted(set(dataset_ids) - set(project.dataset_ids))
    if unknown:
        raise RuleViolation(
            f"datasets not approved for this project: {', '.join(unknown)}", rule="project_datasets"
        )
    output = OutputRequest(
        id=new_id("out"),
        project_id=project.id,
        organisation_id=project.organisation_id,
        requester_id=actor_of(principal),
        kind=data.kind,
        title=data.title,
        dataset_ids=dataset_ids,
        exception_justification=data.exception_justification,
        status=OutputStatus.DRAFT,
        created_at=now,
    )
    session.add(output)
    await session.flush()
    return output


async def add_group(
    session: AsyncSession, principal: Principal, output_id: str, data: GroupCreate, now: dt.datetime
) -> OutputGroup:
    """A group of files with its context and the controls applied."""
    output = await _own_output(session, principal, output_id)
    domain.transition(output.status, "change")
    group = OutputGroup(id=new_id("grp"), output_id=output.id, created_at=now, **data.model_dump())
    session.add(group)
    await session.flush()
    return group


async def add_file(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    group_id: str,
    *,
    filename: str,
    content_type: str,
    sha256: str,
    size: int,
    data: bytes,
    now: dt.datetime,
) -> OutputFile:
    output = await _own_output(session, principal, output_id)
    domain.transition(output.status, "change")
    group = await session.get(OutputGroup, group_id)
    if group is None or group.output_id != output.id:
        raise NotFound(f"group {group_id} not found")
    role, table = classify_upload(output.kind, filename, data)
    file = OutputFile(
        id=new_id("fil"),
        output_id=output.id,
        group_id=group.id,
        filename=filename,
        content_type=content_type,
        size=size,
        sha256=sha256,
        role=role,
        table_json=table,
        uploaded_at=now,
    )
    session.add(file)
    await session.flush()
    return file


async def groups_of(session: AsyncSession, output_id: str) -> list[dict[str, Any]]:
    groups = (
        (
            await session.execute(
                select(OutputGroup)
                .where(OutputGroup.output_id == output_id)
                .order_by(OutputGroup.created_at, OutputGroup.id)
            )
        )
        .scalars()
        .all()
    )
    files = (
        (
            await session.execute(
                select(OutputFile)
                .where(OutputFile.output_id == output_id)
                .order_by(OutputFile.uploaded_at, OutputFile.id)
            )
        )
        .scalars()
        .all()
    )
    return [
        {
            "id": g.id,
            "name": g.name,
            "context": g.context,
            "controls": g.controls,
            "files": [f for f in files if f.group_id == g.id],
        }
        for g in groups
    ]


# --- submission and the automatic checks ------------------------------------------------


async def submit_output(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    now: dt.datetime,
    settings: ClearanceSettings,
    read_text: Callable[[str], str],
) -> OutputRequest:
    """Submit a draft: completeness rules, automatic checks, service-level due date."""
    output = await _own_output(session, principal, output_id)
    domain.transition(output.status, "submit")
    project = await _submitter_eligibility(session, principal, output.project_id)
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
            # A scan of a large file takes seconds of CPU: off the event loop.
            findings = await anyio.to_thread.run_sync(
                functools.partial(
                    codescan.scan_code,
                    read_text(file.sha256),
                    filename=file.filename,
                    identifier_columns=identifier_columns,
                )
            )
            file.check_json = {
                "status": codescan.code_status(findings),
                "findings": [dataclasses.asdict(f) for f in findings],
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
    await _audit(
        session,
        output,
        principal,
        "submitted",
        f"automatic checks: {output.automatic_status}",
        at=now,
    )
    await session.flush()
    return output


async def recheck_with_relaxed_rules(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    overrides: RulesIn,
    now: dt.datetime,
) -> OutputRequest:
    """A checker re-runs the automatic checks with rules relaxed for this request only."""
    output = await _reviewable(session, principal, output_id)
    if output.status not in (OutputStatus.CHECKED, OutputStatus.IN_REVIEW):
        raise IllegalTransition("output request", output.status, "re-check")
    rules = relax(await rules_for(session, list(output.dataset_ids)), principal, overrides)
    files = list(
        (
            await session.execute(
                select(OutputFile)
                .where(OutputFile.output_id == output.id)
                .order_by(OutputFile.uploaded_at, OutputFile.id)
            )
        ).scalars()
    )
    output.automatic_status = await run_automatic_checks(session, output, files, rules)
    output.check_report = {
        **(output.check_report or {}),
        "status": output.automatic_status,
        "rules": rules_out(rules),
        "relaxed_by": actor_of(principal),
        "not_checked": not_checked_files(files),
    }
    await publish(
        session,
        events.OutputChecked(
            **contract_fields(output, now), automatic_status=output.automatic_status
        ),
        subject=output.id,
    )
    await _audit(
        session,
        output,
        principal,
        "rechecked",
        str(overrides.model_dump(exclude_none=True)),
        at=now,
    )
    await session.flush()
    return output


async def withdraw_output(
    session: AsyncSession, principal: Principal, output_id: str, now: dt.datetime
) -> OutputRequest:
    """The requester withdraws a request before any decision."""
    output = await _own_output(session, principal, output_id)
    submitted = output.status != OutputStatus.DRAFT
    output.status = domain.transition(output.status, "withdraw")
    output.clock_paused_at = None
    if submitted:
        await publish(
            session, events.OutputWithdrawn(**contract_fields(output, now)), subject=output.id
        )
    await _audit(session, output, principal, "withdrawn", at=now)
    await session.flush()
    return output


# --- review workflow --------------------------------------------------------------------


async def start_review(
    session: AsyncSession, principal: Principal, output_id: str, now: dt.datetime
) -> OutputRequest:
    output = await _reviewable(session, principal, output_id)
    output.status = domain.transition(output.status, "start review")
    await _audit(session, output, principal, "review_started", at=now)
    await session.flush()
    return output


async def request_clarification(
    session: AsyncSession, principal: Principal, output_id: str, question: str, now: dt.datetime
) -> OutputRequest:
    """A checker asks the requester a question; the service-level clock stops."""
    output = await _reviewable(session, principal, output_id)
    output.status = domain.transition(output.status, "request clarification")
    output.clock_paused_at = now
    session.add(
        Comment(
            id=new_id("cmt"),
            output_id=output.id,
            author_id=actor_of(principal),
            visibility="shared",
            body=question,
            created_at=now,
        )
    )
    await publish(
        session,
        events.OutputClarificationRequested(**contract_fields(output, now)),
        subject=output.id,
    )
    await _audit(session, output, principal, "clarification_requested", question, at=now)
    await session.flush()
    return output


async def respond_to_clarification(
    session: AsyncSession, principal: Principal, output_id: str, answer: str, now: dt.datetime
) -> OutputRequest:
    """The requester answers; the clock restarts with the paused working time given back."""
    output = await _own_output(session, principal, output_id)
    output.status = domain.transition(output.status, "respond to")
    if output.clock_paused_at is not None and output.due_at is not None:
        output.due_at = sla.resume_due_at(output.due_at, output.clock_paused_at, now)
    output.clock_paused_at = None
    session.add(
        Comment(
            id=new_id("cmt"),
            output_id=output.id,
            author_id=actor_of(principal),
            visibility="shared",
            body=answer,
            created_at=now,
        )
    )
    await _audit(session, output, principal, "clarification_answered", at=now)
    await session.flush()
    return output


async def _votes(session: AsyncSession, output_id: str) -> list[Review]:
    return list(
        (
            await session.execute(
                select(Review)
                .where(Review.output_id == output_id)
                .order_by(Review.created_at, Review.id)
            )
        )
        .scalars()
        .all()
    )


def sees_private_review(principal: Principal, output: OutputRequest) -> bool:
    """Checkers and support may see the review record; the requester never, whatever roles
    they hold (votes and override reasons are private to the checkers)."""
    return principal.has("checker", "support") and not is_requester(principal, output)


async def cast_vote(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    data: VoteCreate,
    now: dt.datetime,
    settings: ClearanceSettings,
) -> Review:
    """One checker's independent review; each checker's vote counts once."""
    output = await _reviewable(session, principal, output_id)
    domain.transition(output.status, "review")
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    me = actor_of(principal)
    votes = await _votes(session, output.id)
    if any(v.checker_id == me for v in votes):
        raise Conflict("you have already reviewed this request: a checker's vote counts once")
    if len(votes) >= needed:
        raise Conflict(f"every independent review is already in ({needed} of {needed})")
    review = Review(
        output_id=output.id, checker_id=me, vote=data.vote, reason=data.reason, created_at=now
    )
    session.add(review)
    # The vote and its reason are in the trail; the trail shows them to nobody else until
    # every review is in (see audit_trail).
    await _audit(session, output, principal, "reviewed", f"{data.vote}: {data.reason}", at=now)
    await session.flush()
    return review


async def list_votes(
    session: AsyncSession, principal: Principal, output_id: str, settings: ClearanceSettings
) -> dict[str, Any]:
    """Blind review: each checker sees only their own vote until every vote is in."""
    output = await visible_output(session, principal, output_id)
    if not sees_private_review(principal, output):
        raise Forbidden(
            "the votes on a request are private to its checkers; "
            "nobody reads the votes on their own request"
        )
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    votes = await _votes(session, output.id)
    me = actor_of(principal)
    shown = [
        v
        for v in votes
        if domain.vote_visible(
            v.checker_id, me, received=len(votes), needed=needed, viewer_is_requester=False
        )
    ]
    return {
        "needed": needed,
        "received": len(votes),
        "blind": not domain.votes_unblinded(len(votes), needed),
        "votes": shown,
    }


async def decide(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    data: DecisionCreate,
    now: dt.datetime,
    settings: ClearanceSettings,
) -> OutputRequest:
    """The consolidating decision: approve or reject once every independent review is in.

    Approving what every reviewer rejected needs an override reason, recorded on the
    decision and in the audit trail."""
    output = await _reviewable(session, principal, output_id)
    action = "approve" if data.decision == "approve" else "reject"
    status = domain.transition(output.status, action)
    needed = domain.reviews_needed(output.kind, settings.review_rule())
    votes = await _votes(session, output.id)
    if len(votes) < needed:
        raise Conflict(
            f"a {output.kind.replace('_', '-')} request needs {needed} independent "
            f"reviews before a decision ({len(votes)} so far)",
            current_state=output.status,
        )
    if domain.override_needed(data.decision, [v.vote for v in votes]):
        if not data.override_reason:
            raise RuleViolation(
                "every independent review rejected this request: approving it "
                "needs an override_reason, which is recorded",
                rule="override_reason",
            )
    elif data.override_reason:
        raise RuleViolation(
            "an override_reason is only for approving what every independent review rejected",
            rule="override_reason",
        )
    output.status = status
    output.decided_at = now
    output.decided_by = actor_of(principal)
    output.decision_reason = data.reason
    output.override_reason = data.override_reason
    output.clock_paused_at = None
    base = contract_fields(output, now)
    if status == OutputStatus.APPROVED:
        await publish(session, events.OutputApproved(**base), subject=output.id)
        project = await session.get(ProjectView, output.project_id)
        if project is not None and project.completed_at is not None:
            # cleared after the project completed: it must be destroyed all the same
            await require_destruction(
                session, output.project_id, project.completed_at, settings.destruction_policy_days
            )
    else:
        await publish(session, events.OutputRejected(**base, reason=data.reason), subject=output.id)
    if data.override_reason:
        await _audit(session, output, principal, "override", data.override_reason, at=now)
    await _audit(session, output, principal, str(status), data.reason, at=now)
    await session.flush()
    if output.submitted_at is not None:
        TIME_TO_DECISION.labels(output.kind, str(status)).observe(
            (now - output.submitted_at).total_seconds()
        )
    return output


# --- comments ---------------------------------------------------------------------------


async def add_comment(
    session: AsyncSession,
    principal: Principal,
    output_id: str,
    data: CommentCreate,
    now: dt.datetime,
) -> Comment:
    output = await visible_output(session, principal, output_id)
    if data.visibility == "private" and not principal.has("checker"):
        raise Forbidden("only checkers write private comments")
    if output.status == OutputStatus.DRAFT:
        raise IllegalTransition("output request", output.status, "comment on")
    comment = Comment(
        id=new_id("cmt"),
        output_id=output.id,
        author_id=actor_of(principal),
        visibility=data.visibility,
        body=data.body,
        created_at=now,
    )
    session.add(comment)
    await session.flush()
    return comment


async def list_comments(
    session: AsyncSession, principal: Principal, output_id: str
) -> list[Comment]:
    output = await visible_output(session, principal, output_id)
    stmt = select(Comment).where(Comment.output_id == output.id)
    if not principal.has("checker", "support"):
        stmt = stmt.where(Comment.visibility == "shared")
    return list((await session.execute(stmt.order_by(Comment.created_at, Comment.id))).scalars())


# --- files ------------------------------------------------------------------------------


async def file_for_download(
    session: AsyncSession, principal: Principal, output_id: str, file_id: str, now: dt.datetime
) -> OutputFile:
    """The file if the caller may see the request; every download is audited."""
    output = await visible_output(session, principal, output_id, for_update=True)
    file = await session.get(OutputFile, file_id)
    if file is None or file.output_id != output.id:
        raise NotFound(f"file {file_id} not found")
    await _audit(session, output, principal, "downloaded", file.filename, file_id=file.id, at=now)
    await session.flush()
    return file


# --- lists ------------------------------------------------------------------------------


def is_overdue(output: OutputRequest, now: dt.datetime) -> bool:
    return (
        output.status in domain.OPEN
        and output.clock_paused_at is None
        and output.due_at is not None
        and output.due_at < now
    )


async def list_outputs(
    session: AsyncSession,
    principal: Principal,
    *,
    project_id: str | None,
    status: str | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[OutputRequest], str | None]:
    """Requests the caller may see, newest first (partners: their organisation's)."""
    stmt = select(OutputRequest)
    if principal.has("support"):
        pass
    elif principal.has("checker"):
        stmt = stmt.where(OutputRequest.status != OutputStatus.DRAFT)
    elif principal.has("researcher"):
        me = actor_of(principal)
        members = (
            select(ProjectMemberView.project_id, ProjectMemberView.role)
            .where(ProjectMemberView.researcher_id == me, ProjectMemberView.active.is_(True))
            .subquery()
        )
        stmt = stmt.outerjoin(members, members.c.project_id == OutputRequest.project_id).where(
            or_(
                OutputRequest.requester_id == me,
                and_(
                    members.c.project_id.is_not(None),
                    OutputRequest.status != OutputStatus.DRAFT,
                    or_(
                        members.c.role.not_in(domain.VIEW_CLEARED_ONLY_ROLES),
                        OutputRequest.status == OutputStatus.APPROVED,
                    ),
                ),
            )
        )
    elif principal.has("partner") and principal.org:
        stmt = stmt.where(
            OutputRequest.organisation_id == principal.org,
            OutputRequest.status != OutputStatus.DRAFT,
        )
    else:
        return [], None
    if project_id:
        stmt = stmt.where(OutputRequest.project_id == project_id)
    if status:
        stmt = stmt.where(OutputRequest.status == status)
    after = decode_cursor(cursor)
    if after:
        created, last_id = dt.datetime.fromisoformat(after[0]), after[1]
        stmt = stmt.where(
            or_(
                OutputRequest.created_at < created,
                and_(OutputRequest.created_at == created, OutputRequest.id < last_id),
            )
        )
    rows = list(
        (
            await session.execute(
                stmt.order_by(OutputRequest.created_at.desc(), OutputRequest.id.desc()).limit(
                    limit + 1
                )
            )
        ).scalars()
    )
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor([rows[-1].created_at.isoformat(), rows[-1].id])
    return rows, next_cursor


async def checkers_queue(
    session: AsyncSession, *, limit: int, cursor: str | None
) -> tuple[list[tuple[OutputRequest, bool]], str | None]:
    """Open requests, priority projects first, then the earliest due."""
    priority = func.coalesce(ProjectView.priority, False)
    stmt = (
        select(OutputRequest, priority)
        .outerjoin(ProjectView, ProjectView.id == OutputRequest.project_id)
        .where(OutputRequest.status.in_(list(domain.OPEN)))
    )
    after = decode_cursor(cursor)
    if after:
        try:
            was_priority, due, last_id = (
                bool(after[0]),
                dt.datetime.fromisoformat(after[1]),
                after[2],
            )
        except (IndexError, TypeError, ValueError):
            raise AppError(
                "the cursor is not one this API issued", status=422, title="Invalid cursor"
            ) from None
        later = or_(
            OutputRequest.due_at > due,
            and_(OutputRequest.due_at == due, OutputRequest.id > last_id),
        )
        same_band = and_(priority == was_priority, later)
        stmt = stmt.where(or_(same_band, not_(priority)) if was_priority else same_band)
    rows = (
        await session.execute(
            stmt.order_by(priority.desc(), OutputRequest.due_at, OutputRequest.id).limit(limit + 1)
        )
    ).all()
    items = [(row[0], bool(row[1])) for row in rows]
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last, was_priority = items[-1]
        next_cursor = encode_cursor([was_priority, last.due_at.isoformat(), last.id])
    return items, next_cursor


# --- destruction ------------------------------------------------------------------------


async def require_destruction(
    session: AsyncSession, project_id: str, completed_at: dt.datetime, policy_days: int
) -> int:
    """The project completed: every approved pre-publication output must be destroyed.

    Idempotent: outputs already marked are left alone. Returns how many were marked."""
    outputs = (
        (
            await session.execute(
                select(OutputRequest)
                .where(
                    OutputRequest.project_id == project_id,
                    OutputRequest.kind == "pre_publication",
                    OutputRequest.status == OutputStatus.APPROVED,
                    OutputRequest.destruction_status.is_(None),
                )
                .order_by(OutputRequest.id)
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )
    deadline = completed_at + dt.timedelta(days=policy_days)
    for output in outputs:
        output.destruction_status = domain.DestructionStatus.REQUIRED
        output.destruction_deadline = deadline
        await publish(
            session,
            events.OutputDestructionRequired(
                **contract_fields(output, completed_at), deadline=deadline
            ),
            subject=output.id,
        )
        await _audit(session, output, None, "destruction_required", at=completed_at)
    await session.flush()
    return len(outputs)


async def attest_destruction(
    session: AsyncSession, principal: Principal, output_id: str, statement: str, now: dt.datetime
) -> OutputRequest:
    """The requester attests that every copy of a pre-publication output is destroyed."""
    output = await _own_output(session, principal, output_id)
    if output.destruction_status != domain.DestructionStatus.REQUIRED:
        current = output.destruction_status or "not required"
        raise IllegalTransition("output destruction", current, "attest destruction of")
    output.destruction_status = domain.DestructionStatus.DESTROYED
    output.destroyed_at = now
    await publish(
        session, events.OutputDestroyed(**contract_fields(output, now)), subject=output.id
    )
    await _audit(session, output, principal, "destroyed", statement, at=now)
    await session.flush()
    return output
