"""SQL of retention and legal holds.

Each category erases in batches: one statement picks at most $2 expired rows with
``FOR UPDATE SKIP LOCKED`` (rows another run or a request holds are left for the
next batch) and deletes them by ``ctid``; each batch is its own short transaction.
$1 is the cut-off instant: rows that stopped being in use before it have expired.
"""

from __future__ import annotations

from dataclasses import dataclass

# Nothing about a pupil under a legal hold is erased.
_HELD_TEXT = "EXISTS (SELECT 1 FROM legal_holds h WHERE h.pupil_id::text = {expr})"
_HELD = "EXISTS (SELECT 1 FROM legal_holds h WHERE h.pupil_id = {expr})"


@dataclass(frozen=True, slots=True)
class Target:
    """One table of a category: which of its rows have expired at $1, and the (indexed)
    instant column a run walks them by."""

    table: str
    where: str
    key: str

    def erase(self) -> str:
        # Each batch starts where the last one ended ($3, the key's last value): a scan
        # from the start would step over every row the earlier batches deleted (dead until
        # vacuum), which made a run over millions of rows quadratic. Rows locked by someone
        # else are skipped and left for the next run.
        return f"""
WITH victims AS MATERIALIZED (
    SELECT t.ctid, t.{self.key} AS k FROM {self.table} t
    WHERE {self.where} AND t.{self.key} >= $3
    ORDER BY t.{self.key} LIMIT $2 FOR UPDATE OF t SKIP LOCKED
), gone AS (
    DELETE FROM {self.table} t WHERE t.ctid = ANY (ARRAY(SELECT ctid FROM victims)) RETURNING 1
)
SELECT (SELECT count(*) FROM gone) AS erased, (SELECT count(*) FROM victims) AS picked,
       (SELECT max(k) FROM victims) AS last
"""

    def count(self) -> str:
        return f"SELECT count(*) FROM {self.table} t WHERE {self.where}"


# category -> (setting that gives its days, the tables it erases from, in order)
CATEGORIES: dict[str, tuple[str, tuple[Target, ...]]] = {
    "deliveries": (
        "deliveries_days",
        (
            Target(
                "deliveries",
                "t.created_at < $1 AND t.status NOT IN ('pending', 'sending')"
                " AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.id = t.notification_id AND "
                + _HELD_TEXT.format(expr="n.data ->> 'pupil_id'")
                + ")",
                "created_at",
            ),
        ),
    ),
    "inbox": (
        "inbox_days",
        # An inbox item takes its remaining deliveries with it (ON DELETE CASCADE).
        (
            Target(
                "notifications",
                "t.created_at < $1 AND NOT " + _HELD_TEXT.format(expr="t.data ->> 'pupil_id'"),
                "created_at",
            ),
        ),
    ),
    "messages": (
        "messages_days",
        # A thread takes its messages and participants with it (ON DELETE CASCADE).
        (
            Target(
                "message_threads",
                "t.last_message_at < $1 AND NOT " + _HELD.format(expr="t.pupil_id"),
                "last_message_at",
            ),
        ),
    ),
    "contacts": (
        "contacts_days",
        (
            Target(
                "contact_attempts",
                "t.created_at < $1 AND t.status <> 'queued' AND NOT EXISTS ("
                "SELECT 1 FROM missing_cases c JOIN legal_holds h ON h.pupil_id = c.pupil_id"
                " WHERE c.id = t.case_id)",
                "created_at",
            ),
            # A written absence warning's e-mail (the warning itself is kept: the school
            # must show it was sent, and when, to whom).
            Target(
                "absence_warning_mails",
                "t.queued_at < $1 AND t.status <> 'queued' AND NOT EXISTS ("
                "SELECT 1 FROM absence_warnings w JOIN legal_holds h ON h.pupil_id = w.pupil_id"
                " WHERE w.id = t.warning_id)",
                "queued_at",
            ),
        ),
    ),
    "call_list_reads": (
        "call_list_reads_days",
        (
            Target(
                "audit_log",
                "t.at < $1 AND t.action = 'missing_cases.call_list' AND NOT "
                + _HELD.format(expr="t.pupil_id"),
                "at",
            ),
        ),
    ),
    "devices": ("devices_unseen_days", (Target("devices", "t.last_seen_at < $1", "last_seen_at"),)),
    "audit": (
        "audit_days",
        (
            Target(
                "audit_log",
                "t.at < $1 AND t.action <> 'missing_cases.call_list' AND NOT "
                + _HELD.format(expr="t.pupil_id"),
                "at",
            ),
            Target("data_exports", "t.at < $1", "at"),
            Target("retention_runs", "t.finished_at IS NOT NULL AND t.as_of < $1", "as_of"),
        ),
    ),
    "sessions": (
        "sessions_days",
        (
            Target("web_sessions", "t.expires_at < $1", "expires_at"),
            Target("web_login_flows", "t.expires_at < $1", "expires_at"),
            # A revoked family ends by its absolute expiry at the latest (30 days).
            Target("refresh_tokens", "t.family_expires_at < $1", "family_expires_at"),
        ),
    ),
    # Closed absence follow-ups and their logged actions (ON DELETE CASCADE).
    "follow_ups": (
        "follow_ups_days",
        (
            Target(
                "follow_ups",
                "t.status = 'closed' AND t.closed_at < $1 AND NOT " + _HELD.format(expr="t.pupil_id"),
                "closed_at",
            ),
        ),
    ),
    "idempotency_keys": (
        "idempotency_days",
        (Target("idempotency_keys", "t.created_at < $1", "created_at"),),
    ),
    "job_claims": ("job_claims_days", (Target("job_claims", "t.claimed_at < $1", "claimed_at"),)),
}

# Which of the tables the categories name exist in this database.
EXISTING_TABLES = """
SELECT array_agg(t) FROM unnest($1::text[]) AS t WHERE to_regclass(t) IS NOT NULL
"""

# Each batch is planned for its real cut-off and position (the pool's default is a
# generic plan, which cannot know how few rows qualify); for its transaction only.
CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"

# --- runs ----------------------------------------------------------------------------

# A run that stopped beating for this long died; its lock is released.
ABANDON_STALE = """
UPDATE retention_runs SET finished_at = clock_timestamp(), outcome = 'abandoned'
WHERE finished_at IS NULL AND heartbeat_at < clock_timestamp() - interval '15 minutes'
"""

# The run's row; for a real run also its lock (the partial unique index lets one
# unfinished real run exist at a time). No row back: another run is working.
START_RUN = """
INSERT INTO retention_runs (as_of, dry_run, started_by) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING id
"""

HEARTBEAT = "UPDATE retention_runs SET heartbeat_at = clock_timestamp() WHERE id = $1"

FINISH_RUN = """
UPDATE retention_runs SET finished_at = clock_timestamp(), outcome = $2, erased = $3::jsonb
WHERE id = $1
"""

# The nightly job: once a UTC day (the claim keeps it to one replica).
CLAIM_NIGHT = """
INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
VALUES ('retention', '00000000-0000-0000-0000-000000000000', ($1::timestamptz AT TIME ZONE 'UTC')::date, $1)
ON CONFLICT DO NOTHING RETURNING true
"""

# --- legal holds ---------------------------------------------------------------------

PLACE_HOLD = """
INSERT INTO legal_holds (pupil_id, school_id, reason, placed_by, placed_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT (pupil_id) DO UPDATE
SET reason = EXCLUDED.reason, placed_by = EXCLUDED.placed_by, placed_at = EXCLUDED.placed_at,
    school_id = EXCLUDED.school_id
RETURNING pupil_id, school_id, reason, placed_by, placed_at
"""

LIFT_HOLD = "DELETE FROM legal_holds WHERE pupil_id = $1 RETURNING pupil_id"

AUDIT = "INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at) VALUES ($1, $2, $3, $4, $5)"
