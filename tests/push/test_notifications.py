"""notify(): the inbox, its pushes, preferences, quiet hours, urgent bypass and languages."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import UTC, datetime, time, timedelta

import asyncpg
import pytest

from backend.lib.clock import Clock
from notifications.outbox import PUSH_CHANNEL, notify
from notifications.preferences import QuietHours
from tests.support.demo import person
from tests.support.push import add_device, deliveries_of, make_dispatcher

HANSEN = person("guardian.hansen")
NILSEN = person("guardian.nilsen")
OLA = person("pupil.ola")


async def _prefs(
    db: asyncpg.Connection, who: uuid.UUID, *, quiet: tuple[str, str] | None = None, **switches: bool
) -> None:
    start = time.fromisoformat(quiet[0]) if quiet else None
    end = time.fromisoformat(quiet[1]) if quiet else None
    await db.execute(
        "INSERT INTO notification_preferences (person_id, push_messages, push_grades,"
        " push_absence, push_reminders, quiet_start, quiet_end) VALUES ($1,$2,$3,$4,$5,$6,$7)",
        who,
        switches.get("messages", True),
        switches.get("grades", True),
        switches.get("absence", True),
        switches.get("reminders", True),
        start,
        end,
    )


async def _send(
    db: asyncpg.Connection,
    clock: Clock,
    kind: str,
    who: uuid.UUID = HANSEN,
    urgent: bool = False,
    **params: str,
) -> uuid.UUID:
    defaults = {
        "pupil": "Ola",
        "sender": "Kari Lærer",
        "subject": "Matematikk",
        "class_name": "3A",
        "reported": "2",
        "unaccounted": "1",
    }
    [nid] = await notify(
        db,
        recipients=[who],
        kind=kind,
        data={"pupil_id": OLA},
        params={**defaults, **params},
        urgent=urgent,
        now=clock.now(),
    )
    return nid


async def test_texts_follow_each_recipients_language(db, clock, pool, transport, fcm):
    bokmal, nynorsk, english = (uuid.uuid4() for _ in range(3))
    for who, locale in ((bokmal, "nb"), (nynorsk, "nn"), (english, "en")):
        await db.execute(
            "INSERT INTO people (id, name, locale) VALUES ($1, $2, $3)", who, f"Guardian {locale}", locale
        )
    tokens = {who: await add_device(db, who) for who in (bokmal, nynorsk, english)}
    await notify(
        db,
        recipients=[bokmal, nynorsk, english],
        kind="missing_pupil",
        data={"pupil_id": OLA},
        params={"pupil": "Ola"},
        urgent=True,
        now=clock.now(),
    )
    titles = dict(await db.fetch("SELECT person_id, title FROM notifications WHERE kind = 'missing_pupil'"))
    assert titles == {
        bokmal: "Ola er ikke på skolen",
        nynorsk: "Ola er ikkje på skulen",
        english: "Ola is not at school",
    }
    await make_dispatcher(pool, transport, clock).run_once()
    for who, token in tokens.items():
        [push] = fcm.received(token)
        assert push.message["notification"]["title"] == titles[who]


async def test_every_device_gets_its_own_delivery(db, clock):
    phone, tablet = await add_device(db, HANSEN), await add_device(db, HANSEN, platform="ios")
    await _send(db, clock, "still_sick")
    assert len(await deliveries_of(db, phone)) == 1
    assert len(await deliveries_of(db, tablet)) == 1


async def test_a_switched_off_kind_reaches_the_inbox_but_is_not_pushed(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    await _prefs(db, HANSEN, messages=False, grades=False)
    silent = await _send(db, clock, "message")
    graded = await _send(db, clock, "assessment_published")
    pushed = await _send(db, clock, "still_sick")
    inbox = {r["id"] for r in await db.fetch("SELECT id FROM notifications WHERE person_id = $1", HANSEN)}
    assert {silent, graded, pushed} <= inbox
    rows = await deliveries_of(db, token)
    assert [r["notification_id"] for r in rows] == [pushed]
    await make_dispatcher(pool, transport, clock).run_once()
    assert [r.message["data"]["kind"] for r in fcm.received(token)] == ["still_sick"]


@pytest.mark.parametrize(
    ("kind", "switch"),
    [
        ("message", "messages"),
        ("assessment_published", "grades"),
        ("leave_decision", "absence"),
        ("missing_pupil_resolved", "absence"),
        ("absence_check_reminder", "reminders"),
        ("still_sick", "reminders"),
    ],
)
async def test_each_switch_silences_its_kinds(db, clock, kind, switch):
    token = await add_device(db, HANSEN)
    await _prefs(db, HANSEN, **{switch: False})
    await _send(db, clock, kind)
    assert await deliveries_of(db, token) == []


async def test_a_push_in_quiet_hours_waits_until_they_end(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    await _prefs(db, HANSEN, quiet=("22:00", "07:00"))
    clock.set(datetime(2026, 11, 23, 22, 30, tzinfo=UTC))  # 23:30 in Oslo
    await _send(db, clock, "message")
    [row] = await deliveries_of(db, token)
    assert row["due_at"] == datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 07:00 in Oslo

    clock.set(datetime(2026, 11, 24, 5, 59, tzinfo=UTC))
    await make_dispatcher(pool, transport, clock).run_once()
    assert fcm.received(token) == []
    clock.set(datetime(2026, 11, 24, 6, 0, 1, tzinfo=UTC))
    await make_dispatcher(pool, transport, clock).run_once()
    assert len(fcm.received(token)) == 1


async def test_quiet_hours_end_by_the_wall_clock_on_the_night_dst_ends(db, clock):
    token = await add_device(db, HANSEN)
    await _prefs(db, HANSEN, quiet=("22:00", "07:00"))
    # Saturday 24 October 2026, 23:00 CEST; the clocks go back at 03:00.
    clock.set(datetime(2026, 10, 24, 21, 0, tzinfo=UTC))
    await _send(db, clock, "message")
    [row] = await deliveries_of(db, token)
    assert row["due_at"] == datetime(2026, 10, 25, 6, 0, tzinfo=UTC)  # 07:00 CET


async def test_outside_quiet_hours_the_push_goes_at_once(db, clock):
    token = await add_device(db, HANSEN)
    await _prefs(db, HANSEN, quiet=("12:00", "13:00"))
    clock.set(datetime(2026, 11, 23, 10, 0, tzinfo=UTC))  # 11:00 in Oslo
    await _send(db, clock, "message")
    [row] = await deliveries_of(db, token)
    assert abs((row["due_at"] - clock.now()).total_seconds()) < 2
    clock.set(datetime(2026, 11, 23, 11, 30, tzinfo=UTC))  # 12:30: inside
    await _send(db, clock, "message")
    row = (await deliveries_of(db, token))[1]
    assert row["due_at"] == datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("kind", ["missing_pupil", "missing_pupil_escalation"])
async def test_urgent_alerts_ignore_switches_and_quiet_hours(db, clock, kind):
    token = await add_device(db, HANSEN)
    await _prefs(
        db, HANSEN, quiet=("00:00", "23:59"), messages=False, grades=False, absence=False, reminders=False
    )
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    # Even when a caller forgets to say urgent, these kinds are.
    await _send(db, clock, kind, urgent=False)
    [row] = await deliveries_of(db, token)
    assert row["urgent"] is True
    assert abs((row["due_at"] - clock.now()).total_seconds()) < 2


async def test_office_hours_and_quiet_hours_together(db, clock):
    token = await add_device(db, HANSEN)
    await _prefs(db, HANSEN, quiet=("06:00", "08:00"))
    clock.set(datetime(2026, 11, 23, 3, 0, tzinfo=UTC))  # 04:00 in Oslo
    await notify(
        db,
        recipients=[HANSEN],
        kind="message",
        data={"thread_id": uuid.uuid4()},
        params={"sender": "Lærer"},
        now=clock.now(),
        push_after={HANSEN: datetime(2026, 11, 23, 6, 0, tzinfo=UTC)},
    )  # 07:00 Oslo
    [row] = await deliveries_of(db, token)
    assert row["due_at"] == datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 08:00: both satisfied


def test_quiet_hours_wrap_midnight():
    quiet = QuietHours(time(22, 0), time(7, 0))
    oslo = datetime(2026, 11, 23, 21, 59, tzinfo=UTC)  # 22:59 in Oslo
    assert quiet.contains(oslo)
    assert not quiet.contains(datetime(2026, 11, 23, 20, 59, tzinfo=UTC))  # 21:59
    assert quiet.contains(datetime(2026, 11, 24, 5, 59, tzinfo=UTC))  # 06:59
    assert not quiet.contains(datetime(2026, 11, 24, 6, 0, tzinfo=UTC))  # 07:00


async def test_the_push_shows_no_note_or_message_body(db, clock, pool, transport, fcm):
    token = await add_device(db, HANSEN)
    secret = "Ola har vondt i magen og er hos legen"
    # A message notification is written with the sender only; the payload is
    # built from the inbox row, so the body cannot reach the lock screen.
    await notify(
        db,
        recipients=[HANSEN],
        kind="message",
        data={"thread_id": uuid.uuid4(), "pupil_id": OLA},
        params={"sender": "Kari Lærer"},
        now=clock.now(),
    )
    await make_dispatcher(pool, transport, clock).run_once()
    [push] = fcm.received(token)
    assert push.message["notification"] == {
        "title": "Ny melding fra Kari Lærer",
        "body": "Åpne appen for å lese meldingen.",
    }
    assert secret not in json.dumps(push.message, ensure_ascii=False)
    with pytest.raises(ValueError, match="ids only"):
        await notify(
            db,
            recipients=[HANSEN],
            kind="message",
            data={"note": secret},
            params={"sender": "x"},
            now=clock.now(),
        )
    with pytest.raises(ValueError, match="ids only"):
        await notify(
            db,
            recipients=[HANSEN],
            kind="message",
            data={"body": secret},
            params={"sender": "x"},
            now=clock.now(),
        )


async def test_the_dispatcher_is_told_on_commit_and_not_on_rollback(db, db_dsn, clock):
    await add_device(db, HANSEN)
    listener = await asyncpg.connect(db_dsn)
    heard: asyncio.Queue[str] = asyncio.Queue()
    await listener.add_listener(PUSH_CHANNEL, lambda *args: heard.put_nowait(args[1]))
    try:
        tx = db.transaction()
        await tx.start()
        await _send(db, clock, "still_sick")
        await asyncio.sleep(0.2)
        assert heard.empty()  # nothing before the commit
        await tx.rollback()
        await asyncio.sleep(0.2)
        assert heard.empty()  # and nothing for work that never happened
        async with db.transaction():
            await _send(db, clock, "still_sick")
        await asyncio.wait_for(heard.get(), 2)
    finally:
        await listener.close()


async def test_nobody_with_a_device_means_no_delivery_but_an_inbox_item(db, clock):
    nid = await _send(db, clock, "still_sick", who=NILSEN)
    assert await db.fetchval("SELECT count(*) FROM notifications WHERE id = $1", nid) == 1
    assert await db.fetchval("SELECT count(*) FROM deliveries WHERE notification_id = $1", nid) == 0


async def test_duplicates_in_recipients_get_one_item(db, clock):
    ids = await notify(
        db,
        recipients=[HANSEN, HANSEN, NILSEN],
        kind="still_sick",
        data={"pupil_id": OLA},
        params={"pupil": "Ola"},
        now=clock.now(),
    )
    assert len(ids) == 2


async def test_a_held_push_is_due_exactly_when_quiet_hours_end(db, clock):
    # Quiet hours starting at the moment of sending count as quiet.
    token = await add_device(db, HANSEN)
    await _prefs(db, HANSEN, quiet=("21:00", "06:30"))
    clock.set(datetime(2026, 11, 23, 20, 0, tzinfo=UTC))  # 21:00 in Oslo
    await _send(db, clock, "assessment_published")
    [row] = await deliveries_of(db, token)
    assert row["due_at"] == datetime(2026, 11, 24, 5, 30, tzinfo=UTC)
    assert row["due_at"] - clock.now() > timedelta(hours=9)
