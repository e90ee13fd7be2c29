"""Retention: what has expired is erased in batches, what the archive needs and what a
legal hold covers stays, and two runs at once erase each row once."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from backend.db.pool import create_pool
from backend.retention.service import run_retention
from backend.retention.settings import RetentionSettings
from tests.support.demo import DEFAULT_NOW, KARI, OLA
from tests.support.problems import assert_problem
from tests.support.routine import MONDAY, oslo, run_job

pytestmark = pytest.mark.fresh_tokens

SETTINGS = RetentionSettings()
CONTACT = {"kind": "contact_teacher"}


@pytest.fixture
async def pool(db_dsn):
    p = await create_pool(db_dsn, min_size=1, max_size=4)
    yield p
    await p.close()


async def thread(client: Any, tokens: Any, pupil: Any, subject: str = "Spørsmål") -> str:
    r = await client.post(
        "/api/v1/threads",
        headers=await tokens.headers("guardian.hansen"),
        json={"pupil_id": str(pupil), "recipients": [CONTACT], "subject": subject, "body": "Hei!"},
    )
    assert r.status_code == 201, r.text
    return r.json()["id"]  # type: ignore[no-any-return]


async def threads(db: Any) -> set[str]:
    return {str(r["id"]) for r in await db.fetch("SELECT id FROM message_threads")}


async def test_a_message_older_than_its_retention_goes_and_one_just_younger_stays(
    client, tokens, clock, db, pool
):
    old = await thread(client, tokens, OLA, "Gammel")
    clock.set(DEFAULT_NOW + timedelta(days=1))
    young = await thread(client, tokens, OLA, "Ny")
    # A year after the first, plus an hour: the first thread is past 365 days, the second is not.
    at = DEFAULT_NOW + timedelta(days=SETTINGS.messages_days, hours=1)
    report = await run_retention(pool, at, SETTINGS, started_by="test")
    assert not report.skipped
    assert report.erased["messages"] >= 1
    left = await threads(db)
    assert old not in left and young in left
    assert await db.fetchval("SELECT count(*) FROM messages WHERE thread_id = $1", old) == 0
    assert await db.fetchval("SELECT count(*) FROM messages WHERE thread_id = $1", young) == 1
    # The run's one audit entry, with what it erased.
    run = await db.fetchrow("SELECT * FROM retention_runs WHERE id = $1", report.run_id)
    assert run["outcome"] == "done" and run["finished_at"] is not None
    assert run["started_by"] == "test"
    assert '"messages"' in run["erased"]


async def test_dry_run_counts_and_erases_nothing(client, tokens, db, pool):
    await thread(client, tokens, OLA)
    at = DEFAULT_NOW + timedelta(days=4000)
    before = await db.fetchval("SELECT count(*) FROM notifications")
    report = await run_retention(pool, at, SETTINGS, dry_run=True)
    assert report.dry_run and report.erased["messages"] >= 1 and report.erased["inbox"] == before
    assert await db.fetchval("SELECT count(*) FROM notifications") == before
    assert await db.fetchval("SELECT count(*) FROM message_threads") >= 1
    assert any("would erase" in line for line in report.lines())


async def test_legal_hold_keeps_everything_about_the_pupil_until_lifted(client, tokens, db, pool):
    ola = await thread(client, tokens, OLA)
    kari = await thread(client, tokens, KARI)
    await client.get(f"/api/v1/pupils/{OLA}/absence-reports", headers=await tokens.headers("leader"))
    r = await client.post(
        f"/api/v1/pupils/{OLA}/legal-hold",
        headers=await tokens.headers("leader"),
        json={"reason": "Klagesak 2026/14"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["reason"] == "Klagesak 2026/14"
    assert (
        await db.fetchval(
            "SELECT count(*) FROM audit_log WHERE pupil_id = $1 AND action = 'legal_hold.placed'", OLA
        )
        == 1
    )
    ola_rows = await db.fetchval("SELECT count(*) FROM audit_log WHERE pupil_id = $1", OLA)
    ola_inbox = await db.fetchval(
        "SELECT count(*) FROM notifications WHERE data ->> 'pupil_id' = $1", str(OLA)
    )
    assert ola_inbox >= 1

    far = DEFAULT_NOW + timedelta(days=20 * 365)
    await run_retention(pool, far, SETTINGS)
    left = await threads(db)
    assert ola in left and kari not in left
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE pupil_id = $1", OLA) == ola_rows
    assert (
        await db.fetchval("SELECT count(*) FROM notifications WHERE data ->> 'pupil_id' = $1", str(OLA))
        == ola_inbox
    )
    assert (
        await db.fetchval("SELECT count(*) FROM notifications WHERE data ->> 'pupil_id' = $1", str(KARI)) == 0
    )

    r = await client.delete(f"/api/v1/pupils/{OLA}/legal-hold", headers=await tokens.headers("leader"))
    assert r.status_code == 204
    assert await db.fetchval("SELECT count(*) FROM legal_holds") == 0
    await run_retention(pool, far, SETTINGS)
    assert ola not in await threads(db)
    # the lifting's audit entry is itself old news by then; nothing of Ola is left in the log
    assert await db.fetchval("SELECT count(*) FROM audit_log WHERE pupil_id = $1", OLA) == 0


async def test_absence_marks_enrollments_and_assessments_survive_any_run(client, tokens, db, pool):
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        headers=await tokens.headers("guardian.hansen"),
        json={"first_day": "2026-11-23", "reason": "sick", "note": "Feber"},
    )
    assert r.status_code == 201, r.text
    tables = ["absence_reports", "attendance_marks", "assessments", "class_enrollments", "subject_absences"]
    before = {t: await db.fetchval(f"SELECT count(*) FROM {t}") for t in tables}
    assert before["absence_reports"] >= 1
    await run_retention(pool, DEFAULT_NOW + timedelta(days=50 * 365), replace(SETTINGS, batch_size=100))
    assert {t: await db.fetchval(f"SELECT count(*) FROM {t}") for t in tables} == before


async def test_two_runs_at_once_erase_each_row_once(db, db_dsn):
    # 3,000 old inbox items for one guardian, 30 batches of 100.
    await db.execute(
        "INSERT INTO notifications (id, person_id, kind, title, body, created_at)"
        " SELECT gen_random_uuid(), p.id, 'message', 't', 'b', $1::timestamptz - interval '400 days'"
        " FROM people p, generate_series(1, 3000) WHERE p.username = 'guardian.hansen'",
        DEFAULT_NOW,
    )
    expected = await db.fetchval(
        "SELECT count(*) FROM notifications WHERE created_at < $1", DEFAULT_NOW - timedelta(days=180)
    )
    settings = replace(SETTINGS, batch_size=100)
    pools = [await create_pool(db_dsn, min_size=1, max_size=2) for _ in range(2)]
    try:
        reports = await asyncio.gather(
            *(run_retention(p, DEFAULT_NOW, settings, pause_seconds=0.01) for p in pools)
        )
    finally:
        for p in pools:
            await p.close()
    assert sorted(r.skipped for r in reports) == [False, True]
    assert sum(r.erased.get("inbox", 0) for r in reports) == expected
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notifications WHERE created_at < $1", DEFAULT_NOW - timedelta(days=180)
        )
        == 0
    )
    assert await db.fetchval("SELECT count(*) FROM retention_runs WHERE NOT dry_run") == 1
    # the lock is released: the next run works
    async_pool = await create_pool(db_dsn, min_size=1, max_size=1)
    try:
        again = await run_retention(async_pool, DEFAULT_NOW, settings)
    finally:
        await async_pool.close()
    assert not again.skipped and again.erased["inbox"] == 0


async def test_the_nightly_job_runs_once_a_night_from_the_dev_route(client, tokens, clock, db):
    clock.set(oslo(MONDAY, 9, 0))  # daytime: not due
    assert await run_job(client, tokens, "retention") == {"due": 0}
    clock.set(oslo(MONDAY + timedelta(days=1), 2, 30))
    effects = await run_job(client, tokens, "retention")
    assert effects["run_id"] and not effects["skipped"] and "inbox" in effects
    assert await run_job(client, tokens, "retention") == {"due": 0}  # once a night
    assert await db.fetchval("SELECT count(*) FROM retention_runs") == 1


async def test_cli_prints_per_category(db_dsn, db, settings):
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
        "retention",
        "run",
        "--dry-run",
        "--at",
        "2030-01-01T03:00:00+01:00",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    text = out.decode()
    for category in (
        "messages",
        "inbox",
        "deliveries",
        "contacts",
        "call_list_reads",
        "devices",
        "audit",
        "sessions",
        "idempotency_keys",
        "job_claims",
    ):
        assert category in text
    assert "dry run: nothing was erased" in text
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "backend.app.cli",
        "retention",
        "run",
        "--at",
        "yesterday",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, err = await proc.communicate()
    assert proc.returncode == 2 and b"RFC 3339" in err


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": "ok", "extra": 1}, "extra"),
    ],
)
async def test_legal_hold_bad_input(client, tokens, db, body, field):
    r = await client.post(
        f"/api/v1/pupils/{OLA}/legal-hold", headers=await tokens.headers("leader"), json=body
    )
    problem = assert_problem(r, 422)
    assert any(e["field"] == field for e in problem.get("errors", [])), problem
    assert await db.fetchval("SELECT count(*) FROM legal_holds") == 0


def test_settings_are_checked():
    from backend.lib.config import SettingsError, read_group

    with pytest.raises(SettingsError):
        read_group(RetentionSettings, {"SKOLEBRO_RETAIN_INBOX_DAYS": "0"}).check()
    with pytest.raises(SettingsError):
        read_group(RetentionSettings, {"SKOLEBRO_RETAIN_INBOX_DAYS": "many"})
    assert read_group(RetentionSettings, {"SKOLEBRO_RETAIN_INBOX_DAYS": "90"}).inbox_days == 90


async def test_a_sent_warning_mail_goes_and_the_warning_itself_stays(db, pool):
    year = await db.fetchval(
        "SELECT c.school_year_id FROM class_enrollments ce JOIN classes c ON c.id = ce.class_id"
        " WHERE ce.pupil_id = $1",
        KARI,
    )
    school = await db.fetchval("SELECT school_id FROM school_years WHERE id = $1", year)
    warning = await db.fetchval(
        "INSERT INTO absence_warnings (pupil_id, school_year_id, subject, school_id, percent, warned_at,"
        " created_at, sent_at, status) VALUES ($1, $2, 'Matematikk', $3, 8.5, $4, $4, $4, 'sent')"
        " RETURNING id",
        KARI,
        year,
        school,
        DEFAULT_NOW,
    )
    for status in ("sent", "queued"):
        await db.execute(
            "INSERT INTO absence_warning_mails (warning_id, person_id, address, locale, status, queued_at)"
            " VALUES ($1, $2, 'hansen@example.no', 'nb', $3, $4)",
            warning,
            KARI,
            status,
            DEFAULT_NOW,
        )
    report = await run_retention(
        pool, DEFAULT_NOW + timedelta(days=SETTINGS.contacts_days, hours=1), SETTINGS
    )
    assert report.erased["contacts"] >= 1
    # A mail still waiting to go is not erased; the warning is the school's record.
    assert await db.fetchval("SELECT array_agg(status) FROM absence_warning_mails") == ["queued"]
    assert await db.fetchval("SELECT count(*) FROM absence_warnings WHERE id = $1", warning) == 1
