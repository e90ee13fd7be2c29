"""SQL for messaging."""

# --- Who may be addressed about a pupil ------------------------------------
# Everyone who sees the pupil now, by the access definitions (backend/db/definitions/access.sql):
# the staff of the pupil (class team, subject teachers, leaders) and the
# guardians with access. $1 pupil, $2 instant, $3 the caller.
# The caller's name and locale come along for the texts.
CANDIDATES = """
WITH staff AS (
    SELECT DISTINCT ps.person_id, ps.role FROM pupil_staff($2) ps WHERE ps.pupil_id = $1
      AND ps.role <> 'former_school_leader'  -- reads the record only; addressed by nobody
),
guardians AS (
    SELECT g.guardian_id AS person_id, 'guardian' AS role
    FROM guardians_with_access($2) g WHERE g.pupil_id = $1
)
SELECT x.person_id, x.role, p.name, p.office_hours, NULL::text AS locale
FROM (SELECT * FROM staff UNION ALL SELECT * FROM guardians) x
JOIN people p ON p.id = x.person_id
UNION ALL
SELECT me.id, 'caller', me.name, NULL, me.locale FROM people me WHERE me.id = $3
ORDER BY 3, 1
"""

# --- Writing ----------------------------------------------------------------
# A new thread, its participants (parallel arrays $8..$10) and first message.
# $1 thread, $2 school, $3 pupil, $4 subject, $5 sender, $6 instant,
# $7 message id, $8 participant ids, $9 roles, $10 message body.
# The sender has read their own message.
CREATE_THREAD = """
WITH t AS (
    INSERT INTO message_threads
        (id, school_id, pupil_id, subject, created_by, created_at, last_message_at)
    VALUES ($1, $2, $3, $4, $5, $6, $6)
    RETURNING id
), p AS (
    INSERT INTO thread_participants (thread_id, person_id, school_id, role, joined_at, last_read_at)
    SELECT (SELECT id FROM t), x.person_id, $2, x.role, $6,
           CASE WHEN x.person_id = $5 THEN $6::timestamptz END
    FROM unnest($8::uuid[], $9::text[]) AS x(person_id, role)
)
INSERT INTO messages (id, thread_id, school_id, sender_id, body, sent_at)
SELECT $7, id, $2, $5, $10, $6 FROM t
"""

# Adds a message, moves the thread's activity and marks it read for the
# sender. $1 message, $2 thread, $3 school, $4 sender, $5 body, $6 instant.
ADD_MESSAGE = """
WITH m AS (
    INSERT INTO messages (id, thread_id, school_id, sender_id, body, sent_at)
    VALUES ($1, $2, $3, $4, $5, $6)
), t AS (
    UPDATE message_threads SET last_message_at = greatest(last_message_at, $6) WHERE id = $2
)
UPDATE thread_participants SET last_read_at = greatest(last_read_at, $6)
WHERE thread_id = $2 AND person_id = $4
"""

# Everything up to now, or up to the newest message if the clock was moved
# back, counts as read. $1 thread, $2 reader, $3 instant.
MARK_READ = """
UPDATE thread_participants tp
SET last_read_at = greatest(tp.last_read_at, $3::timestamptz,
                            (SELECT max(m.sent_at) FROM messages m WHERE m.thread_id = $1))
WHERE tp.thread_id = $1 AND tp.person_id = $2
"""

# --- Reading ----------------------------------------------------------------
# A thread the viewer takes part in, with its participants and messages.
# Nothing when the viewer is not a participant. $1 thread, $2 viewer.
THREAD_FOR_PARTICIPANT = """
SELECT t.id, t.subject, t.pupil_id, t.school_id, t.created_at, s.timezone,
       pp.name AS pupil_name, me.locale, me.name AS viewer_name,
       (SELECT json_agg(json_build_object(
                'user_id', p.person_id, 'name', pe.name, 'role', p.role,
                'last_read_at', p.last_read_at, 'office_hours', pe.office_hours)
                ORDER BY p.person_id <> t.created_by, pe.name COLLATE "C", p.person_id::text)
        FROM thread_participants p JOIN people pe ON pe.id = p.person_id
        WHERE p.thread_id = t.id) AS participants
FROM message_threads t
JOIN thread_participants mine ON mine.thread_id = t.id AND mine.person_id = $2
JOIN schools s ON s.id = t.school_id
JOIN people pp ON pp.id = t.pupil_id
JOIN people me ON me.id = $2
WHERE t.id = $1
"""

MESSAGES = """
SELECT m.id, m.sender_id, pe.name AS sender_name, m.body, m.sent_at
FROM messages m JOIN people pe ON pe.id = m.sender_id
WHERE m.thread_id = $1
ORDER BY m.sent_at, m.seq
"""

# The pupils of the viewer's threads. $1 viewer.
MY_THREAD_PUPILS = """
SELECT ARRAY(SELECT DISTINCT t.pupil_id FROM thread_participants tp
             JOIN message_threads t ON t.id = tp.thread_id WHERE tp.person_id = $1)
"""

# The viewer's threads about pupils they may still see, newest activity
# first, with how many messages from others arrived after their last read.
# $1 viewer, $2 visible pupils, $3/$4 cursor (last_message_at, id), $5 limit.
LIST_THREADS = """
SELECT t.id, t.subject, t.pupil_id, pp.name AS pupil_name, t.created_at, t.last_message_at,
       s.timezone, lm.sender_id AS last_sender_id, ls.name AS last_sender_name,
       (SELECT count(*) FROM messages m
        WHERE m.thread_id = t.id AND m.sender_id <> $1
          AND (tp.last_read_at IS NULL OR m.sent_at > tp.last_read_at)) AS unread
FROM thread_participants tp
JOIN message_threads t ON t.id = tp.thread_id
JOIN people pp ON pp.id = t.pupil_id
JOIN schools s ON s.id = t.school_id
LEFT JOIN LATERAL (
    SELECT m.sender_id FROM messages m WHERE m.thread_id = t.id
    ORDER BY m.sent_at DESC, m.seq DESC LIMIT 1
) lm ON true
LEFT JOIN people ls ON ls.id = lm.sender_id
WHERE tp.person_id = $1 AND t.pupil_id = any($2::uuid[])
  AND ($3::timestamptz IS NULL OR (t.last_message_at, t.id) < ($3, $4::uuid))
ORDER BY t.last_message_at DESC, t.id DESC
LIMIT $5
"""

# --- Office hours -------------------------------------------------------------
# Whether the person holds a staff role in a school year that runs now. $1 person, $2 instant.
OFFICE_HOURS = "SELECT office_hours FROM people WHERE id = $1"
SET_OFFICE_HOURS = "UPDATE people SET office_hours = $2::jsonb WHERE id = $1"
