"""The growth table: each read and write row measured again at 1x, 10x and 100x the rows in
the databases (100x = 100,000 researchers and 1 million bookings). The cost of a request
must not grow with the data (indexes, keyset pages, no full scans).

The data is bulk-loaded with set-based SQL straight into the services' tables, as the
services' own handlers would have left it: researchers with their approved application
and accreditation in accreditation's database; the same researchers, their projects,
memberships, declarations and bookings (past ones attended, later ones confirmed, a few
cancelled) in booking's read models and tables; and access's read models of all of them.
The bookings are at 100 more safe rooms (10 places each), so the journeys' own sites and
slots stay free for the measured writes."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import os
import statistics
import time

import asyncpg
import httpx
from harness import QUICK, Load, Row, measure, wrk

from journeys.booking import HORIZON_DAYS, PLACES, _booking_days, _booking_lua

#: 1x; the table grows the data to 10x and 100x of it.
RESEARCHERS = 1_000
BOOKINGS = 10_000
SITES, PLACES_PER_SITE, HOURS_PER_DAY = 100, 10, 8
MEMBERS_PER_PROJECT = 5

_FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Daniel",
    "Elif",
    "Farah",
    "George",
    "Hannah",
    "Isaac",
    "Jasmine",
    "Kwame",
    "Laura",
    "Mohammed",
    "Niamh",
    "Oliver",
    "Priya",
    "Quentin",
    "Rosa",
    "Samuel",
    "Tomasz",
    "Usha",
    "Victor",
    "Wen",
    "Xavier",
    "Yusuf",
    "Zara",
]
_LAST = [
    "Adams",
    "Bailey",
    "Chen",
    "Davies",
    "Evans",
    "Fraser",
    "Gill",
    "Hughes",
    "Iqbal",
    "Jones",
    "Khan",
    "Lewis",
    "Morgan",
    "Nowak",
    "Owen",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Walsh",
    "Young",
    "Zhou",
]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join(f"'{v}'" for v in values) + "]"


_RESEARCHER_ID = "'res-g-' || lpad(g::text, 6, '0')"
_NAME = (
    f"({_array(_FIRST)})[1 + g % {len(_FIRST)}] || ' ' || "
    f"({_array(_LAST)})[1 + (g / 7) % {len(_LAST)}]"
)
_ORGANISATION = "'org-uni-' || lpad((g % 150)::text, 3, '0')"
_ACCREDITATION_ID = "'acc-g-' || lpad(g::text, 6, '0')"
# One in twenty accreditations has expired; the others run for years yet.
_ACC_STATUS = "CASE WHEN g % 20 = 0 THEN 'expired' ELSE 'current' END"
_VALID_UNTIL = (
    "CASE WHEN g % 20 = 0 THEN current_date - 10 - g % 300 ELSE current_date + 30 + g % 1500 END"
)
_PROJECT_ID = f"'prj-g-' || lpad((g / {MEMBERS_PER_PROJECT})::text, 6, '0')"

_ACCREDITATION_SQL = [
    f"""INSERT INTO researcher (id, name, email, organisation_id, qualifications, created_at,
            updated_at)
        SELECT {_RESEARCHER_ID}, {_NAME}, {_RESEARCHER_ID} || '@example.ac.uk', {_ORGANISATION},
            '{{"degree": "masters", "degree_quantitative": true,
               "quantitative_research_years": 4}}'::json,
            now() - (g % 900) * interval '1 day', now() - (g % 900) * interval '1 day'
        FROM generate_series($1::int, $2::int - 1) g""",
    f"""INSERT INTO application (id, researcher_id, kind, status, training_completed_on,
            statement, decided_by, decision_reason, accreditation_id, created_at, submitted_at,
            decided_at)
        SELECT 'app-g-' || lpad(g::text, 6, '0'), {_RESEARCHER_ID}, 'full', 'approved',
            current_date - 30 - g % 900, '', 'panel-growth', 'meets the criteria',
            {_ACCREDITATION_ID}, now() - (g % 900 + 20) * interval '1 day',
            now() - (g % 900 + 15) * interval '1 day', now() - (g % 900) * interval '1 day'
        FROM generate_series($1::int, $2::int - 1) g""",
    f"""INSERT INTO accreditation (id, researcher_id, kind, status, valid_from, valid_until,
            application_id, granted_at, updated_at)
        SELECT {_ACCREDITATION_ID}, {_RESEARCHER_ID}, 'full', {_ACC_STATUS},
            current_date - g % 900, {_VALID_UNTIL}, 'app-g-' || lpad(g::text, 6, '0'),
            now() - (g % 900) * interval '1 day', now() - (g % 900) * interval '1 day'
        FROM generate_series($1::int, $2::int - 1) g""",
]

# Booking b: place b % 1000 (site, place), hour b / 1000 from 100 days ago (8 a day); its
# researcher b % researchers, distinct among the 1,000 bookings of one hour.
_PLACE = SITES * PLACES_PER_SITE
_SITE_ID = f"'gsite-' || lpad(((b % {_PLACE}) / {PLACES_PER_SITE})::text, 3, '0')"
_PLACE_NAME = f"'T' || (b % {PLACES_PER_SITE} + 1)"
_STARTS_AT = (
    f"(current_date - 100)::timestamptz + ((b / {_PLACE}) / {HOURS_PER_DAY}) * interval '1 day'"
    f" + (9 + (b / {_PLACE}) % {HOURS_PER_DAY}) * interval '1 hour'"
)
_BOOKING_RESEARCHER = "'res-g-' || lpad((b % $3::int)::text, 6, '0')"
_BOOKING_PROJECT = f"'prj-g-' || lpad(((b % $3::int) / {MEMBERS_PER_PROJECT})::text, 6, '0')"
_BOOKING_STATUS = (
    "CASE WHEN b % 31 = 0 THEN 'cancelled' WHEN starts_at < now() THEN 'attended' "
    "ELSE 'confirmed' END"
)
_BOOKINGS_CTE = f"""
    WITH b AS (
        SELECT b, 'bkg-g-' || lpad(b::text, 7, '0') AS id, {_BOOKING_RESEARCHER} AS researcher_id,
            {_BOOKING_PROJECT} AS project_id, {_SITE_ID} AS site_id, {_PLACE_NAME} AS place,
            {_STARTS_AT} AS starts_at
        FROM generate_series($1::int, $2::int - 1) b
    )"""

_BOOKING_SITES_SQL = f"""
    INSERT INTO site (id, name, kind, location, places, timezone, opens_at, closes_at,
        open_weekdays)
    SELECT 'gsite-' || lpad(s::text, 3, '0'), 'Safe room ' || s, 'safe_room',
        'Town ' || s, {PLACES_PER_SITE}, 'Europe/London', '09:00', '17:00', '[0,1,2,3,4]'::json
    FROM generate_series(0, {SITES - 1}) s"""

_BOOKING_SQL = [
    f"""INSERT INTO known_accreditation (accreditation_id, researcher_id, status, valid_until,
            changed_at)
        SELECT {_ACCREDITATION_ID}, {_RESEARCHER_ID}, {_ACC_STATUS}, {_VALID_UNTIL}, now()
        FROM generate_series($1::int, $2::int - 1) g""",
    f"""INSERT INTO known_project (id, status, dataset_ids, space_provisioned, changed_at)
        SELECT {_PROJECT_ID}, 'active', '["ds-csew-2019"]'::json, true, now()
        FROM generate_series($1::int, $2::int - 1) g
        WHERE g % {MEMBERS_PER_PROJECT} = 0""",
    f"""INSERT INTO known_member (project_id, researcher_id, active, changed_at)
        SELECT {_PROJECT_ID}, {_RESEARCHER_ID}, true, now()
        FROM generate_series($1::int, $2::int - 1) g""",
    f"""INSERT INTO security_declaration (researcher_id, version, signed_at)
        SELECT {_RESEARCHER_ID}, '2026.1', now() - (g % 900) * interval '1 day'
        FROM generate_series($1::int, $2::int - 1) g""",
]
_BOOKING_ROWS_SQL = [
    f"""{_BOOKINGS_CTE}
    INSERT INTO booking (id, researcher_id, project_id, site_id, place, starts_at, ends_at,
        status, created_at, cancelled_at, cancelled_by, cancel_reason, recorded_at)
    SELECT id, researcher_id, project_id, site_id, place, starts_at,
        starts_at + interval '1 hour', {_BOOKING_STATUS}, starts_at - interval '9 days',
        CASE WHEN b % 31 = 0 THEN starts_at - interval '2 days' END,
        CASE WHEN b % 31 = 0 THEN researcher_id END,
        CASE WHEN b % 31 = 0 THEN 'plans changed' END,
        CASE WHEN b % 31 <> 0 AND starts_at < now() THEN starts_at + interval '1 hour' END
    FROM b""",
    # A cancelled booking's hours are free again: no slot rows.
    f"""{_BOOKINGS_CTE}
    INSERT INTO booked_slot (booking_id, site_id, place, researcher_id, slot_start)
    SELECT id, site_id, place, researcher_id, starts_at FROM b WHERE b % 31 <> 0""",
]

_ACCESS_SQL = [
    f"""INSERT INTO researcher_view (researcher_id, organisation_id, name, changed_at)
        SELECT {_RESEARCHER_ID}, {_ORGANISATION}, {_NAME}, now()
        FROM generate_series($1::int, $2::int - 1) g""",
    f"""INSERT INTO accreditation_view (accreditation_id, researcher_id, organisation_id,
            status, valid_until, changed_at)
        SELECT {_ACCREDITATION_ID}, {_RESEARCHER_ID}, {_ORGANISATION}, {_ACC_STATUS},
            {_VALID_UNTIL}, now()
        FROM generate_series($1::int, $2::int - 1) g""",
    f"""INSERT INTO project_view (project_id, organisation_id, title, status, dataset_ids,
            changed_at)
        SELECT {_PROJECT_ID}, {_ORGANISATION}, 'Growth project ' || g / {MEMBERS_PER_PROJECT},
            'active', '["ds-csew-2019"]'::json, now()
        FROM generate_series($1::int, $2::int - 1) g
        WHERE g % {MEMBERS_PER_PROJECT} = 0""",
    f"""INSERT INTO project_dataset (project_id, dataset_id)
        SELECT {_PROJECT_ID}, 'ds-csew-2019'
        FROM generate_series($1::int, $2::int - 1) g
        WHERE g % {MEMBERS_PER_PROJECT} = 0""",
    f"""INSERT INTO project_member_view (project_id, researcher_id, role, status, changed_at)
        SELECT {_PROJECT_ID}, {_RESEARCHER_ID},
            CASE WHEN g % {MEMBERS_PER_PROJECT} = 0 THEN 'principal_investigator'
                 ELSE 'researcher' END,
            'active', now()
        FROM generate_series($1::int, $2::int - 1) g""",
]
_ACCESS_BOOKINGS_SQL = f"""{_BOOKINGS_CTE}
    INSERT INTO booking_view (booking_id, researcher_id, project_id, site_id, starts_at,
        ends_at, status, changed_at)
    SELECT id, researcher_id, project_id, site_id, starts_at, starts_at + interval '1 hour',
        {_BOOKING_STATUS}, now()
    FROM b"""


def _dsn(ctx, service: str) -> str:
    return ctx.stack.database_url(service).replace("+asyncpg", "")


async def _load(ctx, size_from: int, size_to: int) -> None:
    """Grow the databases from ``size_from`` x to ``size_to`` x (0 = nothing loaded yet)."""
    researchers = (RESEARCHERS * size_from, RESEARCHERS * size_to)
    bookings = (BOOKINGS * size_from, BOOKINGS * size_to)

    async def run(service: str, statements: list[tuple[str, tuple[int, ...]]]) -> None:
        conn = await asyncpg.connect(_dsn(ctx, service))
        try:
            async with conn.transaction():
                # Valid by construction: no foreign-key trigger per row (a million
                # bookings would each look their site up).
                await conn.execute("SET LOCAL session_replication_role = replica")
                for sql, args in statements:
                    await conn.execute(sql, *args)
            # The steady state autovacuum keeps: statistics, visibility map, GIN lists.
            await conn.execute("VACUUM ANALYZE")
            # The load's dirty pages written now, not by a checkpoint during the rounds.
            await conn.execute("CHECKPOINT")
        finally:
            await conn.close()

    booking_rows = (*bookings, researchers[1])
    await asyncio.gather(
        run("accreditation", [(sql, researchers) for sql in _ACCREDITATION_SQL]),
        run(
            "booking",
            ([(_BOOKING_SITES_SQL, ())] if size_from == 0 else [])
            + [(sql, researchers) for sql in _BOOKING_SQL]
            + [(sql, booking_rows) for sql in _BOOKING_ROWS_SQL],
        ),
        run(
            "access",
            [(sql, researchers) for sql in _ACCESS_SQL] + [(_ACCESS_BOOKINGS_SQL, booking_rows)],
        ),
    )


async def _bookings_of(ctx, researchers: list[str]) -> int:
    conn = await asyncpg.connect(_dsn(ctx, "booking"))
    try:
        return await conn.fetchval(
            "SELECT count(*) FROM booking WHERE researcher_id = ANY($1::text[])", researchers
        )
    finally:
        await conn.close()


_BIG_TABLE_ROWS = 10_000
_STATS_SETTLE_SECONDS = 11.0
_SERVICES = ("accreditation", "booking", "access")


async def _scans(ctx) -> dict[tuple[str, str], tuple[int, int]]:
    """(service, table) -> (sequential scans so far, live rows), for every table."""
    result = {}
    for service in _SERVICES:
        conn = await asyncpg.connect(_dsn(ctx, service))
        try:
            for r in await conn.fetch(
                "SELECT relname, seq_scan, n_live_tup FROM pg_stat_user_tables"
            ):
                result[(service, r["relname"])] = (r["seq_scan"], r["n_live_tup"])
        finally:
            await conn.close()
    return result


def _full_scans(ctx, measure_route) -> tuple[Load, list[str]]:
    """Run ``measure_route``; also name the tables of more than 10,000 rows it read by
    sequential scan (from PostgreSQL's statistics: which a bulk load or a lagging
    statistics flush cannot mistake for a request's index lookups)."""
    before = asyncio.run(_scans(ctx))
    load = measure_route()
    # A busy backend reports its statistics at most once a second; one that goes idle
    # with some still pending reports them up to 10 s later (PostgreSQL's idle stats
    # interval). Wait that out, so that this round's scans are all counted here and none
    # are left to be counted in the next round (a small table read whole at 1x, reported
    # while the 10x round ran, was once named as the 10x round's full scan).
    time.sleep(_STATS_SETTLE_SECONDS)
    after = asyncio.run(_scans(ctx))
    scanned = [
        f"{table} ({rows:,} rows) x{scans - before.get((service, table), (0, 0))[0]:,}"
        for (service, table), (scans, rows) in after.items()
        if rows > _BIG_TABLE_ROWS and scans > before.get((service, table), (0, 0))[0]
    ]
    return load, scanned


def growth(ctx) -> list[Row]:
    """The booking write, availability read, register read and access decision at 1x, 10x
    and 100x the data (the quick check: 1x and 10x), short rounds each."""
    import rows as R

    import journeys as J

    # The routes need the journeys' fixtures (project, researchers, declarations).
    if "booking" not in ctx.journeys:
        J.booking_rows(ctx)
    if "access_decision" not in ctx.journeys:
        J.access_decision(ctx)
    register = f"{ctx.stack.url('accreditation')}/v1/register?limit=50&q=Bench"
    with httpx.Client(timeout=30) as client:
        if len(client.get(register).json()["items"]) < 50:
            for i in range(60):
                R._accredit(ctx, client, f"res-bench-{i:03d}", f"Bench Researcher {i:03d}")

    sizes = [int(s) for s in os.environ.get("SRS_BENCH_GROWTH_SIZES", "").split(",") if s] or (
        [1, 10] if ctx.profile is QUICK else [1, 10, 100]
    )
    quick = ctx.profile is QUICK
    profile = dataclasses.replace(
        ctx.profile, duration_s=2 if quick else 3, rounds=1 if quick else 2, warmup_s=1
    )
    booking = ctx.stack.url("booking")
    researchers = ctx.journeys["booking"]["researchers"]
    project_id = ctx.journeys["booking"]["project_id"]
    tokens = [
        R._headers(ctx, "researcher", sub=r, researcher_id=r)["Authorization"].removeprefix(
            "Bearer "
        )
        for r in researchers
    ]
    days = _booking_days(HORIZON_DAYS)
    slots = len(days) * sum(len(h) for _, _, h in PLACES)
    # The booking row writes from the first slot on; these from the middle on, or past
    # every slot it may have reached (it skips 4 x connections ahead after each round).
    offset = max(slots // 2, asyncio.run(_bookings_of(ctx, researchers)) + 2_000)
    first = dt.date.fromisoformat(days[0][0])
    availability = (
        f"{booking}/v1/availability?site_id=titchfield&from={first}"
        f"&to={first + dt.timedelta(days=6)}"
    )
    decision = ctx.journeys["access_decision"]
    decision_headers = {
        **R._headers(ctx, "support", sub="bench-gateway"),
        "Content-Type": "application/json",
    }

    def booking_write() -> Load:
        nonlocal offset
        loads = []
        for run in range(1 + profile.rounds):
            load = wrk(
                f"{booking}/v1/bookings",
                profile,
                lua=_booking_lua(days, tokens, project_id, offset, profile.threads),
                duration_s=profile.warmup_s if run == 0 else profile.duration_s,
            )
            offset += load.requests + 4 * profile.connections
            offset += (-offset) % profile.threads
            if offset >= slots:
                raise RuntimeError("ran out of distinct booking slots; add days")
            if run:
                loads.append(load)
        return Load(
            statistics.median(x.rps for x in loads),
            statistics.median(x.p50_ms for x in loads),
            statistics.median(x.p99_ms for x in loads),
        )

    routes = {
        "booking write": booking_write,
        "availability read": lambda: measure(
            availability, profile, headers={"Authorization": f"Bearer {tokens[0]}"}
        ),
        "register read": lambda: measure(register, profile),
        "access decision": lambda: measure(
            decision["url"],
            profile,
            method="POST",
            body=json.dumps(decision["body"]),
            headers=decision_headers,
        ),
    }
    results: dict[str, dict[int, Load]] = {name: {} for name in routes}
    full_scans: dict[str, dict[int, list[str]]] = {name: {} for name in routes}
    loaded = 0
    load_seconds = {}
    for size in sizes:
        started = time.monotonic()
        asyncio.run(_load(ctx, loaded, size))
        load_seconds[size] = time.monotonic() - started
        loaded = size
        print(
            f"  {size}x: {RESEARCHERS * size:,} researchers, {BOOKINGS * size:,} bookings "
            f"loaded in {load_seconds[size]:.0f} s",
            flush=True,
        )
        for name, fn in routes.items():
            results[name][size], full_scans[name][size] = _full_scans(ctx, fn)
            print(
                f"    {name}: {results[name][size].rps:,.0f} req/s; full scans: "
                f"{', '.join(full_scans[name][size]) or 'none'}",
                flush=True,
            )
    first_size, last_size = sizes[0], sizes[-1]
    rows = []
    for name, by_size in results.items():
        ratio = by_size[last_size].rps / by_size[first_size].rps
        scans = full_scans[name][last_size]
        rows.append(
            Row(
                f"growth: {name}",
                f"req/s at {', '.join(f'{s}x' for s in sizes)} the data",
                f"itself at {first_size}x",
                value="; ".join(
                    f"{s}x {load.rps:,.0f} (p99 {load.p99_ms:.0f} ms)"
                    for s, load in by_size.items()
                ),
                base_value=f"{by_size[first_size].rps:,.0f} req/s",
                ratio=f"{last_size}x/{first_size}x {100 * ratio:.0f} %",
                # Rounds of a few seconds on a shared machine vary by ~10 %: flat within
                # 20 %, and no table of more than 10,000 rows read whole.
                target=">= 80 %; no full scan",
                met=ratio >= 0.8 and not scans,
                note=f"{RESEARCHERS * last_size:,} researchers, {BOOKINGS * last_size:,} "
                f"bookings; full scans at {last_size}x: {', '.join(scans) or 'none'}",
            )
        )
    return rows
