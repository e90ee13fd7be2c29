"""The ladder that climbs until a guardian is reached (product.md: Reaching guardians).

Push at once (the seek itself); if nobody is reached ``sms_after_minutes``
after seeking, an SMS to every guardian with access who has a mobile number
and an e-mail to every one with an address; if still nobody is reached
``call_after_minutes`` after seeking, the class team is pushed
``call_guardians`` and the case's call list is highlighted. The escalation's
second message climbs the same steps from the moment of escalation. Nothing
more goes out once anyone is reached.

Each step is claimed once across replicas and restarts (a ``job_claims``
row per case, stage and step) in the same transaction that queues its
texts: SMS and e-mails are rows in ``contact_attempts`` first, handed to
the providers afterwards by whoever claims them (a lease, so a crash
between commit and send only delays them), and moved on by the provider's
delivery reports. Quiet hours do not apply to any of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import aiohttp
import asyncpg

from backend.missing import contact_queries as q
from notifications.channel_texts import email_message, sms_text
from notifications.channels import Channels, channels
from notifications.kinds import Kind
from notifications.mail import address_hint
from notifications.outbox import Notice, notify_many
from notifications.sms import SendResult, number_hint

log = logging.getLogger("skolebro.missing")

# A claimed text not answered for this long is someone else's to send.
OUTBOX_LEASE = timedelta(seconds=60)
OUTBOX_BATCH = 500
MAX_ATTEMPTS = 5
# Texts handed to the providers at once by one sender.
IN_FLIGHT = 50


async def climb(conn: asyncpg.Connection, now: datetime) -> dict[str, int]:
    """Take every ladder step due now; runs in the caller's transaction."""
    rows = await conn.fetch(q.LADDER_CLAIM, now)
    texts = [r for r in rows if r["step"] == "sms"]
    calls = [r for r in rows if r["step"] == "call"]
    queued = {"sms": 0, "email": 0}
    if texts:
        for channel in await conn.fetch(
            q.QUEUE_MESSAGES, [r["id"] for r in texts], [r["stage"] for r in texts], now
        ):
            queued[channel["channel"]] += 1
        for r in texts:
            log.warning("missing case %s: nobody reached; SMS and e-mail step (%s)", r["id"], r["stage"])
    pushed = 0
    if calls:
        await conn.execute(q.CALL_REQUESTED, list({r["id"] for r in calls}), now)
        sent = await notify_many(
            conn,
            [
                Notice(
                    recipients=r["team"],
                    kind=Kind.call_guardians,
                    data={"case_id": r["id"], "pupil_id": r["pupil_id"], "class_id": r["class_id"]},
                    params={"pupil": r["pupil_name"], "class_name": r["class_name"]},
                    urgent=True,
                    collapse_key=f"call-{r['id']}",
                )
                for r in calls
            ],
            now=now,
        )
        pushed = len(sent)
        for r in calls:
            log.warning("missing case %s: nobody reached; class team told to call (%s)", r["id"], r["stage"])
    return {
        "sms_steps": len(texts),
        "call_steps": len(calls),
        "sms_queued": queued["sms"],
        "emails_queued": queued["email"],
        "call_notifications": pushed,
    }


# --- the outbox: handing queued texts to the providers ------------------------------


async def send_queued(
    pool: asyncpg.Pool, now: datetime, ch: Channels | None = None, *, batch: int = OUTBOX_BATCH
) -> dict[str, int]:
    """Hand every queued SMS and e-mail to its provider; returns counts by outcome."""
    ch = ch or channels()
    totals = {"sms_sent": 0, "emails_sent": 0, "retried": 0, "failed": 0, "dropped": 0}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=IN_FLIGHT)) as session:
        while True:
            async with pool.acquire() as conn:
                rows = await conn.fetch(q.OUTBOX_CLAIM, now, now + OUTBOX_LEASE, batch)
            if not rows:
                break
            result = await _send_batch(pool, rows, now, ch, session)
            for key, value in result.items():
                totals[key] += value
            if len(rows) < batch:
                break
    return totals


async def _send_batch(
    pool: asyncpg.Pool,
    rows: Sequence[asyncpg.Record],
    now: datetime,
    ch: Channels,
    session: aiohttp.ClientSession,
) -> dict[str, int]:
    counts = {"sms_sent": 0, "emails_sent": 0, "retried": 0, "failed": 0, "dropped": 0}
    stale = [r["id"] for r in rows if r["stale"]]
    live = [r for r in rows if not r["stale"]]
    gate = asyncio.Semaphore(IN_FLIGHT)

    async def one(row: asyncpg.Record) -> tuple[Any, ...]:
        async with gate:
            return await _send_one(row, ch, session)

    outcomes = await asyncio.gather(*(one(r) for r in live))
    ids, statuses, providers, errors, handed, retry_at = [], [], [], [], [], []
    for row, (status, provider_id, error, was_handed, retry) in zip(live, outcomes, strict=True):
        if retry and row["attempts"] >= MAX_ATTEMPTS:
            status, retry = "failed", False
        ids.append(row["id"])
        statuses.append(status)
        providers.append(provider_id)
        errors.append(error)
        handed.append(was_handed)
        retry_at.append(now + timedelta(seconds=min(300, 15 * 2 ** row["attempts"])) if retry else None)
        if retry:
            counts["retried"] += 1
        elif status == "failed":
            counts["failed"] += 1
            log.error("%s for missing case %s failed: %s", row["channel"], row["case_id"], error)
        elif row["channel"] == "sms":
            counts["sms_sent"] += 1
        else:
            counts["emails_sent"] += 1
    # Outcomes are recorded in one place so counters (metrics) can hook in here.
    async with pool.acquire() as conn, conn.transaction():
        if ids:
            await conn.execute(q.OUTBOX_RECORD, ids, statuses, providers, errors, handed, retry_at, now)
        if stale:
            await conn.execute(q.OUTBOX_DROP, stale)
    counts["dropped"] = len(stale)
    return counts


async def _send_one(
    row: asyncpg.Record, ch: Channels, session: aiohttp.ClientSession
) -> tuple[str, str | None, str | None, bool, bool]:
    """(status, provider id, error, handed over, retry) for one queued text."""
    stage = row["stage"] or "sought"
    locale = row["locale"] or "nb"
    # The case page, where a guardian without the app signs in and answers.
    link = ch.case_link(row["case_id"])
    if row["channel"] == "sms":
        body = sms_text(stage, locale, row["pupil_name"], row["school_name"], row["office_phone"], link)
        sms = await ch.sms.send(session, row["address"], body)
        log.info(
            "SMS for missing case %s to %s via %s: %s",
            row["case_id"],
            number_hint(row["address"]),
            ch.sms.name,
            sms.result.value,
        )
        if sms.result is SendResult.accepted:
            return sms.status, sms.provider_id, None, True, False
        if sms.result is SendResult.retry:
            return "queued", None, sms.error, False, True
        return "failed", None, sms.error, False, False
    mail = email_message(stage, locale, row["pupil_name"], row["school_name"], row["office_phone"], link)
    sent = await ch.mail.send(row["address"], mail)
    log.info(
        "e-mail for missing case %s to %s via %s: %s",
        row["case_id"],
        address_hint(row["address"]),
        ch.mail.name,
        "sent" if sent.sent else "retry" if sent.retry else "failed",
    )
    if sent.sent:
        return "sent", sent.message_id, None, True, False
    if sent.retry:
        return "queued", None, sent.error, False, True
    return "failed", None, sent.error, False, False


__all__ = ["climb", "send_queued"]
