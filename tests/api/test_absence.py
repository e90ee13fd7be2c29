"""Absence reports: every rule of api.md "Absence reports" and product.md's morning routine."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.support import factories as f
from tests.support.demo import KARI, OLA, SCHOOL, person
from tests.support.problems import assert_problem

OSLO = ZoneInfo("Europe/Oslo")
MONDAY = "2026-11-23"  # the default clock: Monday 07:00 in Oslo


def oslo(y: int, m: int, d: int, hh: int, mm: int) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=OSLO)


def url(pupil: uuid.UUID) -> str:
    return f"/api/v1/pupils/{pupil}/absence-reports"


async def report(client: Any, headers: dict[str, str], pupil: uuid.UUID = OLA, **body: Any) -> Any:
    body.setdefault("first_day", MONDAY)
    body.setdefault("reason", "sick")
    return await client.post(url(pupil), headers=headers, json=body)


async def count_reports(db: Any, pupil: uuid.UUID = OLA) -> int:
    return await db.fetchval("SELECT count(*) FROM absence_reports WHERE pupil_id = $1", pupil)


@pytest.fixture
async def hansen(tokens):
    return await tokens.headers("guardian.hansen")


@pytest.fixture
def login(tokens):
    """Fresh headers after the clock moved (tokens live 15 minutes by the service clock)."""

    async def _login(username: str = "guardian.hansen") -> dict[str, str]:
        tokens.forget()
        return await tokens.headers(username)

    return _login


# --- the answer ------------------------------------------------------------


async def test_created_report_carries_every_field(client, hansen, db):
    r = await report(client, hansen, last_day="2026-11-24", note="Feber")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["pupil_id"] == str(OLA)
    assert body["first_day"] == MONDAY and body["last_day"] == "2026-11-24"
    assert body["from_time"] is None and body["to_time"] is None
    assert body["reason"] == "sick" and body["note"] == "Feber"
    assert body["submitted_by"] == str(person("guardian.hansen"))
    assert body["submitted_at"] == "2026-11-23T07:00:00+01:00" or body["submitted_at"].startswith(
        "2026-11-23T07:00"
    )
    assert body["deadline"] == "2026-11-23T08:30:00+01:00"
    assert body["late"] is False
    assert await count_reports(db) == 1


@pytest.mark.parametrize("reason", ["sick", "doctor", "dentist", "funeral", "hospital"])
async def test_every_reason_is_accepted(client, hansen, reason):
    r = await report(client, hansen, reason=reason)
    assert r.status_code == 201, r.text
    assert r.json()["reason"] == reason


async def test_unknown_reason_is_422(client, hansen, db):
    assert_problem(await report(client, hansen, reason="holiday"), 422)
    assert await count_reports(db) == 0


async def test_last_day_defaults_to_first_day(client, hansen):
    r = await report(client, hansen, first_day="2026-11-25")
    assert r.json()["last_day"] == "2026-11-25"


async def test_last_day_before_first_day_is_422(client, hansen, db):
    r = await report(client, hansen, first_day="2026-11-25", last_day="2026-11-24")
    assert_problem(r, 422, "absence.last_before_first")
    assert await count_reports(db) == 0


# --- times ------------------------------------------------------------------


async def test_other_needs_times(client, hansen, db):
    assert_problem(await report(client, hansen, reason="other"), 422, "absence.times_required")
    r = await report(client, hansen, reason="other", from_time="10:00", to_time="12:00")
    assert r.status_code == 201, r.text
    assert (r.json()["from_time"], r.json()["to_time"]) == ("10:00", "12:00")
    assert await count_reports(db) == 1


@pytest.mark.parametrize("times", [{"from_time": "10:00"}, {"to_time": "12:00"}])
async def test_times_go_together(client, hansen, db, times):
    assert_problem(await report(client, hansen, reason="doctor", **times), 422, "absence.times_together")
    assert await count_reports(db) == 0


async def test_times_only_on_a_single_day(client, hansen, db):
    r = await report(
        client, hansen, reason="doctor", last_day="2026-11-24", from_time="10:00", to_time="12:00"
    )
    assert_problem(r, 422, "absence.times_single_day")
    assert await count_reports(db) == 0


@pytest.mark.parametrize(("start", "end"), [("12:00", "10:00"), ("10:00", "10:00")])
async def test_from_time_before_to_time(client, hansen, db, start, end):
    r = await report(client, hansen, reason="doctor", from_time=start, to_time=end)
    assert_problem(r, 422, "absence.times_order")
    assert await count_reports(db) == 0


async def test_single_day_explicit_last_day_with_times_is_fine(client, hansen):
    r = await report(client, hansen, reason="dentist", last_day=MONDAY, from_time="13:00", to_time="14:30")
    assert r.status_code == 201, r.text


# --- span and horizon -------------------------------------------------------


async def test_span_of_ten_school_days_is_allowed_eleven_is_not(client, hansen, db):
    # Mon 23 Nov .. Fri 4 Dec = 10 school days (the weekend between does not count).
    assert (await report(client, hansen, last_day="2026-12-04")).status_code == 201
    r = await report(client, hansen, first_day="2026-12-07", last_day="2026-12-21")
    assert_problem(r, 422, "absence.span_too_long")  # 7..21 Dec = 11 school days
    assert await count_reports(db) == 1


async def test_closed_days_do_not_count_towards_the_span(client, hansen, db):
    # 7..21 Dec is 11 school days; with a planning day inside it is 10.
    await db.execute(
        "INSERT INTO closed_days (school_id, day, label) VALUES ($1, $2, $3)",
        SCHOOL,
        date(2026, 12, 11),
        "Planleggingsdag",
    )
    r = await report(client, hansen, first_day="2026-12-07", last_day="2026-12-21")
    assert r.status_code == 201, r.text


async def test_closed_day_of_another_school_counts(client, hansen, db):
    other = await db.fetchval("SELECT id FROM schools WHERE name = 'Fjellheim skule'")
    await db.execute(
        "INSERT INTO closed_days (school_id, day, label) VALUES ($1, $2, $3)",
        other,
        date(2026, 12, 11),
        "Planleggingsdag",
    )
    r = await report(client, hansen, first_day="2026-12-07", last_day="2026-12-21")
    assert_problem(r, 422, "absence.span_too_long")


async def test_public_holidays_do_not_count_towards_the_span(client, hansen, clock, login):
    clock.set(oslo(2026, 12, 14, 7, 0))
    hansen = await login()
    # 14 Dec (Mon) .. 29 Dec (Tue): 12 weekdays, of which 25 Dec is a public holiday
    # (26 Dec is a Saturday) -> 11 school days: too long. Up to 28 Dec -> 10: fine.
    assert_problem(
        await report(client, hansen, first_day="2026-12-14", last_day="2026-12-29"),
        422,
        "absence.span_too_long",
    )
    r = await report(client, hansen, first_day="2026-12-14", last_day="2026-12-28")
    assert r.status_code == 201, r.text


async def test_long_calendar_span_of_few_school_days_is_allowed(client, hansen, db):
    # A span longer than 14 calendar days is fine when the school is closed in between.
    for d in range(1, 12):
        day = date(2026, 12, d)
        if day.weekday() < 5:
            await db.execute("INSERT INTO closed_days VALUES ($1, $2, 'Stengt')", SCHOOL, day)
    r = await report(client, hansen, first_day="2026-11-30", last_day="2026-12-18")
    assert r.status_code == 201, r.text


async def test_report_with_no_school_day_is_refused(client, hansen, db):
    r = await report(client, hansen, first_day="2026-11-28", last_day="2026-11-29")
    assert_problem(r, 422, "absence.no_school_day")
    assert await count_reports(db) == 0


async def test_sixty_day_horizon(client, hansen, db):
    # 23 Nov + 60 days = Friday 22 January 2027.
    assert (await report(client, hansen, first_day="2027-01-22")).status_code == 201
    assert_problem(await report(client, hansen, first_day="2027-01-25"), 422, "absence.too_far_ahead")
    assert await count_reports(db) == 1


async def test_past_day_is_refused(client, hansen, db):
    assert_problem(await report(client, hansen, first_day="2026-11-20"), 422, "absence.past_day")
    assert_problem(
        await report(client, hansen, first_day="2026-11-22", last_day="2026-11-24"), 422, "absence.past_day"
    )
    assert await count_reports(db) == 0


async def test_today_is_by_school_time_not_utc(client, hansen, clock, login):
    # 23:30 UTC on Sunday is 00:30 Monday in Oslo: Sunday is already past.
    clock.set(datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("UTC")))
    hansen = await login()
    assert (await report(client, hansen, first_day="2026-11-23")).status_code == 201
    clock.set(datetime(2026, 11, 23, 23, 30, tzinfo=ZoneInfo("UTC")))
    hansen = await login()
    # ...and 23:30 UTC on Monday is already Tuesday there.
    assert_problem(
        await report(client, hansen, first_day="2026-11-23", last_day="2026-11-24"), 422, "absence.past_day"
    )
    assert (await report(client, hansen, first_day="2026-11-24")).status_code == 201


# --- overlap ----------------------------------------------------------------


async def test_overlapping_report_is_409(client, hansen, tokens, db):
    assert (await report(client, hansen, last_day="2026-11-25")).status_code == 201
    nilsen = await tokens.headers("guardian.nilsen")
    assert_problem(
        await report(client, nilsen, first_day="2026-11-25", last_day="2026-11-26"), 409, "absence.overlap"
    )
    assert_problem(
        await report(
            client, hansen, first_day="2026-11-24", reason="doctor", from_time="09:00", to_time="10:00"
        ),
        409,
        "absence.overlap",
    )
    assert (await report(client, nilsen, first_day="2026-11-26")).status_code == 201
    assert await count_reports(db) == 2


async def test_times_on_the_same_day(client, hansen, db):
    assert (
        await report(client, hansen, reason="doctor", from_time="09:00", to_time="10:00")
    ).status_code == 201
    # touching, not overlapping
    assert (
        await report(client, hansen, reason="dentist", from_time="10:00", to_time="11:00")
    ).status_code == 201
    assert_problem(
        await report(client, hansen, reason="other", from_time="10:30", to_time="12:00"),
        409,
        "absence.overlap",
    )
    # a whole-day report overlaps any timed one
    assert_problem(await report(client, hansen), 409, "absence.overlap")
    assert await count_reports(db) == 2


async def test_other_pupils_reports_do_not_overlap(client, hansen):
    assert (await report(client, hansen, OLA)).status_code == 201
    assert (await report(client, hansen, KARI)).status_code == 201


# --- the deadline -------------------------------------------------------------


@pytest.mark.parametrize(("hh", "mm", "late"), [(8, 29, False), (8, 31, True)])
async def test_late_after_0830_school_time(client, hansen, clock, hh, mm, late, login):
    clock.set(oslo(2026, 11, 23, hh, mm))
    hansen = await login()
    r = await report(client, hansen)
    assert r.status_code == 201, r.text
    assert r.json()["late"] is late
    assert r.json()["deadline"] == "2026-11-23T08:30:00+01:00"


async def test_late_report_is_stored_as_late(client, hansen, clock, db, login):
    clock.set(oslo(2026, 11, 23, 8, 31))
    hansen = await login()
    await report(client, hansen)
    assert await db.fetchval("SELECT late FROM absence_reports") is True


async def test_report_for_a_later_day_is_not_late(client, hansen, clock, login):
    clock.set(oslo(2026, 11, 23, 15, 0))
    hansen = await login()
    r = await report(client, hansen, first_day="2026-11-24")
    assert r.json()["late"] is False
    assert r.json()["deadline"] == "2026-11-24T08:30:00+01:00"


async def test_winter_monday_deadline_is_0730_utc(client, hansen, clock, login):
    # Monday 26 October 2026, the day after summer time ended: 08:30 CET = 07:30Z.
    clock.set(datetime(2026, 10, 26, 7, 29, tzinfo=ZoneInfo("UTC")))
    hansen = await login()
    r = await report(client, hansen, first_day="2026-10-26")
    assert r.json()["deadline"] == "2026-10-26T08:30:00+01:00" and r.json()["late"] is False
    clock.set(datetime(2026, 10, 26, 7, 31, tzinfo=ZoneInfo("UTC")))
    hansen = await login()
    r = await report(client, hansen, KARI, first_day="2026-10-26")
    assert r.json()["late"] is True


async def test_dst_monday_deadline_is_0630_utc(client, db, tokens, clock):
    # Monday 30 March 2026, the day after summer time began: 08:30 CEST = 06:30Z.
    school = await f.create_school(db, "Vårskule", today=date(2026, 3, 30))
    cls = await f.create_class(db, school, "4A", 4)
    pupil = await f.create_person(db, "elev.var", "Vår Elev", date(2017, 1, 1))
    guardian = await f.create_person(db, "foresatt.var", "Vår Forelder")
    await f.enroll(db, school, pupil, cls)
    await f.relate(db, guardian, pupil)
    clock.set(datetime(2026, 3, 30, 6, 29, tzinfo=ZoneInfo("UTC")))
    h = await tokens.headers("foresatt.var")
    r = await report(
        client, h, pupil, first_day="2026-03-30", reason="doctor", from_time="08:00", to_time="09:00"
    )
    assert r.status_code == 201, r.text
    assert r.json()["deadline"] == "2026-03-30T08:30:00+02:00"
    assert r.json()["late"] is False
    clock.set(datetime(2026, 3, 30, 6, 31, tzinfo=ZoneInfo("UTC")))
    r = await report(
        client, h, pupil, first_day="2026-03-30", reason="doctor", from_time="10:00", to_time="11:00"
    )
    assert r.json()["late"] is True


async def test_school_setting_moves_the_deadline(client, hansen, clock, db, login):
    await db.execute("UPDATE schools SET report_deadline = '08:00' WHERE id = $1", SCHOOL)
    clock.set(oslo(2026, 11, 23, 8, 10))
    hansen = await login()
    r = await report(client, hansen)
    assert r.json()["deadline"] == "2026-11-23T08:00:00+01:00"
    assert r.json()["late"] is True


async def test_client_clock_is_not_trusted(client, hansen, clock, login):
    clock.set(oslo(2026, 11, 23, 9, 0))
    hansen = await login()
    r = await client.post(
        url(OLA),
        headers={**hansen, "Date": "Mon, 23 Nov 2026 06:00:00 GMT"},
        json={"first_day": MONDAY, "reason": "sick"},
    )
    assert r.json()["late"] is True
    r = await report(client, hansen, KARI, submitted_at="2026-11-23T06:00:00+01:00")
    assert_problem(r, 422)


# --- note -----------------------------------------------------------------


async def test_note_of_500_characters_is_fine_501_is_not(client, hansen, db):
    assert_problem(await report(client, hansen, note="x" * 501), 422)
    assert await count_reports(db) == 0
    assert (await report(client, hansen, note="æ" * 500)).status_code == 201


# --- idempotency --------------------------------------------------------------


async def test_retry_with_same_key_returns_the_first_answer(client, hansen, db):
    h = {**hansen, "Idempotency-Key": "retry-1"}
    first = await report(client, h)
    second = await report(client, h)
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert await count_reports(db) == 1


async def test_same_key_other_body_is_422(client, hansen, db):
    h = {**hansen, "Idempotency-Key": "retry-2"}
    assert (await report(client, h)).status_code == 201
    assert_problem(await report(client, h, first_day="2026-11-24"), 422, "idempotency.key_reused")
    assert await count_reports(db) == 1


async def test_key_longer_than_64_is_422(client, hansen, db):
    assert (await report(client, {**hansen, "Idempotency-Key": "k" * 64})).status_code == 201
    r = await report(client, {**hansen, "Idempotency-Key": "k" * 65}, first_day="2026-11-24")
    assert_problem(r, 422, "idempotency.key_too_long")
    assert await count_reports(db) == 1


async def test_empty_key_is_422(client, hansen, db):
    assert_problem(await report(client, {**hansen, "Idempotency-Key": " "}), 422, "idempotency.key_empty")
    assert await count_reports(db) == 0


async def test_same_key_on_another_pupil_is_422(client, hansen, db):
    h = {**hansen, "Idempotency-Key": "one-key"}
    assert (await report(client, h, OLA)).status_code == 201
    assert_problem(await report(client, h, KARI), 422, "idempotency.key_reused")
    assert await count_reports(db, KARI) == 0


async def test_replay_survives_the_clock_and_says_so(client, hansen, clock, login):
    h = {**hansen, "Idempotency-Key": "slow-network"}
    first = await report(client, h)
    clock.set(oslo(2026, 11, 23, 8, 45))
    h = {**await login(), "Idempotency-Key": "slow-network"}
    again = await report(client, h)
    assert again.status_code == 201
    assert again.json() == first.json() and again.json()["late"] is False
    assert again.headers.get("idempotent-replayed") == "true"


async def test_keys_are_per_user(client, hansen, tokens, db):
    nilsen = {**await tokens.headers("guardian.nilsen"), "Idempotency-Key": "shared"}
    assert (await report(client, {**hansen, "Idempotency-Key": "shared"})).status_code == 201
    # Same key, same body, another user: not a replay of Hansen's answer but a new attempt.
    assert_problem(await report(client, nilsen), 409, "absence.overlap")


async def test_refused_attempt_does_not_burn_the_key(client, hansen, clock):
    h = {**hansen, "Idempotency-Key": "after-fix"}
    assert (await report(client, hansen)).status_code == 201
    assert_problem(await report(client, h), 409, "absence.overlap")
    first = (await client.get(url(OLA), headers=hansen)).json()["items"][0]["id"]
    await client.delete(f"{url(OLA)}/{first}", headers=hansen)
    assert (await report(client, h)).status_code == 201


async def test_concurrent_duplicates_with_one_key_make_one_report(parallel, hansen, db):
    h = {**hansen, "Idempotency-Key": "double-tap"}
    answers = await asyncio.gather(*(report(parallel, h) for _ in range(4)))
    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.json()["id"] for a in answers}) == 1
    assert await count_reports(db) == 1


async def test_concurrent_overlapping_reports_one_wins(parallel, hansen, tokens, db):
    nilsen = await tokens.headers("guardian.nilsen")
    answers = await asyncio.gather(
        report(parallel, {**hansen, "Idempotency-Key": "a"}),
        report(parallel, {**nilsen, "Idempotency-Key": "b"}, last_day="2026-11-24"),
        report(parallel, {**nilsen, "Idempotency-Key": "c"}, first_day="2026-11-24"),
    )
    codes = sorted(a.status_code for a in answers)
    # 23 and 24..24 do not overlap each other but 23..24 overlaps both: one or two win
    assert codes in ([201, 201, 409], [201, 409, 409]), codes
    rows = await db.fetch("SELECT first_day, last_day FROM absence_reports ORDER BY first_day")
    for a, b in itertools.pairwise(rows):
        assert a["last_day"] < b["first_day"]  # whatever won, nothing overlaps
    assert len(rows) == codes.count(201)


# --- withdraw ---------------------------------------------------------------


async def test_withdraw_before_deadline(client, hansen, db):
    rid = (await report(client, hansen)).json()["id"]
    r = await client.delete(f"{url(OLA)}/{rid}", headers=hansen)
    assert r.status_code == 204
    assert await count_reports(db) == 0
    assert (await client.get(url(OLA), headers=hansen)).json()["items"] == []
    assert_problem(await client.delete(f"{url(OLA)}/{rid}", headers=hansen), 404)


async def test_only_the_submitter_may_withdraw(client, hansen, tokens, db):
    rid = (await report(client, hansen)).json()["id"]
    nilsen = await tokens.headers("guardian.nilsen")
    assert_problem(await client.delete(f"{url(OLA)}/{rid}", headers=nilsen), 403, "absence.not_submitter")
    teacher = await tokens.headers("teacher.3a")
    assert_problem(await client.delete(f"{url(OLA)}/{rid}", headers=teacher), 403)
    assert await count_reports(db) == 1


async def test_withdraw_after_the_deadline_is_409(client, hansen, clock, db, login):
    rid = (await report(client, hansen, last_day="2026-11-25")).json()["id"]
    clock.set(oslo(2026, 11, 23, 8, 31))
    hansen = await login()
    assert_problem(await client.delete(f"{url(OLA)}/{rid}", headers=hansen), 409, "absence.withdraw_too_late")
    assert await count_reports(db) == 1


async def test_withdraw_a_future_report_the_day_before(client, hansen, clock, db, login):
    rid = (await report(client, hansen, first_day="2026-11-24")).json()["id"]
    clock.set(oslo(2026, 11, 24, 8, 29))
    hansen = await login()
    assert (await client.delete(f"{url(OLA)}/{rid}", headers=hansen)).status_code == 204


async def test_withdraw_a_report_of_another_pupil_through_this_path_is_404(client, hansen, db):
    rid = (await report(client, hansen, KARI)).json()["id"]
    assert_problem(await client.delete(f"{url(OLA)}/{rid}", headers=hansen), 404)
    assert await count_reports(db, KARI) == 1


# --- list -------------------------------------------------------------------


async def test_list_filters_and_pages(client, hansen):
    days = ["2026-11-23", "2026-11-24", "2026-11-25", "2026-11-26", "2026-11-27", "2026-11-30"]
    for d in days:
        assert (await report(client, hansen, first_day=d)).status_code == 201
    r = await client.get(url(OLA), headers=hansen, params={"from": "2026-11-24", "to": "2026-11-27"})
    assert [i["first_day"] for i in r.json()["items"]] == days[4:0:-1]
    assert r.json()["next_cursor"] is None

    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 4}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get(url(OLA), headers=hansen, params=params)).json()
        pages += 1
        seen += [i["first_day"] for i in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 2
    assert seen == sorted(days, reverse=True)


async def test_list_shows_a_multi_day_report_overlapping_the_window(client, hansen):
    await report(client, hansen, first_day="2026-11-23", last_day="2026-11-27")
    r = await client.get(url(OLA), headers=hansen, params={"from": "2026-11-25", "to": "2026-11-25"})
    assert len(r.json()["items"]) == 1


async def test_list_limit_bounds(client, hansen):
    assert_problem(await client.get(url(OLA), headers=hansen, params={"limit": 0}), 422)
    assert_problem(await client.get(url(OLA), headers=hansen, params={"limit": 201}), 422)
    assert (await client.get(url(OLA), headers=hansen, params={"limit": 200})).status_code == 200


@pytest.mark.parametrize("cursor", ["garbage!", "WyJ4IiwieSJd", "WyIyMDI2LTExLTIzIiwieCJd"])
async def test_bad_cursor_is_422(client, hansen, cursor):
    assert_problem(await client.get(url(OLA), headers=hansen, params={"cursor": cursor}), 422)


# --- who sees the note ----------------------------------------------------------


@pytest.mark.parametrize(
    ("viewer", "pupil", "sees_note"),
    [
        ("guardian.hansen", OLA, True),  # the submitter
        ("teacher.3a", OLA, True),  # contact teacher
        ("team.3a", OLA, True),  # class team
        ("leader", OLA, True),  # school leader
        ("guardian.nilsen", OLA, False),  # the other guardian
        ("guardian.hansen", KARI, True),
        ("guardian.readonly", KARI, False),  # read-only guardian
        ("teacher.math9b", KARI, False),  # subject teacher
        ("teacher.9b", KARI, True),  # contact teacher who also teaches a subject
        ("pupil.kari", KARI, False),  # the child
    ],
)
async def test_note_visibility(client, hansen, tokens, viewer, pupil, sees_note):
    assert (await report(client, hansen, pupil, note="Magesjau")).status_code == 201
    r = await client.get(url(pupil), headers=await tokens.headers(viewer))
    assert r.status_code == 200, r.text
    item = r.json()["items"][0]
    assert item["note"] == ("Magesjau" if sees_note else None)
    assert item["reason"] == "sick"


# --- audit log --------------------------------------------------------------


async def test_staff_reads_are_audited_guardian_reads_are_not(client, hansen, tokens, db):
    await report(client, hansen)
    await client.get(url(OLA), headers=hansen)
    await client.get(url(OLA), headers=await tokens.headers("guardian.nilsen"))
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0
    await client.get(url(OLA), headers=await tokens.headers("teacher.3a"))
    await client.get(url(OLA), headers=await tokens.headers("leader"))
    rows = await db.fetch("SELECT actor_id, pupil_id, school_id, action, at FROM audit_log ORDER BY id")
    assert [r["actor_id"] for r in rows] == [person("teacher.3a"), person("leader")]
    assert {r["pupil_id"] for r in rows} == {OLA}
    assert {r["school_id"] for r in rows} == {SCHOOL}
    assert all(r["action"] == "absence_reports.read" for r in rows)


async def test_refused_staff_read_is_not_audited(client, tokens, db):
    r = await client.get(url(OLA), headers=await tokens.headers("teacher.9b"))
    assert_problem(r, 404)
    assert await db.fetchval("SELECT count(*) FROM audit_log") == 0


# --- access levels and age 18 ------------------------------------------------------


async def test_read_only_guardian_reads_but_cannot_report(client, tokens, hansen, db):
    await report(client, hansen, KARI)
    ro = await tokens.headers("guardian.readonly")
    assert len((await client.get(url(KARI), headers=ro)).json()["items"]) == 1
    assert_problem(await report(client, ro, KARI, first_day="2026-11-24"), 403, "absence.read_only")
    assert await count_reports(db, KARI) == 1


async def test_blocked_guardian_sees_nothing(client, tokens, hansen):
    await report(client, hansen)
    blocked = await tokens.headers("guardian.blocked")
    assert_problem(await client.get(url(OLA), headers=blocked), 404)
    assert_problem(await report(client, blocked, first_day="2026-11-24"), 404)


async def test_staff_cannot_report(client, tokens, db):
    for who in ("teacher.3a", "leader"):
        assert_problem(await report(client, await tokens.headers(who)), 403)
    assert await count_reports(db) == 0


async def test_young_pupil_cannot_report_own_absence(client, tokens, db):
    assert_problem(await report(client, await tokens.headers("pupil.ola")), 403)
    assert await count_reports(db) == 0


async def _upper_secondary(db: Any, birth: date, adult_consent: bool = False) -> uuid.UUID:
    school = await f.create_school(db, "Vassenden vidaregåande")
    cls = await f.create_class(db, school, "3STA", 13)
    pupil = await f.create_person(db, "elev.vgs", "Vilde Vgs", birth)
    guardian = await f.create_person(db, "foresatt.vgs", "Vidar Vgs")
    await f.enroll(db, school, pupil, cls)
    await f.relate(db, guardian, pupil, "full", adult_consent)
    return pupil


async def test_pupil_turning_18_today_takes_over(client, tokens, db):
    pupil = await _upper_secondary(db, date(2008, 11, 23))
    me = await tokens.headers("elev.vgs")
    r = await report(client, me, pupil)
    assert r.status_code == 201, r.text
    assert r.json()["submitted_by"] == str(pupil)
    assert len((await client.get(url(pupil), headers=me)).json()["items"]) == 1
    guardian = await tokens.headers("foresatt.vgs")
    assert_problem(await client.get(url(pupil), headers=guardian), 404)
    assert_problem(await report(client, guardian, pupil, first_day="2026-11-24"), 404)
    assert_problem(await client.delete(f"{url(pupil)}/{r.json()['id']}", headers=guardian), 404)


async def test_adult_consent_lets_guardians_read_only(client, tokens, db):
    pupil = await _upper_secondary(db, date(2008, 11, 23), adult_consent=True)
    await report(client, await tokens.headers("elev.vgs"), pupil)
    guardian = await tokens.headers("foresatt.vgs")
    assert len((await client.get(url(pupil), headers=guardian)).json()["items"]) == 1
    assert_problem(await report(client, guardian, pupil, first_day="2026-11-24"), 403)
    assert await count_reports(db, pupil) == 1


async def test_pupil_turning_18_tomorrow_is_still_a_child(client, tokens, db):
    pupil = await _upper_secondary(db, date(2008, 11, 24))
    assert_problem(await report(client, await tokens.headers("elev.vgs"), pupil), 403)
    guardian = await tokens.headers("foresatt.vgs")
    assert (await report(client, guardian, pupil)).status_code == 201


async def test_the_birthday_begins_at_midnight_school_time(client, tokens, db, clock, login):
    pupil = await _upper_secondary(db, date(2008, 11, 24))
    me = await tokens.headers("elev.vgs")
    clock.set(oslo(2026, 11, 23, 23, 59))
    me = await login("elev.vgs")
    assert_problem(await report(client, me, pupil, first_day="2026-11-24"), 403)
    clock.set(oslo(2026, 11, 24, 0, 1))  # still the 23rd in UTC
    me = await login("elev.vgs")
    assert (await report(client, me, pupil, first_day="2026-11-24")).status_code == 201


async def test_pages_of_reports_on_the_same_day(client, hansen):
    for start, end in (("08:00", "09:00"), ("10:00", "11:00"), ("12:00", "13:00")):
        r = await report(client, hansen, reason="doctor", from_time=start, to_time=end)
        assert r.status_code == 201
    seen: list[str] = []
    cursor = None
    for _ in range(5):
        params: dict[str, Any] = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (await client.get(url(OLA), headers=hansen, params=params)).json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == 3 == len(set(seen))


async def test_teachers_lose_the_pupil_when_the_school_year_ends(client, hansen, tokens, clock):
    await report(client, hansen)
    assert (await client.get(url(OLA), headers=await tokens.headers("teacher.3a"))).status_code == 200
    clock.set(oslo(2027, 6, 21, 9, 0))
    tokens.forget()
    assert_problem(await client.get(url(OLA), headers=await tokens.headers("teacher.3a")), 404)
    # the guardian keeps the child over the summer
    assert (await client.get(url(OLA), headers=await tokens.headers("guardian.hansen"))).status_code == 200


async def test_concurrent_same_key_different_bodies(parallel, hansen, db):
    h = {**hansen, "Idempotency-Key": "two-bodies"}
    answers = await asyncio.gather(report(parallel, h), report(parallel, h, first_day="2026-11-24"))
    assert sorted(a.status_code for a in answers) == [201, 422]
    loser = next(a for a in answers if a.status_code == 422)
    assert loser.json()["code"] == "idempotency.key_reused"
    assert await count_reports(db) == 1


async def test_summer_holiday_is_not_school_days(client, tokens, clock, db):
    # Early June: the school year ends on 20 June, so the weekdays after it are holiday.
    clock.set(oslo(2027, 6, 14, 7, 0))
    tokens.forget()
    h = await tokens.headers("guardian.hansen")
    r = await report(client, h, first_day="2027-06-22", last_day="2027-06-25")
    assert_problem(r, 422, "absence.no_school_day")
    # A span across the last day counts only the school days before the holiday.
    r = await report(client, h, first_day="2027-06-17", last_day="2027-07-09")
    assert r.status_code == 201, r.text
    assert await count_reports(db) == 1
