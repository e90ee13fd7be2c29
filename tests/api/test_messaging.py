"""Messaging: who may write to whom, threads, read state, pushes and office hours."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from backend.roster.demo import demo_id
from tests.support.demo import KARI, OLA, SCHOOL, person
from tests.support.factories import (
    School,
    assign,
    create_class,
    create_group,
    create_person,
    create_school,
    enroll,
    relate,
)

HANSEN = person("guardian.hansen")
NILSEN = person("guardian.nilsen")
READONLY = person("guardian.readonly")
BLOCKED = person("guardian.blocked")
TEACHER_3A = person("teacher.3a")
TEAM_3A = person("team.3a")
TEACHER_9B = person("teacher.9b")
MATH_9B = person("teacher.math9b")
TEAM_9B = person("team.9b")
LEADER = person("leader")
DEMO = School(SCHOOL, demo_id("year:2026"), "Vassenden skule")

# Monday 23 November 2026, 10:00 in Oslo (CET, UTC+1).
MONDAY_10 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

CONTACT = {"kind": "contact_teacher"}


async def start(
    client: Any,
    tokens: Any,
    user: str,
    pupil: uuid.UUID,
    recipients: list[dict[str, Any]],
    subject: str = "Spørsmål",
    body: str = "Hei!",
    **headers: str,
) -> Any:
    return await client.post(
        "/api/v1/threads",
        headers={**await tokens.headers(user), **headers},
        json={"pupil_id": str(pupil), "recipients": recipients, "subject": subject, "body": body},
    )


async def started(
    client: Any, tokens: Any, user: str, pupil: uuid.UUID, recipients: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    r = await start(client, tokens, user, pupil, recipients, **kw)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


async def recipients_of(client: Any, tokens: Any, user: str, pupil: uuid.UUID, **headers: str) -> Any:
    return await client.get(
        "/api/v1/messaging/recipients",
        params={"pupil_id": str(pupil)},
        headers={**await tokens.headers(user), **headers},
    )


async def threads_of(client: Any, tokens: Any, user: str) -> list[dict[str, Any]]:
    r = await client.get("/api/v1/threads", headers=await tokens.headers(user))
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


def travel(clock: Any, tokens: Any, instant: datetime) -> None:
    """Move the service clock; tokens minted before a long jump have expired."""
    clock.set(instant)
    tokens.forget()


def near(actual: datetime, expected: datetime) -> bool:
    """The service clock runs on from where a test set it."""
    return expected <= actual < expected + timedelta(seconds=30)


def participant_ids(thread: dict[str, Any]) -> set[uuid.UUID]:
    return {uuid.UUID(p["user_id"]) for p in thread["participants"]}


async def counts(db: Any) -> tuple[int, int, int, int]:
    return tuple(
        await db.fetchrow(  # type: ignore[return-value]
            "SELECT (SELECT count(*) FROM message_threads), (SELECT count(*) FROM messages),"
            " (SELECT count(*) FROM thread_participants), (SELECT count(*) FROM notifications)"
        )
    )


async def add_device(db: Any, who: uuid.UUID) -> None:
    await db.execute(
        "INSERT INTO devices (id, person_id, token, platform, created_at, last_seen_at)"
        " VALUES ($1, $2, $3, 'android', now(), now())",
        uuid.uuid4(),
        who,
        f"tok-{who}",
    )


async def pushes_to(db: Any, who: uuid.UUID) -> list[Any]:
    return await db.fetch(  # type: ignore[no-any-return]
        "SELECT n.title, n.body, n.data, n.created_at, d.due_at FROM notifications n"
        " LEFT JOIN deliveries d ON d.notification_id = n.id"
        " WHERE n.person_id = $1 AND n.kind = 'message' ORDER BY n.created_at",
        who,
    )


# --- Who may write to whom -----------------------------------------------------------


async def test_guardian_may_write_to_contact_teacher_administration_and_teachers(client, tokens):
    r = await recipients_of(client, tokens, "guardian.hansen", OLA)
    assert r.status_code == 200, r.text
    options = r.json()
    assert options == [
        {"kind": "contact_teacher", "name": "Ingrid Lærar"},
        {"kind": "administration", "name": "Administrasjonen ved Vassenden skule"},
        {"kind": "staff", "id": str(TEAM_3A), "name": options[2]["name"]},
    ]
    # Nobody is offered a phone number, nor another guardian.
    assert all(set(o) <= {"kind", "id", "name"} for o in options)
    english = await recipients_of(client, tokens, "guardian.hansen", OLA, **{"Accept-Language": "en"})
    assert english.json()[1]["name"] == "Administration of Vassenden skule"


async def test_guardian_writes_to_contact_teacher_who_sees_it(client, tokens, db):
    thread = await started(
        client,
        tokens,
        "guardian.hansen",
        OLA,
        [CONTACT],
        subject="Matpakke",
        body="Ola har glemt matpakken i dag.",
    )
    roles = {p["user_id"]: p["role"] for p in thread["participants"]}
    assert roles == {str(HANSEN): "guardian", str(TEACHER_3A): "contact_teacher"}
    assert all(set(p) == {"user_id", "name", "role", "last_read_at"} for p in thread["participants"])
    [listed] = await threads_of(client, tokens, "teacher.3a")
    assert (listed["id"], listed["subject"], listed["unread"]) == (thread["id"], "Matpakke", 1)
    r = await client.get(f"/api/v1/threads/{thread['id']}", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 200
    assert [m["body"] for m in r.json()["messages"]] == ["Ola har glemt matpakken i dag."]
    # The other guardian of Ola was not addressed and does not see it.
    assert await threads_of(client, tokens, "guardian.nilsen") == []


async def test_guardian_cannot_write_to_other_guardians(client, tokens, db):
    before = await counts(db)
    for recipients in (
        [{"kind": "guardians"}],
        [{"kind": "staff", "id": str(NILSEN)}],
        [CONTACT, {"kind": "staff", "id": str(NILSEN)}],
    ):
        r = await start(client, tokens, "guardian.hansen", OLA, recipients)
        assert r.status_code == 422, r.text
        assert r.json()["code"] == "messaging.recipient_not_allowed"
    assert await counts(db) == before


async def test_blocked_guardian_finds_no_such_pupil(client, tokens, db):
    assert (await recipients_of(client, tokens, "guardian.blocked", OLA)).status_code == 404
    r = await start(client, tokens, "guardian.blocked", OLA, [CONTACT])
    assert r.status_code == 404
    assert await counts(db) == (0, 0, 0, 0)


async def test_read_only_guardian_may_message_the_school(client, tokens):
    # Read-only access bars absence reports and leave, not talking to the school.
    thread = await started(client, tokens, "guardian.readonly", KARI, [CONTACT])
    assert participant_ids(thread) == {READONLY, TEACHER_9B}


async def test_pupils_under_18_do_not_message_staff(client, tokens, db):
    # product.md: pupils "from 18 also report own absence and message staff".
    r = await recipients_of(client, tokens, "pupil.kari", KARI)  # Kari is 14
    assert r.status_code == 200
    assert r.json() == []
    before = await counts(db)
    r = await start(client, tokens, "pupil.kari", KARI, [{"kind": "contact_teacher"}])
    assert r.status_code == 403
    assert r.json()["code"] == "messaging.pupil_under_18"
    assert await counts(db) == before


async def test_pupil_writes_only_to_staff_who_teach_them(client, tokens, db):
    # From 18 a pupil messages the staff who teach them (Kari made 18 for this test).
    await db.execute("UPDATE people SET birth_date = '2008-01-15' WHERE id = $1", KARI)
    r = await recipients_of(client, tokens, "pupil.kari", KARI)
    assert r.status_code == 200
    offered = {(o["kind"], o.get("id")) for o in r.json()}
    assert offered == {("contact_teacher", None), ("staff", str(MATH_9B)), ("staff", str(TEAM_9B))}
    thread = await started(client, tokens, "pupil.kari", KARI, [{"kind": "staff", "id": str(MATH_9B)}])
    roles = {uuid.UUID(p["user_id"]): p["role"] for p in thread["participants"]}
    assert roles == {KARI: "pupil", MATH_9B: "teacher"}
    before = await counts(db)
    for refused in (
        {"kind": "administration"},
        {"kind": "guardians"},
        {"kind": "staff", "id": str(TEACHER_3A)},
        {"kind": "staff", "id": str(LEADER)},
        {"kind": "staff", "id": str(HANSEN)},
    ):
        r = await start(client, tokens, "pupil.kari", KARI, [refused])
        assert r.status_code == 422, refused
        assert r.json()["code"] == "messaging.recipient_not_allowed"
    assert await counts(db) == before


async def test_staff_write_to_guardians_of_pupils_they_teach_only(client, tokens, db):
    r = await recipients_of(client, tokens, "teacher.3a", OLA)
    kinds = [o["kind"] for o in r.json()]
    assert kinds == ["administration", "staff", "guardians"]
    assert r.json()[2]["name"] == "Foresatte til Ola Hansen"
    thread = await started(client, tokens, "teacher.3a", OLA, [{"kind": "guardians"}], subject="Tur fredag")
    shown = await client.get(
        f"/api/v1/threads/{thread['id']}", headers=await tokens.headers("guardian.nilsen")
    )
    # Starter first, then by name, the same when started and when read later.
    assert [p["name"] for p in thread["participants"]] == [
        "Ingrid Lærar",
        "Kari Nordmann Hansen",
        "Per Nilsen",
    ]
    assert shown.json()["participants"] == thread["participants"]
    # Both guardians with access, never the blocked one.
    assert participant_ids(thread) == {TEACHER_3A, HANSEN, NILSEN}
    assert len(await pushes_to(db, HANSEN)) == 1
    assert len(await pushes_to(db, NILSEN)) == 1
    assert await pushes_to(db, BLOCKED) == []
    assert [t["subject"] for t in await threads_of(client, tokens, "guardian.nilsen")] == ["Tur fredag"]
    # Not the guardians of a pupil in another class.
    assert (await recipients_of(client, tokens, "teacher.3a", KARI)).status_code == 404
    r = await start(client, tokens, "teacher.3a", KARI, [{"kind": "guardians"}])
    assert r.status_code == 404
    # A subject teacher reaches the guardians of the pupils in their group.
    thread = await started(client, tokens, "teacher.math9b", KARI, [{"kind": "guardians"}])
    assert participant_ids(thread) == {MATH_9B, HANSEN, READONLY}


async def test_administration_expands_to_leaders_at_send_time(client, tokens, db):
    first = await started(client, tokens, "guardian.hansen", OLA, [{"kind": "administration"}])
    assert participant_ids(first) == {HANSEN, LEADER}
    newcomer = await create_person(db, "leader.new", "Nina Inspektør")
    await assign(db, DEMO, newcomer, "school_leader")
    # The new leader does not join the thread started before they took office...
    r = await client.get(f"/api/v1/threads/{first['id']}", headers=await tokens.headers("leader.new"))
    assert r.status_code == 404
    reply = await client.post(
        f"/api/v1/threads/{first['id']}/messages",
        headers=await tokens.headers("guardian.hansen"),
        json={"body": "?"},
    )
    assert reply.status_code == 201
    assert await pushes_to(db, newcomer) == []
    # ...but a thread started now reaches every leader.
    second = await started(client, tokens, "guardian.hansen", OLA, [{"kind": "administration"}])
    assert participant_ids(second) == {HANSEN, LEADER, newcomer}


async def test_contact_teacher_and_staff_together_make_one_participant_each(client, tokens):
    thread = await started(
        client,
        tokens,
        "guardian.hansen",
        OLA,
        [
            CONTACT,
            {"kind": "staff", "id": str(TEACHER_3A)},
            {"kind": "staff", "id": str(TEAM_3A)},
            {"kind": "administration"},
        ],
    )
    roles = {uuid.UUID(p["user_id"]): p["role"] for p in thread["participants"]}
    assert roles == {
        HANSEN: "guardian",
        TEACHER_3A: "contact_teacher",
        TEAM_3A: "teacher",
        LEADER: "school_leader",
    }


async def test_guardians_of_an_adult_pupil_need_consent(client, tokens, db):
    await db.execute("UPDATE people SET birth_date = '2008-01-01' WHERE id = $1", KARI)
    assert (await recipients_of(client, tokens, "guardian.hansen", KARI)).status_code == 404
    staff = await recipients_of(client, tokens, "teacher.9b", KARI)
    assert "guardians" not in {o["kind"] for o in staff.json()}
    await db.execute(
        "UPDATE guardian_relations SET adult_consent = true WHERE guardian_id = $1 AND pupil_id = $2",
        HANSEN,
        KARI,
    )
    assert (await recipients_of(client, tokens, "guardian.hansen", KARI)).status_code == 200
    thread = await started(client, tokens, "teacher.9b", KARI, [{"kind": "guardians"}])
    assert participant_ids(thread) == {TEACHER_9B, HANSEN}


async def test_teacher_who_no_longer_teaches_the_pupil_loses_access(client, tokens, db, clock):
    old = await started(client, tokens, "guardian.hansen", OLA, [CONTACT])
    # Next school year: Ola is in 4A with another contact teacher.
    next_year = uuid.uuid4()
    await db.execute(
        "INSERT INTO school_years (id, school_id, name, starts_on, ends_on)"
        " VALUES ($1, $2, '2027–2028', '2027-08-16', '2028-06-20')",
        next_year,
        SCHOOL,
    )
    school = School(SCHOOL, next_year, "Vassenden skule")
    class_4a = await create_class(db, school, "4A", 4)
    await enroll(db, school, OLA, class_4a)
    new_teacher = await create_person(db, "teacher.4a", "Nils Nylærar")
    await assign(db, school, new_teacher, "contact_teacher", class_id=class_4a)
    await assign(db, school, LEADER, "school_leader")
    travel(clock, tokens, datetime(2027, 8, 23, 8, 0, tzinfo=UTC))

    assert (await recipients_of(client, tokens, "teacher.3a", OLA)).status_code == 404
    assert (await start(client, tokens, "teacher.3a", OLA, [{"kind": "guardians"}])).status_code == 404
    assert await threads_of(client, tokens, "teacher.3a") == []
    r = await client.get(f"/api/v1/threads/{old['id']}", headers=await tokens.headers("teacher.3a"))
    assert r.status_code == 404
    options = (await recipients_of(client, tokens, "guardian.hansen", OLA)).json()
    assert options[0] == {"kind": "contact_teacher", "name": "Nils Nylærar"}
    thread = await started(client, tokens, "guardian.hansen", OLA, [CONTACT])
    assert participant_ids(thread) == {HANSEN, new_teacher}
    # The guardian's old thread is still theirs; the old teacher is no longer pushed.
    reply = await client.post(
        f"/api/v1/threads/{old['id']}/messages",
        headers=await tokens.headers("guardian.hansen"),
        json={"body": "Hei"},
    )
    assert reply.status_code == 201
    assert len(await pushes_to(db, TEACHER_3A)) == 1  # only the first message


async def test_guardian_blocked_later_loses_the_thread(client, tokens, db):
    thread = await started(client, tokens, "guardian.nilsen", OLA, [CONTACT])
    await db.execute(
        "UPDATE guardian_relations SET access = 'none' WHERE guardian_id = $1 AND pupil_id = $2", NILSEN, OLA
    )
    assert await threads_of(client, tokens, "guardian.nilsen") == []
    for method, path in (("GET", ""), ("POST", "/read")):
        r = await client.request(
            method, f"/api/v1/threads/{thread['id']}{path}", headers=await tokens.headers("guardian.nilsen")
        )
        assert r.status_code == 404
    r = await client.post(
        f"/api/v1/threads/{thread['id']}/messages",
        headers=await tokens.headers("teacher.3a"),
        json={"body": "Svar"},
    )
    assert r.status_code == 201
    assert await pushes_to(db, NILSEN) == []


# --- Read state ---------------------------------------------------------------------------


async def test_unread_counts_and_who_has_read(client, tokens, clock):
    travel(clock, tokens, MONDAY_10)
    thread = await started(client, tokens, "guardian.hansen", OLA, [CONTACT])
    tid = thread["id"]
    teacher = await tokens.headers("teacher.3a")
    guardian = await tokens.headers("guardian.hansen")
    assert (await threads_of(client, tokens, "guardian.hansen"))[0]["unread"] == 0
    assert (await threads_of(client, tokens, "teacher.3a"))[0]["unread"] == 1
    detail = (await client.get(f"/api/v1/threads/{tid}", headers=teacher)).json()
    read = {p["user_id"]: p["last_read_at"] for p in detail["participants"]}
    assert read[str(TEACHER_3A)] is None  # opening the thread is not reading it
    assert read[str(HANSEN)].startswith("2026-11-23T10:00")

    travel(clock, tokens, datetime(2026, 11, 23, 9, 5, tzinfo=UTC))
    r = await client.post(f"/api/v1/threads/{tid}/read", headers=teacher)
    assert r.status_code == 204
    assert (await threads_of(client, tokens, "teacher.3a"))[0]["unread"] == 0
    detail = (await client.get(f"/api/v1/threads/{tid}", headers=guardian)).json()
    read = {p["user_id"]: p["last_read_at"] for p in detail["participants"]}
    assert read[str(TEACHER_3A)].startswith("2026-11-23T10:05")

    for text in ("Takk!", "Vi ses."):
        r = await client.post(f"/api/v1/threads/{tid}/messages", headers=teacher, json={"body": text})
        assert r.status_code == 201
    assert (await threads_of(client, tokens, "guardian.hansen"))[0]["unread"] == 2
    assert (await threads_of(client, tokens, "teacher.3a"))[0]["unread"] == 0
    await client.post(f"/api/v1/threads/{tid}/read", headers=guardian)
    assert (await threads_of(client, tokens, "guardian.hansen"))[0]["unread"] == 0
    detail = (await client.get(f"/api/v1/threads/{tid}", headers=guardian)).json()
    assert [m["body"] for m in detail["messages"]] == ["Hei!", "Takk!", "Vi ses."]
    assert all(p["last_read_at"] is not None for p in detail["participants"])


async def test_threads_listed_newest_activity_first_in_pages(client, tokens, clock):
    ids = []
    for minute, subject in enumerate(("A", "B", "C")):
        travel(clock, tokens, datetime(2026, 11, 23, 9, minute, tzinfo=UTC))
        ids.append((await started(client, tokens, "guardian.hansen", OLA, [CONTACT], subject=subject))["id"])
    h = await tokens.headers("guardian.hansen")
    page = (await client.get("/api/v1/threads", params={"limit": 2}, headers=h)).json()
    assert [t["subject"] for t in page["items"]] == ["C", "B"]
    rest = (
        await client.get("/api/v1/threads", params={"limit": 2, "cursor": page["next_cursor"]}, headers=h)
    ).json()
    assert [t["subject"] for t in rest["items"]] == ["A"]
    assert rest["next_cursor"] is None
    # An answer in the oldest thread brings it to the top.
    travel(clock, tokens, datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    r = await client.post(
        f"/api/v1/threads/{ids[0]}/messages",
        headers=await tokens.headers("teacher.3a"),
        json={"body": "Svar"},
    )
    assert r.status_code == 201
    items = await threads_of(client, tokens, "guardian.hansen")
    assert [t["subject"] for t in items] == ["A", "C", "B"]
    assert items[0]["last_sender_name"] == "Ingrid Lærar"
    assert items[0]["last_message_at"].startswith("2026-11-23T10:30")
    bad = await client.get(
        "/api/v1/threads", params={"cursor": "not-a-cursor"}, headers=await tokens.headers("guardian.hansen")
    )
    assert bad.status_code == 422


# --- Pushes and office hours ------------------------------------------------------------


async def test_push_names_the_sender_never_the_body(client, tokens, db):
    await add_device(db, TEACHER_3A)
    secret = "Ola har vondt i magen og har vært hos legen"
    thread = await started(client, tokens, "guardian.hansen", OLA, [CONTACT], body=secret, subject="Helse")
    [push] = await pushes_to(db, TEACHER_3A)
    assert push["title"] == "Ny melding fra Kari Nordmann Hansen"
    assert secret not in push["title"] + push["body"]
    assert "Helse" not in push["title"] + push["body"]
    assert push["data"] == {"thread_id": thread["id"], "pupil_id": str(OLA)}
    # The sender is not pushed about their own message.
    assert await pushes_to(db, HANSEN) == []


async def test_office_hours_hold_the_push_but_not_the_inbox(client, tokens, db, clock):
    teacher = await tokens.headers("teacher.3a")
    r = await client.put(
        "/api/v1/me/office-hours", headers=teacher, json={"office_hours": {"start": "08:00", "end": "15:30"}}
    )
    assert r.status_code == 200, r.text
    await add_device(db, TEACHER_3A)
    await add_device(db, HANSEN)

    # Monday 18:00 in Oslo: in the inbox now, pushed Tuesday 08:00.
    evening = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
    travel(clock, tokens, evening)
    thread = await started(client, tokens, "guardian.hansen", OLA, [CONTACT])
    [push] = await pushes_to(db, TEACHER_3A)
    assert near(push["created_at"], evening)
    assert push["due_at"] == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert (await threads_of(client, tokens, "teacher.3a"))[0]["unread"] == 1

    # The guardian has no office hours: the teacher's late answer is pushed at once.
    late = datetime(2026, 11, 23, 21, 0, tzinfo=UTC)
    travel(clock, tokens, late)
    r = await client.post(
        f"/api/v1/threads/{thread['id']}/messages",
        headers=await tokens.headers("teacher.3a"),
        json={"body": "Svar i kveld"},
    )
    assert r.status_code == 201
    [to_guardian] = await pushes_to(db, HANSEN)
    assert near(to_guardian["due_at"], late)

    # Within office hours the push goes at once.
    within = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    travel(clock, tokens, within)
    await client.post(
        f"/api/v1/threads/{thread['id']}/messages",
        headers=await tokens.headers("guardian.hansen"),
        json={"body": "Takk"},
    )
    assert near((await pushes_to(db, TEACHER_3A))[-1]["due_at"], within)

    # Before the hours on a weekday: the same morning at 08:00.
    early = datetime(2026, 11, 25, 5, 0, tzinfo=UTC)  # Wednesday 06:00
    travel(clock, tokens, early)
    await client.post(
        f"/api/v1/threads/{thread['id']}/messages",
        headers=await tokens.headers("guardian.hansen"),
        json={"body": "Igjen"},
    )
    assert (await pushes_to(db, TEACHER_3A))[-1]["due_at"] == datetime(2026, 11, 25, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("sent", "due"),
    [
        # Friday 23 Oct 18:00 CEST → Monday 26 Oct 08:00 CET, across the end of DST.
        (datetime(2026, 10, 23, 16, 0, tzinfo=UTC), datetime(2026, 10, 26, 7, 0, tzinfo=UTC)),
        # Saturday 28 March → Monday 30 March 08:00 CEST, across the start of DST.
        (datetime(2026, 3, 28, 12, 0, tzinfo=UTC), datetime(2026, 3, 30, 6, 0, tzinfo=UTC)),
        # Wednesday 16 December 15:30 sharp is after the hours → Thursday 08:00.
        (datetime(2026, 12, 16, 14, 30, tzinfo=UTC), datetime(2026, 12, 17, 7, 0, tzinfo=UTC)),
        # Wednesday 1 April 2026 evening: Maundy Thursday and Good Friday, then the weekend and
        # Easter Monday are off → Tuesday 7 April 08:00.
        (datetime(2026, 4, 1, 18, 0, tzinfo=UTC), datetime(2026, 4, 7, 6, 0, tzinfo=UTC)),
    ],
)
async def test_office_hours_resume_on_the_next_working_day(client, tokens, db, clock, sent, due):
    await db.execute(
        "UPDATE people SET office_hours = $2 WHERE id = $1", TEACHER_3A, {"start": "08:00", "end": "15:30"}
    )
    await add_device(db, TEACHER_3A)
    # Guardians write about pupils all year round; these instants are in the school year
    # of the test roster or its neighbour, so place Ola under 3A's teacher in both.
    if sent < datetime(2026, 8, 15, tzinfo=UTC):
        year = uuid.uuid4()
        await db.execute(
            "INSERT INTO school_years (id, school_id, name, starts_on, ends_on)"
            " VALUES ($1, $2, '2025–2026', '2025-08-15', '2026-06-20')",
            year,
            SCHOOL,
        )
        school = School(SCHOOL, year, "Vassenden skule")
        class_2a = await create_class(db, school, "2A", 2)
        await enroll(db, school, OLA, class_2a)
        await assign(db, school, TEACHER_3A, "contact_teacher", class_id=class_2a)
    travel(clock, tokens, sent)
    await started(client, tokens, "guardian.hansen", OLA, [CONTACT])
    [push] = await pushes_to(db, TEACHER_3A)
    assert near(push["created_at"], sent)
    assert push["due_at"] == due


async def test_office_hours_are_for_staff_and_must_make_sense(client, tokens):
    guardian = await tokens.headers("guardian.hansen")
    r = await client.put(
        "/api/v1/me/office-hours", headers=guardian, json={"office_hours": {"start": "08:00", "end": "15:00"}}
    )
    assert r.status_code == 403
    assert r.json()["code"] == "messaging.staff_only"
    teacher = await tokens.headers("teacher.9b")
    assert (await client.get("/api/v1/me/office-hours", headers=teacher)).json() == {"office_hours": None}
    for bad in ({"start": "15:00", "end": "08:00"}, {"start": "08:00", "end": "08:00"}):
        r = await client.put("/api/v1/me/office-hours", headers=teacher, json={"office_hours": bad})
        assert r.status_code == 422
        assert r.json()["code"] == "messaging.office_hours_order"
    r = await client.put(
        "/api/v1/me/office-hours", headers=teacher, json={"office_hours": {"start": "25:00", "end": "26:00"}}
    )
    assert r.status_code == 422
    hours = {"office_hours": {"start": "07:45", "end": "15:15"}}
    put = await client.put("/api/v1/me/office-hours", headers=teacher, json=hours)
    assert put.json() == hours
    assert (await client.get("/api/v1/me/office-hours", headers=teacher)).json() == hours
    cleared = await client.put("/api/v1/me/office-hours", headers=teacher, json={"office_hours": None})
    assert cleared.json() == {"office_hours": None}
    assert (await client.get("/api/v1/me/office-hours", headers=teacher)).json() == {"office_hours": None}


# --- Content is text ------------------------------------------------------------------


async def test_html_and_script_are_returned_verbatim(client, tokens):
    subject = '<img src=x onerror="alert(1)"> & co'
    body = "<script>alert('hei')</script>\n<b>fet</b> &amp; æøå 😀\r\n  "
    thread = await started(client, tokens, "guardian.hansen", OLA, [CONTACT], subject=subject, body=body)
    r = await client.get(f"/api/v1/threads/{thread['id']}", headers=await tokens.headers("teacher.3a"))
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["subject"] == subject
    assert r.json()["messages"][0]["body"] == body
    reply = await client.post(
        f"/api/v1/threads/{thread['id']}/messages",
        headers=await tokens.headers("teacher.3a"),
        json={"body": "</textarea><script>x()</script>"},
    )
    assert reply.json()["body"] == "</textarea><script>x()</script>"
    assert (await threads_of(client, tokens, "teacher.3a"))[0]["subject"] == subject


async def test_bad_input_is_refused_and_nothing_is_written(client, tokens, db):
    thread = await started(client, tokens, "guardian.hansen", OLA, [CONTACT])
    before = await counts(db)
    h = await tokens.headers("guardian.hansen")
    base = {"pupil_id": str(OLA), "recipients": [CONTACT], "subject": "S", "body": "B"}
    for change in (
        {"subject": "x" * 201},
        {"body": "x" * 5001},
        {"body": ""},
        {"body": " \n\t "},
        {"body": "a\u0000b"},
        {"subject": "a\u0000"},
        {"recipients": []},
        {"recipients": [{"kind": "staff"}]},
        {"recipients": [{"kind": "contact_teacher", "id": str(TEACHER_3A)}]},
        {"recipients": [{"kind": "everyone"}]},
        {"pupil_id": "ola"},
        {"extra": 1},
    ):
        r = await client.post("/api/v1/threads", headers=h, json={**base, **change})
        assert r.status_code == 422, (change, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["errors"], change
    for missing in ("pupil_id", "recipients", "subject", "body"):
        payload = {k: v for k, v in base.items() if k != missing}
        assert (await client.post("/api/v1/threads", headers=h, json=payload)).status_code == 422
    malformed = await client.post(
        "/api/v1/threads", headers={**h, "Content-Type": "application/json"}, content=b'{"pupil_id": '
    )
    assert malformed.status_code == 400
    for body in ("", "x" * 5001, "   "):
        r = await client.post(f"/api/v1/threads/{thread['id']}/messages", headers=h, json={"body": body})
        assert r.status_code == 422
    assert await counts(db) == before
    # The limits themselves are fine.
    ok = await start(client, tokens, "guardian.hansen", OLA, [CONTACT], subject="s" * 200, body="b" * 5000)
    assert ok.status_code == 201
    assert ok.json()["messages"][0]["body"] == "b" * 5000


async def test_unknown_thread_is_404(client, tokens):
    h = await tokens.headers("guardian.hansen")
    missing = uuid.uuid4()
    assert (await client.get(f"/api/v1/threads/{missing}", headers=h)).status_code == 404
    r = await client.post(f"/api/v1/threads/{missing}/messages", headers=h, json={"body": "x"})
    assert r.status_code == 404
    assert (await client.post(f"/api/v1/threads/{missing}/read", headers=h)).status_code == 404
    r = await recipients_of(client, tokens, "guardian.hansen", uuid.uuid4())
    assert r.status_code == 404


async def test_idempotency_key_returns_the_first_answer(client, tokens, db):
    key = {"Idempotency-Key": "abc-123"}
    first = await start(client, tokens, "guardian.hansen", OLA, [CONTACT], **key)
    again = await start(client, tokens, "guardian.hansen", OLA, [CONTACT], **key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert await db.fetchval("SELECT count(*) FROM message_threads") == 1
    other = await start(client, tokens, "guardian.hansen", OLA, [CONTACT], body="Annet", **key)
    assert other.status_code == 422
    assert other.json()["code"] == "idempotency.key_reused"

    tid = first.json()["id"]
    h = {**await tokens.headers("teacher.3a"), "Idempotency-Key": "svar-1"}
    one = await client.post(f"/api/v1/threads/{tid}/messages", headers=h, json={"body": "Svar"})
    two = await client.post(f"/api/v1/threads/{tid}/messages", headers=h, json={"body": "Svar"})
    assert one.status_code == two.status_code == 201
    assert one.json()["id"] == two.json()["id"]
    assert await db.fetchval("SELECT count(*) FROM messages") == 2
    assert len(await pushes_to(db, HANSEN)) == 1
    read_key = {**await tokens.headers("guardian.hansen"), "Idempotency-Key": "lest"}
    for _ in range(2):
        r = await client.post(f"/api/v1/threads/{tid}/read", headers=read_key)
        assert r.status_code == 204


# --- The sensitive-matters notice --------------------------------------------------------


async def test_every_thread_carries_the_notice_in_the_callers_language(client, tokens, db):
    thread = await started(client, tokens, "guardian.hansen", OLA, [CONTACT])
    assert "kommunens sikre kanal" in thread["notice"]
    url = f"/api/v1/threads/{thread['id']}"
    h = await tokens.headers("guardian.hansen")
    nb = (await client.get(url, headers=h)).json()["notice"]
    assert "helse" in nb and "barnevern" in nb and "kommunens sikre kanal" in nb
    nn = (await client.get(url, headers={**h, "Accept-Language": "nn-NO"})).json()["notice"]
    assert "Ikkje send opplysningar om helse" in nn
    en = (await client.get(url, headers={**h, "Accept-Language": "en-GB,en;q=0.8"})).json()
    assert "municipality's secure channel" in en["notice"]
    # Without Accept-Language the person's own language decides.
    await db.execute("UPDATE people SET locale = 'en' WHERE id = $1", TEACHER_3A)
    teacher = (await client.get(url, headers=await tokens.headers("teacher.3a"))).json()
    assert "child-welfare" in teacher["notice"]


# --- A school with its own roster: teachers of other groups ---------------------------


async def test_only_teachers_of_the_pupil_are_offered(client, tokens, db):
    school = await create_school(db, "Elvebakken vgs")
    class_id = await create_class(db, school, "2STA", 12)
    physics = await create_group(db, school, "2STA fysikk", "Fysikk", class_id)
    chemistry = await create_group(db, school, "2STB kjemi", "Kjemi")
    pupil = await create_person(db, "pupil.vgs", "Siri Vgs", date(2008, 5, 5))
    other = await create_person(db, "pupil.vgs2", "Jon Vgs", date(2009, 1, 1))
    physicist = await create_person(db, "teacher.fysikk", "Frode Fysikk")
    chemist = await create_person(db, "teacher.kjemi", "Kari Kjemi")
    await enroll(db, school, pupil, class_id, physics)
    await enroll(db, school, other, class_id, chemistry)
    await assign(db, school, physicist, "subject_teacher", group_id=physics)
    await assign(db, school, chemist, "subject_teacher", group_id=chemistry)
    guardian = await create_person(db, "guardian.vgs", "Vera Vgs")
    await relate(db, guardian, pupil)

    r = await recipients_of(client, tokens, "pupil.vgs", pupil)
    assert r.json() == [{"kind": "staff", "id": str(physicist), "name": "Frode Fysikk"}]
    r = await start(client, tokens, "pupil.vgs", pupil, [{"kind": "staff", "id": str(chemist)}])
    assert r.status_code == 422
    # Siri is 18: her guardian has no consent, so neither sees nor is offered.
    assert (await recipients_of(client, tokens, "guardian.vgs", pupil)).status_code == 404
    staff = await recipients_of(client, tokens, "teacher.fysikk", pupil)
    assert staff.json() == []
    r = await start(client, tokens, "teacher.fysikk", pupil, [{"kind": "guardians"}])
    assert r.status_code == 422
