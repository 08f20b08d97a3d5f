"""The workload: business operations through the services' HTTP APIs only.

One *team* is two researchers and a project:

- each researcher registers, drafts, submits and is granted a full accreditation by the
  panel (accreditation; 4 operations each);
- the first drafts a project once the projects service has learnt of the grant through
  the bus, submits it, the panel reviews and approves it (projects; 4 operations); the
  access service provisions its space from ``project.approved`` and the project turns
  active from ``project_space.provisioned``;
- the lead asks for the second researcher to join (on an approved project a member who
  will see data is a request), support approves the request so the member joins,
  support suspends and reinstates the member's accreditation (projects deactivates and
  reactivates the member from the events), and the lead removes the member
  (5 operations);
- the lead signs the security declaration, books a safe-room place for an hour once the
  booking service has learnt (from accreditation, projects and access events) that the
  project is active, the lead a member and its datasets catalogued, and cancels it
  (booking; 3 operations).

20 operations per team. Every POST carries an ``Idempotency-Key`` reused by its retries,
so a request lost in a fault (connection reset, database restart) is retried without a
second effect.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import httpx

from .faultstack import FaultStack

OPS_PER_TEAM = 20
# The booking service's refusals that mean "an event has not arrived yet".
BOOKING_WAITS = frozenset(
    {
        "accreditation_not_current",
        "not_project_member",
        "project_not_active",
        "dataset_not_permitted",
    }
)
PLACES = [("titchfield", f"T{n}") for n in range(1, 9)] + [
    ("newport", f"T{n}") for n in range(1, 7)
]
HOURS = range(9, 16)  # safe rooms open 09:00-16:00, Europe/London
LONDON = ZoneInfo("Europe/London")


def booking_days(count: int) -> list[dt.date]:
    """Working days from the day after tomorrow, bank holidays left out."""
    bank_holidays = holidays.UK(subdiv="ENG")
    day, days = dt.date.today() + dt.timedelta(days=2), []
    while len(days) < count:
        if day.weekday() < 5 and day not in bank_holidays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def slot_of(team: int, days: list[dt.date]) -> tuple[str, str, dt.datetime]:
    """A place and hour of its own for each team: no two bookings compete."""
    site, place = PLACES[team % len(PLACES)]
    hour = HOURS[(team // len(PLACES)) % len(HOURS)]
    day = days[team // (len(PLACES) * len(HOURS))]
    return site, place, dt.datetime.combine(day, dt.time(hour), LONDON)


RETRY_FOR_SECONDS = 120.0


@dataclass
class Workload:
    stack: FaultStack
    teams: int
    concurrency: int = 6
    committed: int = 0
    retried: int = 0
    waits_for_events: int = 0
    errors: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    bookings: list[str] = field(default_factory=list)
    member_requests: list[str] = field(default_factory=list)
    teams_run: int = 0
    started_at: float = 0.0
    finished_at: float = 0.0

    @property
    def total(self) -> int:
        """The operations of the teams asked for (more run while faults remain)."""
        return self.teams * OPS_PER_TEAM

    async def run(self, keep_going: asyncio.Event | None = None) -> None:
        """Run ``teams`` teams, and more until ``keep_going`` is cleared, so that every
        fault of a schedule lands while the workload is running."""
        self.started_at = time.monotonic()
        limits = httpx.Limits(max_connections=self.concurrency * 2)
        async with httpx.AsyncClient(timeout=15, limits=limits) as client:
            gate = asyncio.Semaphore(self.concurrency)

            async def one(team: int) -> None:
                try:
                    await self._team(client, team)
                except Exception as exc:  # noqa: BLE001 - reported, fails the test
                    self.errors.append(f"team {team}: {exc!r}")
                finally:
                    gate.release()

            running = []
            team = 0
            while team < self.teams or (keep_going is not None and keep_going.is_set()):
                await gate.acquire()
                running.append(asyncio.create_task(one(team)))
                team += 1
            await asyncio.gather(*running)
            self.teams_run = team
        self.finished_at = time.monotonic()

    # -- one team -------------------------------------------------------------------------
    async def _team(self, client: httpx.AsyncClient, team: int) -> None:
        stack = self.stack
        accreditation, projects = stack.api("accreditation"), stack.api("projects")
        panel = stack.token("panel", ["panel"])
        support = stack.token("support", ["support"])
        lead_id, member_id = f"res-rel-{team:04d}a", f"res-rel-{team:04d}b"
        accreditations = {}
        for researcher_id in (lead_id, member_id):
            accreditations[researcher_id] = await self._accredit(
                client, accreditation, researcher_id, panel
            )
        lead = stack.token(lead_id, ["researcher"], researcher_id=lead_id, org="org-ntu")

        project = await self._op(
            client,
            "POST",
            f"{projects}/v1/projects",
            lead,
            json={
                "title": f"Reliability study {team}",
                "organisation_id": "org-ntu",
                "legal_gateway": "DEA",
                "dataset_ids": ["ds-csew-2019", "ds-ashe-2021"],
                "lay_summary": "Which home security measures protect households.",
                "public_benefit": "Evidence for crime prevention advice.",
                "expected_start_date": "2027-01-04",
                "expected_end_date": "2027-06-30",
                "ethics_confirmed": True,
                "data_source_acknowledged": True,
            },
            until_rule="accreditation_required",
        )
        project_id = project["id"]
        self.projects.append(project_id)
        base = f"{projects}/v1/projects/{project_id}"
        await self._op(client, "POST", f"{base}/submit", lead)
        await self._op(client, "POST", f"{base}/review", panel)
        await self._op(
            client, "POST", f"{base}/approve", panel, json={"reason": "Clear public benefit"}
        )
        requested = await self._op(
            client,
            "POST",
            f"{base}/members",
            lead,
            json={"researcher_id": member_id, "role": "researcher"},
            until_rule="accreditation_required",
        )
        if requested.get("status") != "requested":
            raise AssertionError(
                f"adding {member_id} to approved {project_id} gave "
                f"{requested!r}, not a member request"
            )
        approved = await self._op(
            client, "POST", f"{base}/member-requests/{requested['id']}/approve", support
        )
        if approved.get("status") != "approved":
            raise AssertionError(f"approving {requested['id']} gave {approved!r}")
        self.member_requests.append(requested["id"])
        member_accreditation = accreditations[member_id]
        await self._op(
            client,
            "POST",
            f"{accreditation}/v1/accreditations/{member_accreditation}/suspend",
            support,
            json={"reason": "Reliability drill: suspended"},
        )
        await self._op(
            client,
            "POST",
            f"{accreditation}/v1/accreditations/{member_accreditation}/reinstate",
            support,
            json={"reason": "Reliability drill: reinstated"},
        )
        await self._op(client, "DELETE", f"{base}/members/{member_id}", lead)

        booking = stack.api("booking")
        await self._op(
            client, "POST", f"{booking}/v1/declarations", lead, json={"version": "2026.1"}
        )
        site, place, starts = slot_of(team, booking_days(team // 98 + 1))
        booked = await self._op(
            client,
            "POST",
            f"{booking}/v1/bookings",
            lead,
            json={
                "project_id": project_id,
                "site_id": site,
                "place": place,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + dt.timedelta(hours=1)).isoformat(),
            },
            until_rule=BOOKING_WAITS,
        )
        self.bookings.append(booked["id"])
        await self._op(
            client,
            "POST",
            f"{booking}/v1/bookings/{booked['id']}/cancel",
            lead,
            json={"reason": "Reliability drill: plans changed"},
        )

    async def _accredit(
        self, client: httpx.AsyncClient, base: str, researcher_id: str, panel: dict[str, str]
    ) -> str:
        me = self.stack.token(
            researcher_id, ["researcher"], researcher_id=researcher_id, org="org-ntu"
        )
        await self._op(
            client,
            "POST",
            f"{base}/v1/researchers",
            me,
            json={
                "name": f"Researcher {researcher_id}",
                "email": f"{researcher_id}@ntu.example",
                "organisation_id": "org-ntu",
                "qualifications": {
                    "degree": "masters",
                    "degree_quantitative": True,
                    "quantitative_research_years": 5,
                },
            },
        )
        application = await self._op(
            client,
            "POST",
            f"{base}/v1/applications",
            me,
            json={
                "kind": "full",
                "training_completed_on": "2026-09-01",
                "statement": "Quantitative criminologist.",
            },
        )
        await self._op(client, "POST", f"{base}/v1/applications/{application['id']}/submit", me)
        approved = await self._op(
            client,
            "POST",
            f"{base}/v1/applications/{application['id']}/approve",
            panel,
            json={"reason": "Meets the criteria."},
        )
        return str(approved["accreditation_id"])

    # -- one operation, retried through faults ---------------------------------------------
    async def _op(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        headers: dict[str, str],
        *,
        json: Any = None,
        until_rule: str | frozenset[str] | None = None,
    ) -> Any:
        """Send until it succeeds. A 422 with ``until_rule`` means another service's event
        has not arrived yet (waited for, not an error); a 5xx or a lost connection is
        retried with the same idempotency key."""
        waits = {until_rule} if isinstance(until_rule, str) else set(until_rule or ())
        key = str(uuid.uuid4())
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        delay = 0.1
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await client.request(
                    method, url, json=json, headers={**headers, "Idempotency-Key": key}
                )
            except httpx.HTTPError as exc:
                problem = repr(exc)
            else:
                if response.status_code < 300:
                    self.committed += 1
                    return response.json() if response.content else None
                body = _json(response)
                if response.status_code == 422 and body.get("rule") in waits:
                    self.waits_for_events += 1
                    key = str(uuid.uuid4())  # a new request: the refusal was stored
                    problem = "waiting for an event"
                elif response.status_code >= 500 or (
                    response.status_code == 409 and "in progress" in response.text
                ):
                    problem = f"{response.status_code} {response.text[:200]}"
                else:
                    raise AssertionError(
                        f"{method} {url} -> {response.status_code} "
                        f"{response.text[:500]} (attempt {attempt})"
                    )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{method} {url} still failing after {RETRY_FOR_SECONDS}s: {problem}"
                )
            if problem != "waiting for an event":
                self.retried += 1
            await asyncio.sleep(delay)
            delay = min(delay * 1.5, 1.0)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
