"""The booking rows: the booking write (each request a new valid booking, made by wrk from
a Lua script over distinct places and hours) and the availability read."""

from __future__ import annotations

import datetime as dt
import statistics
from zoneinfo import ZoneInfo

import httpx
from harness import Load, Row, cpu_per, measure, stack_cpu_seconds, wrk

from journeys.common import active_project, wait_until

#: The booking horizon the bench sets (the most the service allows): room for distinct slots.
HORIZON_DAYS = 366
#: Weekday places: (site, place, local opening hours). One researcher per place, so a
#: distinct (place, hour) is also a distinct (researcher, hour).
PLACES = (
    [("titchfield", f"T{i}", range(9, 16)) for i in range(1, 9)]
    + [("newport", f"T{i}", range(9, 16)) for i in range(1, 7)]
    + [("safepod-ntu", "POD", range(8, 18))]
)


def _booking_days(horizon_days: int) -> list[tuple[str, int]]:
    """Weekdays from the day after tomorrow to the booking horizon that are not bank
    holidays, with London's UTC offset in hours that day."""
    from srs_booking.domain import bank_holiday

    london = ZoneInfo("Europe/London")
    day = dt.date.today() + dt.timedelta(days=2)
    days, last = [], dt.date.today() + dt.timedelta(days=horizon_days - 2)
    while day <= last:
        if day.weekday() < 5 and bank_holiday(day) is None:
            noon = dt.datetime.combine(day, dt.time(12), tzinfo=london)
            days.append((day.isoformat(), int(noon.utcoffset().total_seconds() // 3600)))
        day += dt.timedelta(days=1)
    return days


_BOOKING_LUA = """
local days = {%(days)s}
local combos = {%(combos)s}
local tokens = {%(tokens)s}
local project = "%(project)s"
local offset = %(offset)d
local threads = {}
local counter = 1

function setup(thread)
  thread:set("tid", counter)
  table.insert(threads, thread)
  counter = counter + 1
end

function init(args)
  n = tid - 1
  step = #threads_count_placeholder
end

function request()
  local i = offset + n
  n = n + %(threads)d
  local day = days[math.floor(i / #combos) + 1]
  local c = combos[(i %% #combos) + 1]
  local h = c[3] - day[2]
  local body = string.format(
    '{"project_id":"%%s","site_id":"%%s","place":"%%s",' ..
    '"starts_at":"%%sT%%02d:00:00Z","ends_at":"%%sT%%02d:00:00Z"}',
    project, c[1], c[2], day[1], h, day[1], h + 1)
  local headers = {}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Bearer " .. tokens[c[4]]
  return wrk.format("POST", "/v1/bookings", headers, body)
end
"""


def _booking_lua(days, tokens, project_id: str, offset: int, threads: int) -> str:
    combos = [
        (site, place, hour, index + 1)
        for index, (site, place, hours) in enumerate(PLACES)
        for hour in hours
    ]
    script = _BOOKING_LUA % {
        "days": ",".join(f'{{"{d}",{o}}}' for d, o in days),
        "combos": ",".join(f'{{"{s}","{p}",{h},{t}}}' for s, p, h, t in combos),
        "tokens": ",".join(f'"{t}"' for t in tokens),
        "project": project_id,
        "offset": offset,
        "threads": threads,
    }
    return script.replace("  step = #threads_count_placeholder\n", "")


def booking_rows(ctx) -> list[Row]:
    """Booking write (each request a new valid booking) vs the bare ORM insert; then the
    availability of a site over a week vs the bare primary-key SELECT."""
    from rows import _accredit

    from srs_common.tokens import issue_token

    researchers = [f"res-book-{i:02d}" for i in range(len(PLACES))]
    booking = ctx.stack.url("booking")
    with httpx.Client(timeout=30) as client:
        for i, researcher_id in enumerate(researchers):
            _accredit(ctx, client, researcher_id, f"Booking Researcher {i:02d}")
        project_id = active_project(ctx, client, researchers)
        tokens = [
            issue_token(
                ctx.key,
                sub=r,
                roles=["researcher"],
                issuer="srs-access",
                audience="srs",
                researcher_id=r,
            )
            for r in researchers
        ]
        for token in tokens:
            client.post(
                f"{booking}/v1/declarations",
                json={"version": "2026.1"},
                headers={"Authorization": f"Bearer {token}"},
            ).raise_for_status()
        combos = sum(len(h) for _, _, h in PLACES)
        days = _booking_days(HORIZON_DAYS)
        first_day = days[0][0]
        day, offset_h = days[0]
        probe = {
            "project_id": project_id,
            "site_id": "safepod-bristol",
            "place": "POD",
            "starts_at": f"{_saturday(day)}T{9 - _offset(_saturday(day)):02d}:00:00Z",
            "ends_at": f"{_saturday(day)}T{10 - _offset(_saturday(day)):02d}:00:00Z",
        }

        def eligible():
            """booking's read models know the project, its members and the datasets"""
            r = client.post(
                f"{booking}/v1/bookings",
                json=probe,
                headers={"Authorization": f"Bearer {tokens[0]}"},
            )
            assert r.status_code in (201, 422), r.text
            return r.status_code == 201

        wait_until(eligible)

    ctx.journeys["booking"] = {"project_id": project_id, "researchers": researchers}
    p = ctx.profile
    ctx.fresh("insert")
    offset, loads = 0, []
    cpu_before: dict[str, float] = {}
    for run in range(1 + p.rounds):
        if run == 1:  # after the warm-up: what the measured rounds cost, and where
            cpu_before = stack_cpu_seconds(ctx.stack)
        script = _booking_lua(days, tokens, project_id, offset, p.threads)
        load = wrk(
            f"{booking}/v1/bookings",
            p,
            lua=script,
            duration_s=p.warmup_s if run == 0 else p.duration_s,
        )
        # Every request made (finished or not) used an index: skip past them all.
        offset += load.requests + 4 * p.connections
        offset += (-offset) % p.threads
        if offset >= len(days) * combos:
            raise RuntimeError("ran out of distinct booking slots; add days")
        if run:
            loads.append(load)
    cpu = cpu_per(cpu_before, stack_cpu_seconds(ctx.stack), sum(x.requests for x in loads))
    write = Load(
        statistics.median(x.rps for x in loads),
        statistics.median(x.p50_ms for x in loads),
        statistics.median(x.p99_ms for x in loads),
    )
    ratio = write.rps / ctx.insert.rps
    p99_ratio = write.p99_ms / ctx.insert.p99_ms
    rows = [
        Row(
            "booking write",
            "POST /v1/bookings, each a new valid booking",
            "ORM insert+commit",
            value=f"{write.rps:,.0f} req/s (p99 {write.p99_ms:.0f} ms)",
            base_value=f"{ctx.insert.rps:,.0f} req/s (p99 {ctx.insert.p99_ms:.0f} ms)",
            ratio=f"{100 * ratio:.0f} %; p99 {p99_ratio:.1f}x",
            target=">= 50 %; p99 <= 4x",
            met=ratio >= 0.5 and p99_ratio <= 4,
            note=f"{offset:,} bookings over {len(PLACES)} researchers; CPU per booking, "
            f"the consumers of its event included: {cpu}",
        )
    ]

    first = dt.date.fromisoformat(first_day)
    url = (
        f"{booking}/v1/availability?site_id=titchfield&from={first}"
        f"&to={first + dt.timedelta(days=6)}"
    )
    headers = {"Authorization": f"Bearer {tokens[0]}"}
    assert httpx.get(url, headers=headers).status_code == 200
    ctx.fresh("select")
    read = measure(url, p, stack=ctx.stack, headers=headers)
    ratio = read.rps / ctx.select.rps
    rows.append(
        Row(
            "availability read",
            "free places, one site over a week",
            "bare PK SELECT",
            value=f"{read.rps:,.0f} req/s (p99 {read.p99_ms:.0f} ms)",
            base_value=f"{ctx.select.rps:,.0f} req/s",
            ratio=f"{100 * ratio:.0f} %",
            target=">= 70 %",
            met=ratio >= 0.7,
            note=f"CPU per read: {read.cpu}",
        )
    )
    return rows


def _saturday(day: str) -> str:
    d = dt.date.fromisoformat(day)
    d += dt.timedelta(days=(5 - d.weekday()) % 7)
    from srs_booking.domain import bank_holiday

    while bank_holiday(d) is not None:
        d += dt.timedelta(days=7)
    return d.isoformat()


def _offset(day: str) -> int:
    noon = dt.datetime.combine(
        dt.date.fromisoformat(day), dt.time(12), tzinfo=ZoneInfo("Europe/London")
    )
    return int(noon.utcoffset().total_seconds() // 3600)
