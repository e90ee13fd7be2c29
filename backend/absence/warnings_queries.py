"""SQL for written absence warnings (upper secondary): the list, sending, and the
warning e-mails' outbox. The drafting claim is summary_queries.CLAIM_WARNINGS, next
to the counting it shares with the summary."""

# $1 pupil, $2 only sent ones, $3 the only school whose warnings count (NULL = all).
LIST = """
SELECT w.id, w.subject, w.group_id, w.percent::float8 AS percent, w.status, w.created_at,
       w.sent_at, w.sent_by,
       coalesce((SELECT json_agg(json_build_object('person_id', r.person_id, 'name', r.name,
                                                   'role', r.role) ORDER BY r.role DESC, r.name)
                 FROM absence_warning_recipients r WHERE r.warning_id = w.id), '[]') AS recipients
FROM absence_warnings w
WHERE w.pupil_id = $1 AND (NOT $2 OR w.status = 'sent')
  AND ($3::uuid IS NULL OR w.school_id = $3)
ORDER BY w.created_at DESC, w.subject
"""

# The send is the claim: only a draft moves to sent, once. $1 warning, $2 pupil,
# $3 instant, $4 sender (NULL: sent automatically), $5 the only school (NULL = all).
MARK_SENT = """
UPDATE absence_warnings w SET status = 'sent', sent_at = $3, sent_by = $4, sent_percent = w.percent
FROM schools s
WHERE w.id = $1 AND w.pupil_id = $2 AND w.status = 'draft' AND s.id = w.school_id
  AND ($5::uuid IS NULL OR w.school_id = $5)
RETURNING w.id, w.pupil_id, w.subject, w.percent::float8 AS percent, w.school_id,
          s.name AS school_name, s.absence_limit_percent::float8 AS limit_percent
"""

# Whether the pupil's warning exists at all (tells 404 from 409). $1 warning, $2 pupil, $3 school.
EXISTS = """
SELECT status FROM absence_warnings
WHERE id = $1 AND pupil_id = $2 AND ($3::uuid IS NULL OR school_id = $3)
"""

# The recipients as they are now: names, e-mail addresses and languages. $1 people.
PEOPLE = "SELECT id, name, email, locale FROM people WHERE id = any($1::uuid[])"

INSERT_RECIPIENTS = """
INSERT INTO absence_warning_recipients (warning_id, person_id, name, role, email)
SELECT $1, x.person_id, x.name, x.role, x.email
FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[]) AS x(person_id, name, role, email)
ON CONFLICT DO NOTHING
"""

QUEUE_MAILS = """
INSERT INTO absence_warning_mails (warning_id, person_id, address, locale, queued_at)
SELECT $1, x.person_id, x.address, x.locale, $4
FROM unnest($2::uuid[], $3::text[], $5::text[]) AS x(person_id, address, locale)
"""

# A batch of queued e-mails with what the text needs; SKIP LOCKED keeps replicas apart.
CLAIM_MAILS = """
SELECT m.id, m.address, m.locale, p.name AS pupil_name, w.subject, w.sent_percent::float8 AS percent,
       s.name AS school_name, s.absence_limit_percent::float8 AS limit_percent
FROM absence_warning_mails m
JOIN absence_warnings w ON w.id = m.warning_id
JOIN people p ON p.id = w.pupil_id
JOIN schools s ON s.id = w.school_id
WHERE m.status = 'queued'
ORDER BY m.id
LIMIT $1
FOR UPDATE OF m SKIP LOCKED
"""

MAIL_DONE = """
UPDATE absence_warning_mails
SET status = $2::text, sent_at = CASE WHEN $2::text = 'sent' THEN $3::timestamptz END,
    attempts = attempts + 1, error = $4
WHERE id = $1
"""

# A retriable failure stays queued until the fifth attempt.
MAIL_RETRY = """
UPDATE absence_warning_mails
SET attempts = attempts + 1, error = $2, status = CASE WHEN attempts + 1 >= 5 THEN 'failed' ELSE 'queued' END
WHERE id = $1
"""

AUDIT = "INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at) VALUES ($1, $2, $3, $4, $5)"
