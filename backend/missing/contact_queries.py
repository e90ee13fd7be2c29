"""SQL of reaching guardians on a case: the ladder, its outbox, reports, contacts, the call list."""

from backend.missing.queries import GUARDIANS_TOLD, TEAM

ALERT_KINDS = "('missing_pupil', 'missing_pupil_escalation')"

# Is guardian ``{g}`` reached on case ``mc``: opened the case's alert, answered
# the case, or was reached by a staff member's call.
REACHED = f"""
(mc.resolved_by IS NOT DISTINCT FROM {{g}}
 OR EXISTS (SELECT 1 FROM notifications n
            WHERE n.person_id = {{g}} AND n.kind IN {ALERT_KINDS}
              AND n.data ->> 'case_id' = mc.id::text AND n.read_at IS NOT NULL)
 OR EXISTS (SELECT 1 FROM contact_attempts ca
            WHERE ca.case_id = mc.id AND ca.guardian_id = {{g}} AND ca.status = 'reached'))
"""

# The ladder's steps that are due and claimed now, once each across replicas
# (job_claims). $1 instant. A step is due ``sms_after_minutes`` /
# ``call_after_minutes`` after the case was sought (stage 'sought') and again
# after it was escalated (stage 'escalated'); never once anyone is reached.
# FOR UPDATE of the case: a guardian opening the alert right now either
# commits first (and the step is skipped) or waits for this step.
LADDER_CLAIM = f"""
WITH due AS (
    SELECT mc.id, mc.day, mc.school_id, st.stage, st.step
    FROM missing_cases mc
    JOIN schools s ON s.id = mc.school_id
    CROSS JOIN LATERAL (VALUES
        ('sought', 'sms', mc.sought_at + make_interval(mins => s.sms_after_minutes)),
        ('sought', 'call', mc.sought_at + make_interval(mins => s.call_after_minutes)),
        ('escalated', 'sms', mc.escalated_at + make_interval(mins => s.sms_after_minutes)),
        ('escalated', 'call', mc.escalated_at + make_interval(mins => s.call_after_minutes))
    ) AS st(stage, step, at)
    WHERE mc.status IN ('sought', 'escalated') AND mc.reached_at IS NULL
      AND mc.day = (($1::timestamptz) AT TIME ZONE s.timezone)::date
      AND st.at <= $1
    ORDER BY mc.id
    FOR UPDATE OF mc SKIP LOCKED
), claimed AS (
    INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
    SELECT 'missing-ladder:' || stage || ':' || step, id, day, $1 FROM due
    ON CONFLICT DO NOTHING
    RETURNING job, unit_id
)
SELECT d.id, d.stage, d.step, mc.pupil_id, mc.class_id, mc.school_id,
       p.name AS pupil_name, c.name AS class_name,
       {TEAM.format(cls="mc.class_id", at="$1")} AS team
FROM claimed cl
JOIN due d ON cl.unit_id = d.id AND cl.job = 'missing-ladder:' || d.stage || ':' || d.step
JOIN missing_cases mc ON mc.id = d.id
JOIN people p ON p.id = mc.pupil_id
JOIN classes c ON c.id = mc.class_id
ORDER BY d.id, d.stage, d.step
"""

# Queue one SMS per guardian with access who has a mobile number and one
# e-mail per guardian with an address. $1 cases, $2 stages, $3 instant.
QUEUE_MESSAGES = f"""
INSERT INTO contact_attempts
    (case_id, school_id, guardian_id, channel, stage, status, address, created_at, updated_at)
SELECT mc.id, mc.school_id, gp.id, ch.channel, x.stage, 'queued', ch.address, $3, $3
FROM unnest($1::uuid[], $2::text[]) AS x(case_id, stage)
JOIN missing_cases mc ON mc.id = x.case_id
JOIN people p ON p.id = mc.pupil_id
CROSS JOIN LATERAL unnest({GUARDIANS_TOLD.format(at="$3")}) AS gt(guardian_id)
JOIN people gp ON gp.id = gt.guardian_id
CROSS JOIN LATERAL (VALUES ('sms', gp.mobile), ('email', gp.email)) AS ch(channel, address)
-- Someone removed from the roster is no longer notified (product.md: Roster).
WHERE ch.address IS NOT NULL AND gp.deactivated_at IS NULL
RETURNING channel
"""

CALL_REQUESTED = """
UPDATE missing_cases SET call_requested_at = coalesce(call_requested_at, $2)
WHERE id = any($1::uuid[])
"""

# Claim queued SMS and e-mails to hand to the providers. $1 instant, $2 lease
# end, $3 limit. A row whose case was reached or closed meanwhile is not sent.
OUTBOX_CLAIM = """
WITH due AS (
    SELECT id FROM contact_attempts
    WHERE status = 'queued' AND handed_at IS NULL
      AND (claimed_until IS NULL OR claimed_until <= $1)
    ORDER BY id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
), claimed AS (
    UPDATE contact_attempts ca SET claimed_until = $2, attempts = ca.attempts + 1, updated_at = $1
    FROM due WHERE ca.id = due.id
    RETURNING ca.*
)
SELECT cl.id, cl.channel, cl.stage, cl.address, cl.attempts, cl.case_id, cl.guardian_id,
       gp.locale, pu.name AS pupil_name, s.name AS school_name, s.office_phone,
       (mc.reached_at IS NOT NULL OR mc.status = 'resolved') AS stale
FROM claimed cl
JOIN missing_cases mc ON mc.id = cl.case_id
JOIN people gp ON gp.id = cl.guardian_id
JOIN people pu ON pu.id = mc.pupil_id
JOIN schools s ON s.id = cl.school_id
"""

# Writes what the providers answered. $1 ids, $2 statuses, $3 provider ids,
# $4 errors, $5 handed over?, $6 not before (a retry), $7 instant.
OUTBOX_RECORD = """
UPDATE contact_attempts ca SET
    status = o.status,
    provider_id = coalesce(o.provider_id, ca.provider_id),
    error = o.error,
    handed_at = CASE WHEN o.handed THEN $7 ELSE ca.handed_at END,
    claimed_until = o.retry_at,
    updated_at = $7
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::timestamptz[])
    AS o(id, status, provider_id, error, handed, retry_at)
WHERE ca.id = o.id
"""

# Someone was reached before these went out: they never will.
OUTBOX_DROP = "DELETE FROM contact_attempts WHERE id = any($1::bigint[]) AND handed_at IS NULL"

# A delivery report moves an SMS forward, never back: queued < sent < delivered/failed
# (reports may arrive late and out of order). $1 provider id, $2 status, $3 error, $4 instant.
APPLY_REPORT = """
UPDATE contact_attempts SET status = $2, error = coalesce($3, error), updated_at = $4
WHERE channel = 'sms' AND provider_id = $1
  AND (CASE status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 ELSE 2 END)
      < (CASE $2::text WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 ELSE 2 END)
RETURNING id, case_id
"""

# Opening an inbox item: a guardian's case alert marks the case reached; a test
# alert confirms the guardian. $1 notification, $2 person, $3 instant.
AFTER_READ = f"""
WITH n AS (
    SELECT id, person_id, kind, data FROM notifications
    WHERE id = $1 AND person_id = $2 AND kind IN ('missing_pupil', 'missing_pupil_escalation', 'test_alert')
), reached AS (
    UPDATE missing_cases mc SET reached_at = $3
    FROM n
    WHERE n.kind IN {ALERT_KINDS} AND mc.id = (n.data ->> 'case_id')::uuid AND mc.reached_at IS NULL
      AND EXISTS (SELECT 1 FROM guardians_with_access($3) g
                  WHERE g.guardian_id = n.person_id AND g.pupil_id = mc.pupil_id)
    RETURNING mc.id
), confirmed AS (
    INSERT INTO test_alert_confirmations (test_alert_id, guardian_id, confirmed_at)
    SELECT (n.data ->> 'test_alert_id')::uuid, n.person_id, $3 FROM n
    JOIN test_alerts t ON t.id = (n.data ->> 'test_alert_id')::uuid
    WHERE n.kind = 'test_alert'
    ON CONFLICT DO NOTHING
    RETURNING 1
)
SELECT (SELECT array_agg(id) FROM reached) AS reached, (SELECT count(*) FROM confirmed) AS confirmed
"""

# $1 case, $2 instant.
MARK_REACHED = "UPDATE missing_cases SET reached_at = coalesce(reached_at, $2) WHERE id = $1"

# Every attempt to reach a guardian with access on one case: pushes from the
# inbox and its deliveries, SMS/e-mails/calls from contact_attempts.
# The guardians are those with access when the case was sought (when they were told).
# $1 case, $2 only this guardian (NULL: all).
CASE_CONTACTS = f"""
WITH mc AS (SELECT * FROM missing_cases WHERE id = $1),
push AS (
    SELECT n.person_id AS guardian_id, 'push' AS channel,
           CASE WHEN n.read_at IS NOT NULL THEN 'opened'
                WHEN bool_or(d.status = 'sent') THEN 'sent'
                WHEN count(d.id) = 0 OR bool_and(d.status IN ('failed', 'dropped')) THEN 'failed'
                ELSE 'queued' END AS status,
           coalesce(n.read_at, max(d.sent_at), n.created_at) AS at, n.created_at AS created
    FROM mc
    JOIN notifications n ON n.data ->> 'case_id' = mc.id::text AND n.kind IN {ALERT_KINDS}
    JOIN LATERAL guardians_with_access(coalesce(mc.sought_at, mc.opened_at)) g
         ON g.guardian_id = n.person_id AND g.pupil_id = mc.pupil_id
    LEFT JOIN deliveries d ON d.notification_id = n.id
    GROUP BY n.id, n.person_id, n.read_at, n.created_at
), other AS (
    SELECT ca.guardian_id, ca.channel, ca.status, ca.updated_at AS at, ca.created_at AS created
    FROM contact_attempts ca WHERE ca.case_id = $1
), everything AS (
    SELECT * FROM push UNION ALL SELECT * FROM other
)
SELECT e.guardian_id, p.name, e.channel, e.status, e.at
FROM everything e JOIN people p ON p.id = e.guardian_id
WHERE $2::uuid IS NULL OR e.guardian_id = $2
ORDER BY e.created, e.channel, p.name
"""

# The guardians with access, with their mobile numbers, not yet reached first.
# $1 case, $2 instant.
CALL_LIST = f"""
SELECT gp.id AS guardian_id, gp.name, gp.mobile, g.access, {REACHED.format(g="gp.id")} AS reached
FROM missing_cases mc
JOIN guardians_with_access($2) g ON g.pupil_id = mc.pupil_id
JOIN people gp ON gp.id = g.guardian_id
WHERE mc.id = $1 AND gp.deactivated_at IS NULL
ORDER BY reached, gp.name, gp.id
"""

AUDIT_CALL_LIST = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
VALUES ($1, $2, $3, 'missing_cases.call_list', $4)
"""

# Is the guardian one of the case's guardians with access? $1 case, $2 guardian, $3 instant.
CASE_GUARDIAN = f"""
SELECT true FROM missing_cases mc JOIN people p ON p.id = mc.pupil_id
WHERE mc.id = $1 AND $2::uuid = any({GUARDIANS_TOLD.format(at="$3::timestamptz")})
"""

# $1 case, $2 school, $3 guardian, $4 status, $5 actor, $6 note, $7 instant.
LOG_CALL = """
INSERT INTO contact_attempts
    (case_id, school_id, guardian_id, channel, status, actor_id, note, handed_at, created_at, updated_at)
VALUES ($1, $2, $3, 'call', $4, $5, $6, $7, $7, $7)
RETURNING id
"""

MY_CONTACT = "SELECT mobile, email FROM people WHERE id = $1"

# The person's unread alerts of one case (opening the case page reads them).
# $1 case, $2 person.
UNREAD_CASE_ALERTS = f"""
SELECT id FROM notifications
WHERE person_id = $2 AND kind IN {ALERT_KINDS} AND data ->> 'case_id' = ($1::uuid)::text AND read_at IS NULL
ORDER BY created_at, id
"""
