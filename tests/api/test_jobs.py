"""Scheduled jobs: 09:00 reminders, still sick?, note retention, exactly once, scheduler."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import asyncpg
import pytest

from backend.db.pool import create_pool
from backend.jobs.registry import run_job as run_job_directly
from backend.jobs.routine import absence_check_reminders
from tests.support.demo import CLASS_3A, OLA, SCHOOL, person
from tests.support.routine import MONDAY, inbox, kinds_by_user, oslo, roll_call, run_job

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

DEMO_CLASSES = 20  # Vassenden 1A–10B
VG_CLASSES = 1  # the demo's Sunnfjord vidaregåande skule: VG1A
ALL_CLASSES = DEMO_CLASSES + VG_CLASSES + 1  # and Fjellheim's 5A


# Vassenden's classes have a contact teacher and a team member; VG1A and Fjellheim's
# 5A a contact teacher.
ALL_REMINDERS = 2 * DEMO_CLASSES + VG_CLASSES + 1


async def team_sizes(db: asyncpg.Connection) -> dict[str, int]:
    """What exactly one reminder per class means: one per member of each class team."""
    rows = await db.fetch(
        "SELECT class_id::text, count(DISTINCT person_id) AS n FROM staff_assignments"
        " WHERE role IN ('contact_teacher', 'class_team') GROUP BY class_id"
    )
    return {r["class_id"]: r["n"] for r in rows}


async def reminders(db: asyncpg.Connection) -> int:
    return await db.fetchval("SELECT count(*) FROM notifications WHERE kind = 'absence_check_reminder'")


async def reminded_classes(db: asyncpg.Connection) -> dict[str, int]:
    """How many reminders each class's team got, by class id."""
    rows = await db.fetch(
        "SELECT data->>'class_id' AS class_id, count(*) AS n FROM notifications"
        " WHERE kind = 'absence_check_reminder' GROUP BY 1"
    )
    return {r["class_id"]: r["n"] for r in rows}


async def test_reminder_at_nine_to_the_class_team_with_counts(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 7, 50))
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=await tokens.headers("guardian.hansen"),
        json={"first_day": "2026-11-23", "reason": "sick"},
    )
    assert r.status_code == 201
    clock.set(oslo(MONDAY, 8, 59))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_reminded"] == 0
    clock.set(oslo(MONDAY, 9, 0))
    effects = await run_job(client, tokens, "absence-check-reminders")
    assert effects["classes_reminded"] == ALL_CLASSES
    # One reminder for each person of the 3A team, with the board's counts.
    for who in ("teacher.3a", "team.3a"):
        got = await inbox(db, who, "absence_check_reminder")
        assert len(got) == 1
        assert got[0]["data"] == {"class_id": str(CLASS_3A), "date": "2026-11-23"}
        assert got[0]["body"] == ("Fraværet i 3A er ikke sjekket. 1 meldt fravær, 19 ikke gjort rede for.")
        assert got[0]["urgent"] is False
    # Guardians and leaders get no reminder.
    assert await inbox(db, "guardian.hansen", "absence_check_reminder") == []
    assert await inbox(db, "leader", "absence_check_reminder") == []
    # Running again, any number of times, sends nothing more.
    clock.set(oslo(MONDAY, 9, 1))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_reminded"] == 0
    assert await reminders(db) == ALL_REMINDERS


async def test_completed_check_gets_no_reminder_and_counts_follow_roll_call(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 40))
    h = await tokens.headers("teacher.3a")
    await roll_call(client, h, db, CLASS_3A, MONDAY, {OLA})
    r = await client.post(f"/api/v1/classes/{CLASS_3A}/attendance/2026-11-23/complete", headers=h)
    assert r.status_code == 200
    nine_b = await db.fetchval("SELECT id FROM classes WHERE name = '9B'")
    await roll_call(
        client, await tokens.headers("teacher.9b"), db, nine_b, MONDAY, set(await _first(db, nine_b, 2))
    )
    clock.set(oslo(MONDAY, 9, 0))
    await run_job(client, tokens, "absence-check-reminders")
    assert await inbox(db, "teacher.3a", "absence_check_reminder") == []
    [nb] = await inbox(db, "teacher.9b", "absence_check_reminder")
    assert nb["body"].endswith("0 meldt fravær, 2 ikke gjort rede for.")


async def _first(db, class_id, n):
    return [
        r["pupil_id"]
        for r in await db.fetch(
            "SELECT pupil_id FROM class_enrollments WHERE class_id = $1 ORDER BY pupil_id LIMIT $2",
            class_id,
            n,
        )
    ]


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 11, 28),  # Saturday
        date(2026, 11, 29),  # Sunday
        date(2027, 5, 17),  # Constitution Day, a Monday
        date(2026, 12, 25),  # Christmas Day, a Friday
        date(2027, 6, 21),  # a Monday after the school year ended
    ],
)
async def test_no_reminders_when_there_is_no_school(client, tokens, db, clock, day):
    clock.set(oslo(day, 9, 0))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_due"] == 0
    assert await reminders(db) == 0


async def test_no_reminders_on_the_schools_closed_day(client, tokens, db, clock):
    tuesday = MONDAY + timedelta(days=1)
    r = await client.post(
        f"/api/v1/schools/{SCHOOL}/closed-days",
        headers=await tokens.headers("leader"),
        json={"date": tuesday.isoformat(), "label": "Planleggingsdag"},
    )
    assert r.status_code == 201
    clock.set(oslo(tuesday, 9, 0))
    await run_job(client, tokens, "absence-check-reminders")
    # Only Fjellheim and the upper-secondary school, which have no closed day, are reminded.
    assert await reminders(db) == 1 + VG_CLASSES
    assert await inbox(db, "teacher.3a") == []


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 10, 19), 7),  # summer time: 09:00 in Oslo is 07:00Z
        (date(2026, 10, 26), 8),  # the Monday after summer time ended: 08:00Z
        (date(2027, 3, 23), 8),  # winter time
        (date(2027, 3, 30), 7),  # the Tuesday after summer time began (Monday is Easter Monday)
    ],
)
async def test_reminder_follows_oslo_wall_clock_across_dst(client, tokens, db, clock, day, utc_hour):
    clock.set(datetime(day.year, day.month, day.day, utc_hour - 1, 59, tzinfo=UTC))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_reminded"] == 0
    clock.set(datetime(day.year, day.month, day.day, utc_hour, 0, tzinfo=UTC))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_reminded"] == ALL_CLASSES


async def test_changed_reminder_time_takes_effect_the_same_day(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 8, 50))
    r = await client.put(
        f"/api/v1/schools/{SCHOOL}/settings",
        headers=await tokens.headers("leader"),
        json={"check_reminder_at": "09:30"},
    )
    assert r.status_code == 200
    clock.set(oslo(MONDAY, 9, 0))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_reminded"] == 1 + VG_CLASSES
    assert await inbox(db, "teacher.3a", "absence_check_reminder") == []
    clock.set(oslo(MONDAY, 9, 30))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_reminded"] == DEMO_CLASSES
    assert len(await inbox(db, "teacher.3a", "absence_check_reminder")) == 1


async def test_catch_up_after_a_missed_nine_oclock_until_noon(client, tokens, db, clock):
    clock.set(oslo(MONDAY, 11, 59))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_reminded"] == ALL_CLASSES
    tuesday = MONDAY + timedelta(days=1)
    clock.set(oslo(tuesday, 12, 0))
    assert (await run_job(client, tokens, "absence-check-reminders"))["classes_due"] == 0


@pytest.fixture
async def pool(db_dsn):
    """A pool on the test's loop (the app's own pool lives on the test client's loop)."""
    p = await create_pool(db_dsn, min_size=1, max_size=6)
    yield p
    await p.close()


async def test_two_schedulers_at_once_remind_each_class_once(db_dsn, db):
    now = oslo(MONDAY, 9, 0)
    pools = [await create_pool(db_dsn, min_size=1, max_size=4) for _ in range(2)]
    try:
        results = await asyncio.gather(*(absence_check_reminders(p, now, batch_size=3) for p in pools))
        assert sum(r["classes_reminded"] for r in results) == ALL_CLASSES
        again = await asyncio.gather(*(absence_check_reminders(p, now) for p in pools))
        assert sum(r["classes_reminded"] for r in again) == 0
    finally:
        for p in pools:
            await p.close()
    assert await reminded_classes(db) == await team_sizes(db)


async def test_interrupted_run_rerun_does_not_double_notify(pool, db):
    # A real database failure part-way: inserting 7A's reminder fails.
    seven_a = await db.fetchval("SELECT id FROM classes WHERE name = '7A'")
    await db.execute(f"""
        CREATE FUNCTION fail_7a() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.data->>'class_id' = '{seven_a}' THEN
                RAISE EXCEPTION 'disk full';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER fail_7a BEFORE INSERT ON notifications
            FOR EACH ROW EXECUTE FUNCTION fail_7a();
    """)
    now = oslo(MONDAY, 9, 0)
    with pytest.raises(asyncpg.RaiseError):
        await absence_check_reminders(pool, now, batch_size=4)
    done_first = await reminded_classes(db)
    assert 0 < len(done_first) < ALL_CLASSES
    assert str(seven_a) not in done_first
    await db.execute("DROP TRIGGER fail_7a ON notifications")
    effects = await absence_check_reminders(pool, now + timedelta(minutes=1), batch_size=4)
    assert effects["classes_reminded"] == ALL_CLASSES - len(done_first)
    assert await reminded_classes(db) == await team_sizes(db)


async def test_cancelled_run_rerun_does_not_double_notify(pool, db):
    now = oslo(MONDAY, 9, 0)
    task = asyncio.create_task(absence_check_reminders(pool, now, batch_size=1))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    await asyncio.sleep(0.1)  # let the pool reset the interrupted connections
    await absence_check_reminders(pool, now + timedelta(minutes=1))
    assert await reminded_classes(db) == await team_sizes(db)


async def _report(db, pupil, first, last, reason="sick", note=None, **kw):
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason, note,"
        " submitted_at, submitted_by, deadline, late)"
        " SELECT gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $7, false",
        SCHOOL,
        pupil,
        first,
        last,
        reason,
        note,
        oslo(first, 7, 0),
        person("guardian.hansen"),
    )


async def test_still_sick_asks_guardians_the_next_school_day(client, tokens, db, clock):
    friday = MONDAY - timedelta(days=3)
    await _report(db, OLA, friday - timedelta(days=1), friday)
    clock.set(oslo(MONDAY, 7, 29))
    assert (await run_job(client, tokens, "still-sick"))["pupils"] == 0
    clock.set(oslo(MONDAY, 7, 30))
    assert (await run_job(client, tokens, "still-sick"))["pupils"] == 1
    assert await kinds_by_user(db, "still_sick") == {"guardian.hansen": 1, "guardian.nilsen": 1}
    [asked] = await inbox(db, "guardian.nilsen", "still_sick")
    assert asked["title"] == "Er Ola Hansen fortsatt syk?"
    assert asked["data"]["pupil_id"] == str(OLA)
    clock.set(oslo(MONDAY, 7, 45))
    assert (await run_job(client, tokens, "still-sick"))["pupils"] == 0
    assert await kinds_by_user(db, "still_sick") == {"guardian.hansen": 1, "guardian.nilsen": 1}


async def test_still_sick_not_when_today_is_reported_or_after_the_deadline(client, tokens, db, clock):
    friday = MONDAY - timedelta(days=3)
    await _report(db, OLA, friday, friday)
    await _report(db, OLA, MONDAY, MONDAY)
    nine_b = await db.fetchval("SELECT id FROM classes WHERE name = '9B'")
    kari = person("pupil.kari")
    await _report(db, kari, friday, friday, reason="dentist")  # not a sickness
    clock.set(oslo(MONDAY, 7, 30))
    assert (await run_job(client, tokens, "still-sick"))["pupils"] == 0
    assert nine_b is not None


async def test_still_sick_skips_holidays_to_find_the_previous_school_day(client, tokens, db, clock):
    # Tuesday 18 May 2027: the day before was Constitution Day, the school day before
    # that Friday 14 May.
    await _report(db, OLA, date(2027, 5, 14), date(2027, 5, 14))
    clock.set(oslo(date(2027, 5, 17), 7, 30))  # a holiday: nobody is asked
    assert (await run_job(client, tokens, "still-sick"))["pupils"] == 0
    clock.set(oslo(date(2027, 5, 18), 7, 30))
    assert (await run_job(client, tokens, "still-sick"))["pupils"] == 1


async def test_note_retention_erases_old_notes_keeps_the_report(client, tokens, db, clock):
    await _report(db, OLA, date(2026, 10, 20), date(2026, 10, 20), note="Mageknip")
    await _report(db, OLA, date(2026, 11, 10), date(2026, 11, 10), note="Feber")
    clock.set(oslo(MONDAY, 0, 5))
    effects = await run_job(client, tokens, "note-retention")
    assert effects["notes_erased"] == 1
    rows = await db.fetch(
        "SELECT first_day, reason, note, note_erased_at FROM absence_reports ORDER BY first_day"
    )
    assert [(r["first_day"], r["reason"], r["note"]) for r in rows] == [
        (date(2026, 10, 20), "sick", None),
        (date(2026, 11, 10), "sick", "Feber"),
    ]
    assert rows[0]["note_erased_at"] is not None
    # Once a day per school.
    assert (await run_job(client, tokens, "note-retention"))["schools"] == 0


async def test_note_retention_follows_the_school_setting(client, tokens, db, clock):
    await db.execute("UPDATE schools SET note_retention_days = 10 WHERE id = $1", SCHOOL)
    await _report(db, OLA, date(2026, 11, 10), date(2026, 11, 10), note="Feber")
    clock.set(oslo(MONDAY, 0, 5))
    assert (await run_job(client, tokens, "note-retention"))["notes_erased"] == 1


async def test_dev_endpoint_answers_job_ran_at_effects(client, tokens, clock):
    clock.set(oslo(MONDAY, 9, 0))
    r = await client.post(
        "/api/v1/dev/jobs/absence-check-reminders/run", headers=await tokens.headers("teacher.3a")
    )
    assert r.status_code == 200
    body = r.json()
    assert body["job"] == "absence-check-reminders"
    assert body["ran_at"].startswith("2026-11-23T08:00")
    assert body["effects"]["classes_reminded"] == ALL_CLASSES
    r = await client.post("/api/v1/dev/jobs/make-coffee/run", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 404
    assert r.json()["code"] == "jobs.unknown"
    r = await client.post("/api/v1/dev/jobs/missing-pupil-sweep/run")
    assert r.status_code == 401


async def test_cli_runs_a_job_as_if_at_the_given_instant(db_dsn, db, settings):
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_DATA_DIR": str(settings.data_dir),
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.app.cli",
        "jobs",
        "run",
        "absence-check-reminders",
        "--at",
        "2026-11-23T09:00:00+01:00",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    result = json.loads(out.decode().strip().splitlines()[-1])
    assert result["job"] == "absence-check-reminders"
    assert result["effects"]["classes_reminded"] == ALL_CLASSES
    assert await reminders(db) == ALL_REMINDERS
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.app.cli",
        "jobs",
        "run",
        "nope",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "absence-check-reminders" in err.decode()


async def test_scheduler_catches_up_on_start(runtime, pool, db, clock):
    from dataclasses import replace

    from backend.app.background import run_scheduler

    clock.set(oslo(MONDAY, 10, 15))  # started after a restart that missed 09:00
    task = asyncio.create_task(run_scheduler(replace(runtime, pool=pool)))
    for _ in range(100):
        if await reminders(db) == ALL_REMINDERS:
            break
        await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert await reminders(db) == ALL_REMINDERS


async def test_jobs_callable_with_pool_and_instant(pool):
    effects = await run_job_directly(pool, "missing-pupil-sweep", oslo(MONDAY, 9, 0))
    assert {k: effects[k] for k in ("sought", "closed_before_seeking", "escalated", "notifications")} == {
        "sought": 0,
        "closed_before_seeking": 0,
        "escalated": 0,
        "notifications": 0,
    }


async def test_scheduled_jobs_are_not_held_to_the_request_timeouts(runtime, pool):
    """The request pool kills statements after a few seconds (a hung database must be a
    quick 503); a job's statement over a whole municipality may take longer."""
    from dataclasses import replace

    from backend.app.lifecycle import request_timeouts
    from backend.db.pool import close_pool
    from backend.jobs.scheduler import SchedulerContext, open_jobs_pool

    rt = replace(runtime, pool=pool)
    requests = await create_pool(runtime.dsn, min_size=1, max_size=1, timeouts=request_timeouts(rt))
    jobs = await open_jobs_pool(SchedulerContext(pool, rt.dsn, rt.settings.database, rt.clock.now))
    try:
        assert jobs is not pool
        async with requests.acquire() as conn:
            assert await conn.fetchval("SHOW statement_timeout") == "3s"
        async with jobs.acquire() as conn:
            assert await conn.fetchval("SHOW statement_timeout") == "0"
    finally:
        await close_pool(requests)
        await close_pool(jobs)
