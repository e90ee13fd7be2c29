"""The dispatcher: sends queued deliveries, at least once, never twice in normal operation.

A round:

1. **Claim** (one short transaction): up to ``batch_size`` due deliveries,
   urgent first, ``FOR UPDATE SKIP LOCKED`` so several dispatchers take
   disjoint rows. Claimed rows become ``sending`` with a lease
   (``claimed_until``, also ``due_at``) and this round's ``claim_id``; rows
   whose inbox item was read meanwhile are dropped instead. The transaction
   commits before anything is sent: no row lock is held across HTTP.
2. **Send** in chunks through the transport (``notifications.webpush.PushRouter``:
   apps by FCM, browsers by Web Push) with a bounded number of
   messages in flight (one HTTP/2 connection fails when handed 500 at once).
3. **Record** each chunk's outcomes as soon as it is answered, guarded by
   ``claim_id`` so a dispatcher that lost its lease cannot overwrite others.
   sent → ``sent``; UNAVAILABLE/INTERNAL/transport errors → back to
   ``pending`` with exponential backoff and jitter; 429 → ``pending`` not
   before ``Retry-After``; UNREGISTERED / invalid token (Web Push: 404/410) → device deleted and
   whatever else is queued for it dropped; ``max_attempts`` reached or a
   permanent error → ``failed`` (logged).

A dispatcher that dies mid-round leaves its rows ``sending``; when the lease
runs out they are due again and another dispatcher (or the same, restarted)
sends them. Only a chunk whose HTTP requests had left but whose answers were
not yet recorded can be sent twice, which is the at-least-once promise.

It sleeps until the next delivery is due, and wakes at once on
``NOTIFY skolebro_push`` (sent by ``notify`` when its transaction commits).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

import asyncpg

from notifications import metrics as push_metrics
from notifications.devices import FORGET_TOKENS
from notifications.kinds import Kind
from notifications.outbox import PUSH_CHANNEL
from notifications.transports import Outcome, PushMessage, Result, Transport, token_hint

log = logging.getLogger("skolebro.push")

# How long a push is worth delivering. A missing-pupil alert an hour late is
# stale (the case has moved on); a reminder for today's check is useless
# tomorrow; other news may wait for a phone that is off for the night.
URGENT_TTL = timedelta(hours=1)
REMINDER_TTL = timedelta(hours=4)
DEFAULT_TTL = timedelta(days=1)
# 429s in one chunk that mean the project's quota rather than one phone's.
PAUSE_MIN_LIMITED = 5


def ttl_for(kind: str, urgent: bool) -> timedelta:
    if urgent:
        return URGENT_TTL
    if Kind(kind).reminder:
        return REMINDER_TTL
    return DEFAULT_TTL


@dataclass(frozen=True)
class DispatcherConfig:
    batch_size: int = 500  # rows per claim (and FCM's limit per send_each)
    chunk_size: int = 50  # messages per transport.send call
    max_in_flight: int = 100  # messages being sent at once by this dispatcher
    workers: int = 2  # rounds running side by side (claim while sending)
    lease: timedelta = timedelta(seconds=90)  # > the slowest round (timeouts included)
    # Urgent rows get a short lease that the live dispatcher keeps renewing while
    # their round runs: a dispatcher that dies leaves them due again within
    # seconds, not after the 90-second lease (a crash must not make a
    # missing-pupil alert late), and a slow send is never taken over twice.
    urgent_lease: timedelta = timedelta(seconds=4)
    max_attempts: int = 8
    backoff_base: float = 5.0  # seconds; doubles per attempt
    backoff_max: float = 900.0
    idle_poll: float = 30.0  # a safety net should a NOTIFY be missed
    shutdown_grace: float = 5.0  # on cancel, wait this long for answers in flight


# Claims due rows. $1 now, $2 limit, $3 lease end, $4 claim id, $5 urgent rows' lease end.
_CLAIM = """
WITH due AS (
    SELECT id FROM deliveries
    WHERE status IN ('pending', 'sending') AND due_at <= $1
    ORDER BY urgent DESC, due_at
    LIMIT $2
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE deliveries d SET
        status = CASE WHEN n.read_at IS NULL THEN 'sending' ELSE 'dropped' END,
        last_error = CASE WHEN n.read_at IS NULL THEN d.last_error
                          ELSE 'read before it was pushed' END,
        attempts = d.attempts + CASE WHEN n.read_at IS NULL THEN 1 ELSE 0 END,
        claimed_until = CASE WHEN d.urgent THEN $5::timestamptz ELSE $3 END,
        due_at = CASE WHEN d.urgent THEN $5::timestamptz ELSE $3 END,
        claim_id = $4
    FROM notifications n
    -- An id array, so the update finds its rows by primary key instead of
    -- hashing the whole (mostly finished) deliveries table.
    WHERE d.id = any(ARRAY(SELECT id FROM due)) AND n.id = d.notification_id
    RETURNING d.id, d.token, d.urgent, d.collapse_key, d.attempts, d.status,
              d.notification_id, d.device_id, n.kind, n.title, n.body, n.data
)
-- The device says which transport (FCM or Web Push) and, for Web Push, the keys.
SELECT c.*, dv.platform, dv.p256dh, dv.auth
FROM claimed c LEFT JOIN devices dv ON dv.id = c.device_id
"""

# Writes one chunk's outcomes. $1 ids, $2 statuses, $3 next due (NULL = keep),
# $4 errors, $5 now, $6 claim id.
_RECORD = """
UPDATE deliveries d SET
    status = o.status,
    due_at = coalesce(o.due_at, d.due_at),
    sent_at = CASE WHEN o.status = 'sent' THEN $5 ELSE d.sent_at END,
    last_error = o.error,
    claimed_until = NULL,
    claim_id = NULL
FROM unnest($1::bigint[], $2::text[], $3::timestamptz[], $4::text[])
    AS o(id, status, due_at, error)
WHERE d.id = o.id AND d.claim_id = $6 AND d.status = 'sending'
"""

# Gives back rows that were claimed but never handed to the transport
# (graceful shutdown): due again now, the attempt not counted.
_RELEASE = """
UPDATE deliveries SET status = 'pending', due_at = $3, attempts = greatest(attempts - 1, 0),
    claimed_until = NULL, claim_id = NULL
WHERE id = any($1::bigint[]) AND claim_id = $2 AND status = 'sending'
"""

# Keeps this round's urgent rows ours while they are being sent. $1 claim id, $2 lease end.
_RENEW = """
UPDATE deliveries SET claimed_until = $2, due_at = $2
WHERE claim_id = $1 AND status = 'sending' AND urgent
"""

_NEXT_DUE = "SELECT min(due_at) FROM deliveries WHERE status IN ('pending', 'sending')"


@dataclass
class RoundStats:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    rate_limited: int = 0
    tokens_removed: int = 0
    failed: int = 0

    def add(self, other: RoundStats) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class _Chunk:
    rows: list[asyncpg.Record]
    messages: list[PushMessage]
    started: bool = False


def _data(row: asyncpg.Record) -> dict[str, str]:
    # FCM data values must be strings; the app needs the kind and the inbox id
    # to open the right screen and mark the item read.
    raw: dict[str, Any] = row["data"] or {}
    data = {str(k): v if isinstance(v, str) else ("" if v is None else _json(v)) for k, v in raw.items()}
    data["kind"] = row["kind"]
    data["notification_id"] = str(row["notification_id"])
    return data


def _json(value: Any) -> str:
    import json

    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class Dispatcher:
    pool: asyncpg.Pool
    transport: Transport
    now: Callable[[], datetime]
    config: DispatcherConfig = field(default_factory=DispatcherConfig)
    _in_flight: asyncio.Semaphore = field(init=False)
    _wake: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _paused_until: datetime | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._in_flight = asyncio.Semaphore(
            max(1, self.config.max_in_flight // max(1, self.config.chunk_size))
        )

    # --- one pass ------------------------------------------------------------

    async def run_once(self) -> RoundStats:
        """Send everything due now; return when nothing due is left unclaimed."""
        total = RoundStats()

        async def worker() -> None:
            while True:
                stats = await self.dispatch_round()
                total.add(stats)
                if stats.claimed < self.config.batch_size:
                    return

        await asyncio.gather(*(worker() for _ in range(max(1, self.config.workers))))
        return total

    async def dispatch_round(self) -> RoundStats:
        """Claim one batch, send it, record the outcomes."""
        stats = RoundStats()
        now = self.now()
        if self._paused_until is not None and now < self._paused_until:
            return stats  # FCM asked the whole project to slow down
        claim_id = uuid.uuid4()
        async with self.pool.acquire() as conn:
            claimed = await conn.fetch(
                _CLAIM,
                now,
                self.config.batch_size,
                now + self.config.lease,
                claim_id,
                now + self.config.urgent_lease,
            )
        rows = [r for r in claimed if r["status"] == "sending"]
        push_metrics.count("dropped", len(claimed) - len(rows))
        # A full batch means more may be due, even when some of it was dropped.
        stats.claimed = len(claimed)
        if not rows:
            return stats
        renewer = (
            asyncio.create_task(self._renew_urgent(claim_id)) if any(r["urgent"] for r in rows) else None
        )
        try:
            await self._send_round(rows, claim_id, stats)
        finally:
            if renewer is not None:
                renewer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await renewer
        return stats

    async def _renew_urgent(self, claim_id: uuid.UUID) -> None:
        # A third of the lease: two renewals may fail (a slow database) before
        # another dispatcher could take the rows over.
        every = self.config.urgent_lease.total_seconds() / 3
        while True:
            await asyncio.sleep(every)
            try:
                async with self.pool.acquire() as conn:
                    await conn.execute(_RENEW, claim_id, self.now() + self.config.urgent_lease)
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("push dispatcher: could not renew the urgent lease (%s)", exc)

    async def _send_round(self, rows: list[asyncpg.Record], claim_id: uuid.UUID, stats: RoundStats) -> None:
        chunks = []
        size = self.config.chunk_size
        for i in range(0, len(rows), size):
            part = rows[i : i + size]
            chunks.append(_Chunk(part, [self._push(r) for r in part]))
        tasks = [asyncio.create_task(self._send_chunk(c, claim_id, stats)) for c in chunks]
        try:
            await asyncio.gather(*tasks)
        except asyncio.CancelledError:
            await self._shutdown_round(chunks, tasks, claim_id)
            raise

    def _push(self, row: asyncpg.Record) -> PushMessage:
        return PushMessage(
            delivery_id=row["id"],
            token=row["token"],
            title=row["title"],
            body=row["body"],
            data=_data(row),
            urgent=row["urgent"],
            collapse_key=row["collapse_key"],
            ttl=ttl_for(row["kind"], row["urgent"]),
            platform=row["platform"] or "android",
            p256dh=row["p256dh"],
            auth=row["auth"],
        )

    async def _send_chunk(self, chunk: _Chunk, claim_id: uuid.UUID, stats: RoundStats) -> None:
        # The slot is held until the outcomes are recorded: a crash can then
        # re-send at most ``max_in_flight`` messages that FCM already accepted.
        async with self._in_flight:
            chunk.started = True
            with push_metrics.SEND_SECONDS.time():
                outcomes = await self.transport.send(chunk.messages)
            await self._record(chunk.rows, outcomes, claim_id, stats)

    async def _shutdown_round(
        self, chunks: list[_Chunk], tasks: list[asyncio.Task[None]], claim_id: uuid.UUID
    ) -> None:
        # Rows never handed to the transport go back at once; answers already
        # on their way get a moment to be recorded, so a restart re-sends as
        # little as possible. Anything else waits for its lease to run out.
        unsent = [r["id"] for c in chunks if not c.started for r in c.rows]
        for chunk, task in zip(chunks, tasks, strict=True):
            if not chunk.started:
                task.cancel()
        started = [t for c, t in zip(chunks, tasks, strict=True) if c.started and not t.done()]
        with contextlib.suppress(Exception):
            if started:
                _, late = await asyncio.wait(started, timeout=self.config.shutdown_grace)
                for task in late:
                    task.cancel()  # their rows come back when the lease runs out
            if unsent:
                async with self.pool.acquire() as conn:
                    await conn.execute(_RELEASE, unsent, claim_id, self.now())
        log.info("dispatcher stopping: %d claimed deliveries given back", len(unsent))

    def _retry_delay(self, attempts: int) -> float:
        base = min(self.config.backoff_max, self.config.backoff_base * 2 ** max(0, attempts - 1))
        # Equal jitter: never sooner than half the backoff, so retries stay
        # spaced, and spread over the other half so a burst of failures does
        # not come back as a burst.
        return base / 2 + random.uniform(0, base / 2)

    async def _record(
        self,
        rows: Sequence[asyncpg.Record],
        outcomes: Sequence[Outcome],
        claim_id: uuid.UUID,
        stats: RoundStats,
    ) -> None:
        now = self.now()
        before = replace(stats)
        ids, statuses, due, errors = [], [], [], []
        gone: list[str] = []
        for row, outcome in zip(rows, outcomes, strict=True):
            ids.append(row["id"])
            attempts = row["attempts"]
            status, next_due, error = "sent", None, outcome.error
            if outcome.result is Result.sent:
                stats.sent += 1
            elif outcome.result is Result.token_gone:
                status = "dropped"
                gone.append(row["token"])
                stats.tokens_removed += 1
                log.info(
                    "push token %s rejected by the push service (%s): device removed",
                    token_hint(row["token"]),
                    outcome.error,
                )
            elif outcome.result is Result.failed or attempts >= self.config.max_attempts:
                status = "failed"
                stats.failed += 1
                log.error(
                    "push delivery %s (%s) failed for good after %d attempts: %s",
                    row["id"],
                    row["kind"],
                    attempts,
                    outcome.error,
                )
            elif outcome.result is Result.rate_limited:
                status = "pending"
                delay = (
                    outcome.retry_after if outcome.retry_after is not None else self._retry_delay(attempts)
                )
                next_due = now + timedelta(seconds=delay)
                stats.rate_limited += 1
            else:
                status = "pending"
                next_due = now + timedelta(seconds=self._retry_delay(attempts))
                stats.retried += 1
            statuses.append(status)
            due.append(next_due)
            errors.append(error)
        # Only FCM's 429s speak for the project's quota; a browser vendor's push
        # service limits its own subscriptions, each waiting for its Retry-After.
        self._maybe_pause(
            [o for row, o in zip(rows, outcomes, strict=True) if row.get("platform") != "webpush"], now
        )
        async with self.pool.acquire() as conn, conn.transaction():
            await conn.execute(_RECORD, ids, statuses, due, errors, now, claim_id)
            if gone:
                await conn.execute(FORGET_TOKENS, gone, "device unregistered at the push service")
        push_metrics.count_recorded(stats, before)

    def _maybe_pause(self, outcomes: Sequence[Outcome], now: datetime) -> None:
        # When most of a chunk is refused with 429, the quota is the
        # project's, not one phone's: stop claiming until Retry-After passes.
        # (One over-messaged phone gets 429 alone and only its push waits.)
        limited = [o for o in outcomes if o.result is Result.rate_limited]
        if len(limited) >= PAUSE_MIN_LIMITED and len(limited) * 2 > len(outcomes):
            wait = max((o.retry_after or self.config.backoff_base) for o in limited)
            until = now + timedelta(seconds=wait)
            if self._paused_until is None or until > self._paused_until:
                self._paused_until = until
            log.warning("FCM quota exceeded: pausing pushes for %.0f s", wait)

    # --- the loop ------------------------------------------------------------

    async def _next_wait(self) -> float:
        async with self.pool.acquire() as conn:
            next_due = await conn.fetchval(_NEXT_DUE)
        wait = self.config.idle_poll
        if next_due is not None:
            wait = min(wait, (next_due - self.now()).total_seconds())
        if self._paused_until is not None:
            wait = max(wait, (self._paused_until - self.now()).total_seconds())
        return max(0.0, wait)

    async def run_forever(self, dsn: str | None = None) -> None:
        """Send as work arrives until cancelled. ``dsn`` opens the LISTEN connection."""
        listener = asyncio.create_task(self._listen(dsn)) if dsn else None
        log.info("push dispatcher running (transport %s)", self.transport.name)
        try:
            while True:
                self._wake.clear()
                try:
                    stats = await self.run_once()
                    if stats.claimed:
                        log.info(
                            "push round: %d sent, %d retried, %d rate limited, %d tokens removed, %d failed",
                            stats.sent,
                            stats.retried,
                            stats.rate_limited,
                            stats.tokens_removed,
                            stats.failed,
                        )
                    wait = await self._next_wait()
                except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                    log.warning("push dispatcher: database unavailable (%s); retrying", exc)
                    wait = 2.0
                except Exception:
                    # A bug must not silently end all pushes: log it, keep going.
                    log.exception("push dispatcher: round failed; trying again shortly")
                    wait = 5.0
                if wait > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), wait)
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await listener
            log.info("push dispatcher stopped")

    def wake(self) -> None:
        self._wake.set()

    async def _listen(self, dsn: str) -> None:
        # A connection of its own: LISTEN needs a session that stays open,
        # which a pooled connection does not promise.
        while True:
            conn: asyncpg.Connection | None = None
            try:
                lost = asyncio.Event()
                conn = await asyncpg.connect(dsn)
                conn.add_termination_listener(lambda _, lost=lost: lost.set())
                await conn.add_listener(PUSH_CHANNEL, lambda *_: self._wake.set())
                self._wake.set()  # anything queued while we were not listening
                await lost.wait()
                log.warning("push dispatcher: LISTEN connection closed; reconnecting")
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("push dispatcher: LISTEN connection lost (%s); reconnecting", exc)
            finally:
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await conn.close()
            await asyncio.sleep(2)


async def run_dispatcher(
    pool: asyncpg.Pool,
    transport: Transport,
    now: Callable[[], datetime],
    dsn: str | None,
    config: DispatcherConfig | None = None,
) -> None:
    dispatcher = Dispatcher(pool, transport, now, config or DispatcherConfig())
    try:
        await dispatcher.run_forever(dsn)
    finally:
        await transport.close()
