"""Written absence warnings in upper secondary (product.md: The written warning).

A subject's warning is drafted when the pupil's counted absence in it reaches the
school's warning level (the `absence-warnings` job, over the same counting as the
summary), sent by the contact teacher or a leader, or at once where the school set
`absence_warnings_automatic`. Sending delivers it to the pupil and the guardians
with access (a guardian of a pupil of 18 or more only with the pupil's consent;
a blocked guardian never: SQL guardians_with_access) in the inbox, by push and by
e-mail, and stores the time, the sender and the recipients.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
import msgspec

from backend.absence import summary_queries as sq
from backend.absence import warnings_queries as q
from backend.access.audience import pupil_audiences
from backend.access.policy import (
    ABSENCE_WARNING_READERS,
    ABSENCE_WARNING_SENDERS,
    PupilAccess,
    require_absence_warning_reader,
    require_absence_warning_sender,
)
from backend.audit_log.staff_reads import record_staff_read
from backend.db.transactions import atomic
from backend.problems.codes import Code
from backend.problems.errors import Conflict, NotFound
from notifications.channel_texts import absence_warning_email
from notifications.kinds import Kind
from notifications.mail import MailTransport, address_hint
from notifications.outbox import notify
from schemas.absence_warnings import AbsenceWarning, AbsenceWarningList, WarningRecipient, WarningStatus

log = logging.getLogger("skolebro.absence")

MAIL_BATCH = 100
UPPER_SECONDARY = range(11, 14)


def _warning(row: Any) -> AbsenceWarning:
    return AbsenceWarning(
        id=row["id"],
        subject=row["subject"],
        group_id=row["group_id"],
        percent=round(row["percent"], 1),
        status=WarningStatus(row["status"]),
        created_at=row["created_at"],
        sent_at=row["sent_at"],
        sent_by=row["sent_by"],
        recipients=msgspec.convert(row["recipients"], list[WarningRecipient]),
    )


async def list_warnings(
    conn: asyncpg.Connection, access: PupilAccess, viewer: uuid.UUID, now: datetime
) -> AbsenceWarningList:
    """The pupil's warnings; the pupil and guardians see the sent ones, staff the drafts
    too. Staff reads are audit-logged."""
    require_absence_warning_reader(access)
    await record_staff_read(conn, access, viewer, "absence_warnings.read", now)
    rows = await conn.fetch(q.LIST, access.pupil_id, not access.is_staff, access.records_school_id)
    return AbsenceWarningList(items=[_warning(r) for r in rows])


async def warnings_view(
    conn: asyncpg.Connection, access: PupilAccess, viewer: uuid.UUID, now: datetime
) -> dict[str, Any] | None:
    """The context `absence_warnings` of templates/pupil_warnings.html: None where there
    is nothing to show (below upper secondary, or a viewer who may not see warnings)."""
    if access.grade not in UPPER_SECONDARY or access.relation not in ABSENCE_WARNING_READERS:
        return None
    listed = await list_warnings(conn, access, viewer, now)
    return {
        "pupil_id": access.pupil_id,
        "items": listed.items,
        "can_send": access.relation in ABSENCE_WARNING_SENDERS and not access.read_only,
    }


async def _deliver(conn: asyncpg.Connection, sent: Any, now: datetime) -> int:
    """Inbox, push and e-mail to the pupil and the guardians with access now; the
    recipients are stored with the warning. Inside the caller's transaction."""
    pupil_id: uuid.UUID = sent["pupil_id"]
    audience = (await pupil_audiences(conn, [pupil_id], now)).get(pupil_id)
    recipients = audience.recipients if audience else [pupil_id]
    people = {r["id"]: r for r in await conn.fetch(q.PEOPLE, recipients)}
    ordered = [p for p in recipients if p in people]
    await conn.execute(
        q.INSERT_RECIPIENTS,
        sent["id"],
        ordered,
        [people[p]["name"] for p in ordered],
        ["pupil" if p == pupil_id else "guardian" for p in ordered],
        [people[p]["email"] for p in ordered],
    )
    pupil_name = people[pupil_id]["name"] if pupil_id in people else ""
    await notify(
        conn,
        recipients=ordered,
        kind=Kind.absence_warning,
        data={"pupil_id": str(pupil_id), "subject": sent["subject"], "warning_id": str(sent["id"])},
        params={"pupil": pupil_name, "subject": sent["subject"]},
        now=now,
    )
    mailed = [p for p in ordered if people[p]["email"]]
    await conn.execute(
        q.QUEUE_MAILS,
        sent["id"],
        mailed,
        [people[p]["email"] for p in mailed],
        now,
        [people[p]["locale"] or "nb" for p in mailed],
    )
    return len(ordered)


async def send_warning(
    conn: asyncpg.Connection,
    access: PupilAccess,
    sender: uuid.UUID,
    warning_id: uuid.UUID,
    now: datetime,
) -> AbsenceWarning:
    """Send a drafted warning (the contact teacher or a leader): 404 for a warning not
    the pupil's, 409 `absence_warning.already_sent` for one already sent."""
    require_absence_warning_sender(access)
    async with atomic(conn):
        sent = await conn.fetchrow(
            q.MARK_SENT, warning_id, access.pupil_id, now, sender, access.records_school_id
        )
        if sent is None:
            status = await conn.fetchval(q.EXISTS, warning_id, access.pupil_id, access.records_school_id)
            if status is None:
                raise NotFound()
            raise Conflict(Code.ABSENCE_WARNING_ALREADY_SENT)
        count = await _deliver(conn, sent, now)
        await conn.execute(q.AUDIT, sent["school_id"], sender, access.pupil_id, "absence_warning.sent", now)
        rows = await conn.fetch(q.LIST, access.pupil_id, False, access.records_school_id)
    log.info("absence warning %s in %s sent by %s to %d", warning_id, sent["subject"], sender, count)
    return next(_warning(r) for r in rows if r["id"] == warning_id)


async def draft_warnings(
    conn: asyncpg.Connection, now: datetime, pupils: Sequence[uuid.UUID] | None = None
) -> dict[str, int]:
    """Draft a warning for each subject that reached the warning level for the first
    time this school year, and send it at once where the school chose so.

    The draft row and (when automatic) the delivery commit together; a subject
    already drafted is never drafted again, so re-runs and replicas draft once.
    """
    async with atomic(conn):
        rows = await conn.fetch(sq.CLAIM_WARNINGS, now, list(pupils) if pupils is not None else None)
        sent = 0
        for row in rows:
            # A draft left from before the school chose automatic warnings goes too,
            # the next time its percent moves.
            if not row["automatic"]:
                continue
            claimed = await conn.fetchrow(q.MARK_SENT, row["id"], row["pupil_id"], now, None, None)
            if claimed is not None:
                await _deliver(conn, claimed, now)
                sent += 1
    drafted = sum(1 for r in rows if r["inserted"])
    if drafted:
        log.info("absence warnings: %d drafted, %d sent automatically", drafted, sent)
    return {"drafted": drafted, "sent": sent}


async def send_queued_mails(conn: asyncpg.Connection, now: datetime, mail: MailTransport) -> dict[str, int]:
    """Hand the queued warning e-mails to the mail transport; counts by outcome."""
    counts = {"emails_sent": 0, "emails_failed": 0, "emails_retried": 0}
    async with atomic(conn):
        for row in await conn.fetch(q.CLAIM_MAILS, MAIL_BATCH):
            percent = f"{row['percent']:.1f}".replace(".", "," if row["locale"] != "en" else ".")
            limit = f"{row['limit_percent']:g}"
            email = absence_warning_email(
                row["locale"],
                {
                    "pupil": row["pupil_name"],
                    "subject": row["subject"],
                    "school": row["school_name"],
                    "percent": percent,
                    "limit": limit,
                },
            )
            outcome = await mail.send(row["address"], email)
            if outcome.sent:
                await conn.execute(q.MAIL_DONE, row["id"], "sent", now, None)
                counts["emails_sent"] += 1
            elif outcome.retry:
                await conn.execute(q.MAIL_RETRY, row["id"], outcome.error)
                counts["emails_retried"] += 1
            else:
                await conn.execute(q.MAIL_DONE, row["id"], "failed", now, outcome.error)
                counts["emails_failed"] += 1
                log.warning(
                    "absence warning e-mail to %s failed: %s", address_hint(row["address"]), outcome.error
                )
    return counts
