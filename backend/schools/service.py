"""School settings and closed days: leaders write, staff of the school read closed days."""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import available_timezones

import asyncpg
import msgspec

from backend.access.policy import school_leader_access, school_staff_access
from backend.db.transactions import atomic
from backend.lib.cursors import decode_cursor, encode_cursor
from backend.problems.codes import Code
from backend.problems.errors import Conflict, Invalid, NotFound
from backend.schools import queries as q
from backend.schools.calendar import is_public_holiday
from backend.schools.follow_up_rules import check_rules, school_rules
from backend.schools.ical import CalendarDays, CalendarError, read_calendar
from backend.schools.localtime import format_hhmm, parse_hhmm
from schemas.problem import FieldError
from schemas.schools import (
    CalendarPreview,
    CalendarPreviewDay,
    ClosedDay,
    ClosedDayCreate,
    ClosedDayPage,
    SchoolSettings,
    SchoolSettingsUpdate,
    SeekPolicy,
)

log = logging.getLogger("skolebro.schools")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


async def _settings_row(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> asyncpg.Record:
    """The school's settings row, for a leader of it (this year's or the next's)."""
    await school_leader_access(conn, viewer, school_id, now, planning=True)
    row: asyncpg.Record = await conn.fetchrow(q.SETTINGS, school_id)
    return row


def _settings_of(row: Any) -> SchoolSettings:
    policy = row["seek_policy"]
    return SchoolSettings(
        timezone=row["timezone"],
        report_deadline=format_hhmm(row["report_deadline"]) or "",
        check_reminder_at=format_hhmm(row["check_reminder_at"]) or "",
        first_lesson_start=format_hhmm(row["first_lesson_start"]) or "",
        first_lesson_end=format_hhmm(row["first_lesson_end"]) or "",
        first_recess_start=format_hhmm(row["first_recess_start"]) or "",
        seek_policy=msgspec.convert(policy, SeekPolicy),
        escalate_after_minutes=row["escalate_after_minutes"],
        leave_teacher_max_days=row["leave_teacher_max_days"],
        still_sick_at=format_hhmm(row["still_sick_at"]) or "",
        note_retention_days=row["note_retention_days"],
        office_phone=row["office_phone"],
        sms_after_minutes=row["sms_after_minutes"],
        call_after_minutes=row["call_after_minutes"],
        roster_sync_at=format_hhmm(row["roster_sync_at"]) or "05:00",
        feide_realm=row["feide_realm"],
        absence_limit_percent=row["absence_limit_percent"],
        absence_warning_percent=row["absence_warning_percent"],
        absence_warnings_automatic=row["absence_warnings_automatic"],
        absence_annual_hours=dict(row["absence_annual_hours"] or {}),
        follow_up=school_rules(row["follow_up"]),
    )


async def get_settings(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, now: datetime
) -> SchoolSettings:
    return _settings_of(await _settings_row(conn, viewer, school_id, now))


def _validated(current: SchoolSettings, data: SchoolSettingsUpdate) -> SchoolSettings:
    changed = {f: v for f in data.__struct_fields__ if (v := getattr(data, f)) is not None}
    if data.follow_up is not None:
        rules = data.follow_up
        changed["follow_up"] = msgspec.structs.replace(
            current.follow_up,
            **{f: v for f in rules.__struct_fields__ if (v := getattr(rules, f)) is not None},
        )
    merged = msgspec.structs.replace(current, **changed)
    check_rules(merged.follow_up)
    if merged.feide_realm == "":
        merged = msgspec.structs.replace(merged, feide_realm=None)
    if merged.timezone not in _zones():
        raise Invalid(
            Code.SETTINGS_UNKNOWN_TIMEZONE,
            errors=[FieldError(field="timezone", message="not an IANA time zone")],
        )
    start, end = parse_hhmm(merged.first_lesson_start), parse_hhmm(merged.first_lesson_end)
    recess = parse_hhmm(merged.first_recess_start)
    errors = []
    if not start < end:
        errors.append(FieldError(field="first_lesson_end", message="must be after first_lesson_start"))
    # The first recess may begin the moment the first lesson ends.
    if not end <= recess:
        errors.append(FieldError(field="first_recess_start", message="must not be before first_lesson_end"))
    # "Still sick?" runs from still_sick_at until the report deadline, and a missed
    # reminder is caught up within three hours the same day: settings that would
    # leave either window empty would silently switch the push off.
    if not parse_hhmm(merged.still_sick_at) < parse_hhmm(merged.report_deadline):
        errors.append(FieldError(field="still_sick_at", message="must be before report_deadline"))
    if parse_hhmm(merged.check_reminder_at) > time(21, 0):
        errors.append(FieldError(field="check_reminder_at", message="must be 21:00 or earlier"))
    if errors:
        raise Invalid(Code.SETTINGS_TIMES_OUT_OF_ORDER, errors=errors)
    if merged.call_after_minutes < merged.sms_after_minutes:
        raise Invalid(
            Code.SETTINGS_LADDER_OUT_OF_ORDER,
            errors=[FieldError(field="call_after_minutes", message="must not be before sms_after_minutes")],
        )
    # The written warning must come before the limit is reached, or it warns of nothing.
    if merged.absence_warning_percent >= merged.absence_limit_percent:
        raise Invalid(
            Code.SETTINGS_ABSENCE_LEVELS,
            errors=[
                FieldError(
                    field="absence_warning_percent", message="must be lower than absence_limit_percent"
                )
            ],
        )
    return merged


async def put_settings(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    school_id: uuid.UUID,
    data: SchoolSettingsUpdate,
    now: datetime,
) -> SchoolSettings:
    async with conn.transaction():
        merged = _validated(_settings_of(await _settings_row(conn, viewer, school_id, now)), data)
        await conn.execute(
            q.UPDATE_SETTINGS,
            school_id,
            merged.timezone,
            parse_hhmm(merged.report_deadline),
            parse_hhmm(merged.check_reminder_at),
            parse_hhmm(merged.first_lesson_start),
            parse_hhmm(merged.first_lesson_end),
            parse_hhmm(merged.first_recess_start),
            msgspec.to_builtins(merged.seek_policy),
            merged.escalate_after_minutes,
            merged.leave_teacher_max_days,
            parse_hhmm(merged.still_sick_at),
            merged.note_retention_days,
            parse_hhmm(merged.roster_sync_at),
            merged.feide_realm,
        )
        await conn.execute(
            q.UPDATE_REACH_SETTINGS,
            school_id,
            merged.office_phone,
            merged.sms_after_minutes,
            merged.call_after_minutes,
        )
        await conn.execute(
            q.UPDATE_ABSENCE_SETTINGS,
            school_id,
            merged.absence_limit_percent,
            merged.absence_warning_percent,
            merged.absence_warnings_automatic,
            merged.absence_annual_hours,
        )
        await conn.execute(q.UPDATE_FOLLOW_UP_SETTINGS, school_id, msgspec.to_builtins(merged.follow_up))
    log.info(
        "settings of school %s changed by %s: %s",
        school_id,
        viewer,
        ", ".join(f for f in data.__struct_fields__ if getattr(data, f) is not None),
    )
    return merged


async def list_closed_days(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    school_id: uuid.UUID,
    first: date | None,
    last: date | None,
    cursor: str | None,
    limit: int,
    now: datetime,
) -> ClosedDayPage:
    await school_staff_access(conn, viewer, school_id, now)
    after = decode_cursor(cursor, 1)
    try:
        after_day = date.fromisoformat(after[0]) if after else None
    except ValueError as exc:
        raise Invalid(Code.REQUEST_INVALID, field="cursor") from exc
    rows = await conn.fetch(q.LIST_CLOSED_DAYS, school_id, first, last, after_day, limit + 1)
    items = [ClosedDay(date=r["day"], label=r["label"]) for r in rows[:limit]]
    return ClosedDayPage(
        items=items,
        next_cursor=encode_cursor(rows[limit - 1]["day"]) if len(rows) > limit else None,
    )


MAX_RANGE_DAYS = 366


def weekdays(first: date, last: date) -> list[date]:
    """Monday to Friday from ``first`` to ``last``; weekends are closed without being listed."""
    return [
        first + timedelta(days=n)
        for n in range((last - first).days + 1)
        if (first + timedelta(days=n)).weekday() < 5
    ]


async def insert_closed_days(
    conn: asyncpg.Connection, school_id: uuid.UUID, days: list[tuple[date, str]]
) -> list[ClosedDay]:
    """Adds the days not already closed; returns those it added."""
    rows = await conn.fetch(
        q.INSERT_CLOSED_DAYS, school_id, [d for d, _ in days], [label for _, label in days]
    )
    return sorted((ClosedDay(date=r["day"], label=r["label"]) for r in rows), key=lambda c: c.date)


async def add_closed_day(
    conn: asyncpg.Connection,
    viewer: uuid.UUID,
    school_id: uuid.UUID,
    data: ClosedDayCreate,
    now: datetime,
) -> ClosedDay | ClosedDayPage:
    """Runs inside the caller's transaction (it holds the idempotency key).

    One ``date`` answers the day; a range answers the weekdays it added (days
    already closed are left as they were)."""
    (await school_staff_access(conn, viewer, school_id, now)).require_leader()
    if data.date is not None and data.first_day is None and data.last_day is None:
        if await conn.fetchval(q.INSERT_CLOSED_DAY, school_id, data.date, data.label) is None:
            raise Conflict(Code.SCHOOLS_CLOSED_DAY_EXISTS)
        log.info("closed day %s (%s) added at school %s by %s", data.date, data.label, school_id, viewer)
        return ClosedDay(date=data.date, label=data.label)
    if data.date is not None or data.first_day is None or data.last_day is None:
        raise Invalid(
            Code.SCHOOLS_CLOSED_DAY_FORM,
            errors=[FieldError(field="date", message="give date, or first_day and last_day")],
        )
    if data.last_day < data.first_day:
        raise Invalid(
            Code.SCHOOLS_CLOSED_DAY_RANGE,
            errors=[FieldError(field="last_day", message="must not be before first_day")],
        )
    if (data.last_day - data.first_day).days >= MAX_RANGE_DAYS:
        raise Invalid(
            Code.SCHOOLS_CLOSED_DAY_RANGE,
            errors=[FieldError(field="last_day", message=f"at most {MAX_RANGE_DAYS} days after first_day")],
        )
    added = await insert_closed_days(
        conn, school_id, [(d, data.label) for d in weekdays(data.first_day, data.last_day)]
    )
    log.info(
        "%d closed days %s–%s (%s) added at school %s by %s",
        len(added),
        data.first_day,
        data.last_day,
        data.label,
        school_id,
        viewer,
    )
    return ClosedDayPage(items=added, next_cursor=None)


async def remove_closed_day(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, day: date, now: datetime
) -> None:
    (await school_staff_access(conn, viewer, school_id, now)).require_leader()
    if await conn.fetchval(q.DELETE_CLOSED_DAY, school_id, day) is None:
        raise NotFound()
    log.info("closed day %s removed at school %s by %s", day, school_id, viewer)


async def class_timezone(conn: asyncpg.Connection, class_id: uuid.UUID) -> str:
    """The time zone of the class's school (Norway's where the class is unknown)."""
    zone: str | None = await conn.fetchval(q.CLASS_TIMEZONE, class_id)
    return zone or "Europe/Oslo"


# A school calendar is a few kilobytes; anything near this is not one.
MAX_CALENDAR_CHARS = 1_000_000


def _read(text: str) -> CalendarDays:
    if len(text) > MAX_CALENDAR_CHARS:
        raise Invalid(Code.SCHOOLS_CALENDAR_UNREADABLE, field="calendar")
    try:
        return read_calendar(text.lstrip("\ufeff"))
    except CalendarError as exc:
        raise Invalid(Code.SCHOOLS_CALENDAR_UNREADABLE, field="calendar") from exc


async def preview_calendar(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, text: str, now: datetime
) -> CalendarPreview:
    """What importing the iCalendar ``text`` would add, changing nothing (school leaders).

    The same reading as ``skolebro calendar import``: the weekdays of all-day events."""
    (await school_staff_access(conn, viewer, school_id, now)).require_leader()
    calendar = _read(text)
    closed = {r["day"] for r in await conn.fetch(q.CLOSED_AMONG, school_id, [d for d, _ in calendar.days])}
    seen: set[date] = set()
    days = []
    for day, label in sorted(calendar.days):
        if day in seen:
            continue
        seen.add(day)
        days.append(
            CalendarPreviewDay(
                date=day, label=label, already_closed=day in closed, public_holiday=is_public_holiday(day)
            )
        )
    return CalendarPreview(
        days=days,
        new=sum(1 for d in days if not d.already_closed),
        events=calendar.events,
        skipped_timed=calendar.skipped_timed,
        skipped_repeating=calendar.skipped_repeating,
    )


async def import_calendar(
    conn: asyncpg.Connection, viewer: uuid.UUID, school_id: uuid.UUID, text: str, now: datetime
) -> list[ClosedDay]:
    """Adds the weekdays of the calendar's all-day events not already closed (school
    leaders); days already closed keep their label. Returns the days added."""
    async with atomic(conn):
        (await school_staff_access(conn, viewer, school_id, now)).require_leader()
        added = await insert_closed_days(conn, school_id, _read(text).days)
    log.info("%d closed days imported from a calendar at school %s by %s", len(added), school_id, viewer)
    return added
