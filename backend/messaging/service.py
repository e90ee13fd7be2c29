"""The rules of messaging (product.md: Messaging; api.md: Messaging).

Who may write to whom about a pupil:

- a guardian with access (full or read-only; from 18 only with the pupil's
  consent) → the pupil's contact teacher, the school's administration and
  staff who teach the pupil;
- the pupil → staff who teach them (contact teacher, class team, subject
  teachers), nobody else;
- staff who see the pupil (its teachers this school year, the school's
  leaders) → the guardians with access, the contact teacher, the
  administration and the pupil's other teachers;
- nobody → another guardian; a blocked guardian → nobody (the pupil does
  not exist for them).

``administration`` expands to the school's leaders when the thread is
started and the participants stay fixed: a leader who takes office later
does not join old threads (their content was addressed to other people),
and a leader who leaves loses the threads with the rest of their access.

Every thread operation also asks the access policy about the thread's
pupil now, so a participant who has lost access (a guardian now blocked,
a pupil turned 18 without consent, a teacher in a new school year who no
longer teaches the pupil) no longer sees the thread and is no longer
pushed, while the others keep it.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import asyncpg

from backend.access.policy import PupilAccess, pupil_access, readable_pupils, viewers_who_read
from backend.db.transactions import atomic
from backend.lib.cursors import decode_instant_cursor, encode_cursor
from backend.messaging import queries as q
from backend.messaging import texts
from backend.messaging.office_hours import next_push_at
from backend.problems.codes import Code
from backend.problems.errors import Forbidden, Invalid, NotFound
from backend.problems.texts import negotiate_locale
from backend.schools.localtime import local_now
from notifications.kinds import Kind
from notifications.outbox import notify
from schemas.messaging import (
    AdministrationRecipient,
    ContactTeacherRecipient,
    GuardiansRecipient,
    Message,
    Participant,
    ParticipantRole,
    Recipient,
    RecipientKind,
    RecipientOption,
    StaffRecipient,
    Thread,
    ThreadCreate,
    ThreadPage,
    ThreadSummary,
)

log = logging.getLogger("skolebro.messaging")

STAFF_ROLES = frozenset(
    {
        ParticipantRole.contact_teacher,
        ParticipantRole.teacher,
        ParticipantRole.school_leader,
    }
)
_STAFF_RELATION_ROLE = {
    "contact_teacher": ParticipantRole.contact_teacher,
    "class_team": ParticipantRole.teacher,
    "subject_teacher": ParticipantRole.teacher,
    "school_leader": ParticipantRole.school_leader,
}


# --- Who may be addressed -----------------------------------------------------


@dataclass
class Candidates:
    """The people around one pupil that a message could reach, by id → name."""

    caller_name: str
    caller_locale: str
    contact: dict[uuid.UUID, str] = field(default_factory=dict)
    teachers: dict[uuid.UUID, str] = field(default_factory=dict)
    leaders: dict[uuid.UUID, str] = field(default_factory=dict)
    guardians: dict[uuid.UUID, str] = field(default_factory=dict)
    office_hours: dict[uuid.UUID, Any] = field(default_factory=dict)


def _writer(access: PupilAccess) -> str:
    """How the caller writes about this pupil: as guardian, pupil or staff."""
    access.require_write()
    if access.relation == "guardian":
        return "guardian"
    if access.relation == "self":
        return "pupil"
    return "staff"


async def _candidates(
    conn: asyncpg.Connection, access: PupilAccess, caller: uuid.UUID, now: datetime
) -> Candidates:
    rows = await conn.fetch(
        q.CANDIDATES,
        access.pupil_id,
        now,
        caller,
    )
    me = next(r for r in rows if r["role"] == "caller")
    c = Candidates(caller_name=me["name"], caller_locale=me["locale"])
    for r in rows:
        pid, role, name = r["person_id"], r["role"], r["name"]
        if pid == caller:
            continue  # nobody writes to themselves
        c.office_hours[pid] = r["office_hours"]
        if role in ("contact_teacher", "class_team", "subject_teacher"):
            c.teachers[pid] = name
            if role == "contact_teacher":
                c.contact[pid] = name
        elif role == "school_leader":
            c.leaders[pid] = name
        elif role == "guardian":
            c.guardians[pid] = name
    return c


def _options(access: PupilAccess, c: Candidates, locale: str) -> list[RecipientOption]:
    writer = _writer(access)
    out: list[RecipientOption] = []
    if writer == "pupil" and not access.is_adult:
        return out  # product.md: pupils message staff from 18
    if c.contact:
        out.append(RecipientOption(kind=RecipientKind.contact_teacher, name=", ".join(c.contact.values())))
    if writer != "pupil" and c.leaders:
        out.append(
            RecipientOption(
                kind=RecipientKind.administration, name=texts.administration_name(locale, access.school_name)
            )
        )
    # Contact teachers are offered once, as such; they may still be named by id.
    out += [
        RecipientOption(kind=RecipientKind.staff, id=pid, name=name)
        for pid, name in c.teachers.items()
        if pid not in c.contact
    ]
    if writer == "staff" and c.guardians:
        out.append(
            RecipientOption(
                kind=RecipientKind.guardians, name=texts.guardians_name(locale, access.pupil_name)
            )
        )
    return out


def _refuse(kind: RecipientKind) -> Invalid:
    return Invalid(Code.MESSAGING_RECIPIENT_NOT_ALLOWED, field="recipients", kind=kind.value)


def _expand(
    access: PupilAccess, c: Candidates, recipients: list[Recipient]
) -> dict[uuid.UUID, ParticipantRole]:
    """The people the chosen recipients stand for, or 422 for one not allowed."""
    writer = _writer(access)
    if writer == "pupil" and not access.is_adult:
        # The pupil sees themself, so this is a refusal, not a hidden object.
        raise Forbidden(Code.MESSAGING_PUPIL_UNDER_18)
    members: dict[uuid.UUID, ParticipantRole] = {}
    for r in recipients:
        if isinstance(r, ContactTeacherRecipient):
            if not c.contact:
                raise _refuse(RecipientKind.contact_teacher)
            for pid in c.contact:
                members.setdefault(pid, ParticipantRole.contact_teacher)
        elif isinstance(r, AdministrationRecipient):
            if writer == "pupil" or not c.leaders:
                raise _refuse(RecipientKind.administration)
            for pid in c.leaders:
                members.setdefault(pid, ParticipantRole.school_leader)
        elif isinstance(r, StaffRecipient):
            if r.id not in c.teachers:
                raise _refuse(RecipientKind.staff)
            members.setdefault(
                r.id, ParticipantRole.contact_teacher if r.id in c.contact else ParticipantRole.teacher
            )
        elif isinstance(r, GuardiansRecipient):
            if writer != "staff" or not c.guardians:
                raise _refuse(RecipientKind.guardians)
            for pid in c.guardians:
                members.setdefault(pid, ParticipantRole.guardian)
    if not members:
        raise Invalid(Code.MESSAGING_NO_RECIPIENTS, field="recipients")
    return members


def _sender_role(access: PupilAccess) -> ParticipantRole:
    writer = _writer(access)
    if writer == "guardian":
        return ParticipantRole.guardian
    if writer == "pupil":
        return ParticipantRole.pupil
    return _STAFF_RELATION_ROLE.get(access.relation, ParticipantRole.teacher)


async def recipients(
    conn: asyncpg.Connection,
    access: PupilAccess,
    caller: uuid.UUID,
    accept_language: str | None,
    now: datetime,
) -> list[RecipientOption]:
    c = await _candidates(conn, access, caller, now)
    return _options(access, c, negotiate_locale(accept_language, c.caller_locale))


# --- Pushes -----------------------------------------------------------------------


async def _push(
    conn: asyncpg.Connection,
    *,
    thread_id: uuid.UUID,
    pupil_id: uuid.UUID,
    sender_name: str,
    to: list[tuple[uuid.UUID, ParticipantRole, Any]],
    timezone: str,
    now: datetime,
) -> None:
    """Push ``message`` to ``to`` (id, role, office hours); staff only within their hours.

    The inbox item is written at once either way; the push text names the
    sender, never the body.
    """
    if not to:
        return
    held: dict[uuid.UUID, datetime] = {}
    for pid, role, hours in to:
        if role in STAFF_ROLES:
            due = next_push_at(now, hours, timezone)
            if due is not None:
                held[pid] = due
    await notify(
        conn,
        recipients=[pid for pid, _, _ in to],
        kind=Kind.message,
        data={"thread_id": str(thread_id), "pupil_id": str(pupil_id)},
        params={"sender": sender_name},
        now=now,
        collapse_key=f"thread:{thread_id}",
        push_after=held,
    )
    for pid, due in held.items():
        log.info(
            "push of thread %s to %s held until office hours begin at %s", thread_id, pid, due.isoformat()
        )


# --- Use cases ---------------------------------------------------------------------


async def create_thread(
    conn: asyncpg.Connection,
    access: PupilAccess,
    caller: uuid.UUID,
    data: ThreadCreate,
    now: datetime,
    accept_language: str | None,
) -> Thread:
    """Start a thread with its first message. Runs inside the caller's transaction."""
    c = await _candidates(conn, access, caller, now)
    members = _expand(access, c, data.recipients)
    sender_role = _sender_role(access)
    names = {**c.contact, **c.teachers, **c.leaders, **c.guardians, caller: c.caller_name}
    # The starter first, then by name: the order a thread is shown in later.
    participants = {caller: sender_role}
    participants.update(sorted(members.items(), key=lambda m: (names[m[0]], str(m[0]))))
    thread_id, message_id = uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        q.CREATE_THREAD,
        thread_id,
        access.school_id,
        access.pupil_id,
        data.subject,
        caller,
        now,
        message_id,
        list(participants),
        [r.value for r in participants.values()],
        data.body,
    )
    await _push(
        conn,
        thread_id=thread_id,
        pupil_id=access.pupil_id,
        sender_name=c.caller_name,
        to=[(pid, role, c.office_hours.get(pid)) for pid, role in members.items()],
        timezone=access.timezone,
        now=now,
    )
    log.info(
        "thread %s about pupil %s started by %s (%s) with %d recipients",
        thread_id,
        access.pupil_id,
        caller,
        sender_role.value,
        len(members),
    )
    sent_at = local_now(now, access.timezone)
    return Thread(
        id=thread_id,
        subject=data.subject,
        pupil_id=access.pupil_id,
        pupil_name=access.pupil_name,
        created_at=sent_at,
        participants=[
            Participant(
                user_id=pid, name=names[pid], role=role, last_read_at=sent_at if pid == caller else None
            )
            for pid, role in participants.items()
        ],
        messages=[
            Message(
                id=message_id, sender_id=caller, sender_name=c.caller_name, body=data.body, sent_at=sent_at
            )
        ],
        notice=texts.notice(negotiate_locale(accept_language, c.caller_locale)),
    )


@dataclass(frozen=True, slots=True)
class OpenThread:
    """A thread the viewer takes part in and may still see."""

    row: asyncpg.Record
    access: PupilAccess

    @property
    def id(self) -> uuid.UUID:
        return self.row["id"]


async def open_thread(
    conn: asyncpg.Connection, viewer: uuid.UUID, thread_id: uuid.UUID, now: datetime
) -> OpenThread:
    """The thread if the viewer is a participant with access to its pupil, else 404."""
    row = await conn.fetchrow(q.THREAD_FOR_PARTICIPANT, thread_id, viewer)
    if row is None:
        raise NotFound()
    return OpenThread(row, await pupil_access(conn, viewer, row["pupil_id"], now))


def _instant(text: str | None, timezone: str) -> datetime | None:
    return None if text is None else local_now(datetime.fromisoformat(text), timezone)


async def get_thread(conn: asyncpg.Connection, opened: OpenThread, accept_language: str | None) -> Thread:
    row, tz = opened.row, opened.row["timezone"]
    messages = await conn.fetch(q.MESSAGES, opened.id)
    return Thread(
        id=row["id"],
        subject=row["subject"],
        pupil_id=row["pupil_id"],
        pupil_name=row["pupil_name"],
        created_at=local_now(row["created_at"], tz),
        participants=[
            Participant(
                user_id=uuid.UUID(p["user_id"]),
                name=p["name"],
                role=ParticipantRole(p["role"]),
                last_read_at=_instant(p["last_read_at"], tz),
            )
            for p in row["participants"]
        ],
        messages=[
            Message(
                id=m["id"],
                sender_id=m["sender_id"],
                sender_name=m["sender_name"],
                body=m["body"],
                sent_at=local_now(m["sent_at"], tz),
            )
            for m in messages
        ],
        notice=texts.notice(negotiate_locale(accept_language, row["locale"])),
    )


async def add_message(
    conn: asyncpg.Connection, opened: OpenThread, sender: uuid.UUID, body: str, now: datetime
) -> Message:
    """Answer in a thread. Runs inside the caller's transaction."""
    row = opened.row
    message_id = uuid.uuid4()
    await conn.execute(q.ADD_MESSAGE, message_id, row["id"], row["school_id"], sender, body, now)
    others = [p for p in row["participants"] if uuid.UUID(p["user_id"]) != sender]
    # Only participants who may still see the pupil hear of it.
    reachable = await viewers_who_read(conn, [uuid.UUID(p["user_id"]) for p in others], row["pupil_id"], now)
    to = [
        (uuid.UUID(p["user_id"]), ParticipantRole(p["role"]), p["office_hours"])
        for p in others
        if uuid.UUID(p["user_id"]) in reachable
    ]
    await _push(
        conn,
        thread_id=row["id"],
        pupil_id=row["pupil_id"],
        sender_name=row["viewer_name"],
        to=to,
        timezone=row["timezone"],
        now=now,
    )
    log.info(
        "message %s in thread %s from %s, %d of %d others notified",
        message_id,
        row["id"],
        sender,
        len(to),
        len(others),
    )
    return Message(
        id=message_id,
        sender_id=sender,
        sender_name=row["viewer_name"],
        body=body,
        sent_at=local_now(now, row["timezone"]),
    )


async def start_thread(
    conn: asyncpg.Connection,
    access: PupilAccess,
    caller: uuid.UUID,
    data: ThreadCreate,
    now: datetime,
    accept_language: str | None,
) -> Thread:
    """``create_thread`` in a transaction of its own (the portal has no idempotency key)."""
    async with atomic(conn):
        return await create_thread(conn, access, caller, data, now, accept_language)


async def answer_thread(
    conn: asyncpg.Connection, opened: OpenThread, sender: uuid.UUID, body: str, now: datetime
) -> Message:
    """``add_message`` in a transaction of its own (the portal has no idempotency key)."""
    async with atomic(conn):
        return await add_message(conn, opened, sender, body, now)


async def mark_read(conn: asyncpg.Connection, opened: OpenThread, reader: uuid.UUID, now: datetime) -> None:
    await conn.execute(q.MARK_READ, opened.id, reader, now)


async def list_threads(
    conn: asyncpg.Connection, viewer: uuid.UUID, cursor: str | None, limit: int, now: datetime
) -> ThreadPage:
    after_at, after_id = decode_instant_cursor(cursor)
    visible = list(await readable_pupils(conn, viewer, await conn.fetchval(q.MY_THREAD_PUPILS, viewer), now))
    rows = await conn.fetch(q.LIST_THREADS, viewer, visible, after_at, after_id, limit + 1)
    items = [
        ThreadSummary(
            id=r["id"],
            subject=r["subject"],
            pupil_id=r["pupil_id"],
            pupil_name=r["pupil_name"],
            created_at=local_now(r["created_at"], r["timezone"]),
            last_message_at=local_now(r["last_message_at"], r["timezone"]),
            last_sender_id=r["last_sender_id"],
            last_sender_name=r["last_sender_name"],
            unread=r["unread"],
        )
        for r in rows[:limit]
    ]
    last = rows[limit - 1] if len(rows) > limit else None
    next_cursor = encode_cursor(last["last_message_at"].isoformat(), last["id"]) if last else None
    return ThreadPage(items=items, next_cursor=next_cursor)


# --- Office hours ---------------------------------------------------------------


async def get_office_hours(conn: asyncpg.Connection, person: uuid.UUID) -> Any:
    return await conn.fetchval(q.OFFICE_HOURS, person)


async def set_office_hours(
    conn: asyncpg.Connection, person: uuid.UUID, hours: dict[str, str] | None, now: datetime
) -> None:
    """Staff only: the route's guard (``running_staff_only``) has checked."""
    if hours is not None and hours["start"] >= hours["end"]:
        raise Invalid(Code.MESSAGING_OFFICE_HOURS_ORDER, field="office_hours.end")
    await conn.execute(q.SET_OFFICE_HOURS, person, hours)
    log.info("office hours of %s set to %s", person, hours)
