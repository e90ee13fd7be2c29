"""SQL of the web portal: sessions, sign-in flows and the stand-in board."""

INSERT_SESSION = """
WITH swept AS (DELETE FROM web_sessions WHERE expires_at < $5)
INSERT INTO web_sessions (token_hash, person_id, csrf_token, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5 + ($6::int * interval '1 second'))
"""

SESSION = """
SELECT s.person_id, s.csrf_token, s.expires_at, p.name, p.locale
FROM web_sessions s JOIN people p ON p.id = s.person_id
WHERE s.token_hash = $1 AND s.expires_at > $2
"""

DELETE_SESSION = "DELETE FROM web_sessions WHERE token_hash = $1"

PERSON_BY_USERNAME = "SELECT id FROM people WHERE username = $1"

PERSON_BY_IDENTITY = "SELECT person_id FROM identities WHERE provider = $1 AND subject = $2"

# The demo users first (the contract's list), then a few generated ones.
DEV_USERS = """
SELECT username, name FROM people
WHERE username = any($1::text[])
ORDER BY array_position($1::text[], username)
"""

INSERT_FLOW = """
WITH swept AS (DELETE FROM web_login_flows WHERE expires_at < $6)
INSERT INTO web_login_flows
    (state_hash, provider, nonce, code_verifier, next_path, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $6 + interval '10 minutes')
"""

# A sign-in flow is used once: taking it deletes it.
TAKE_FLOW = """
DELETE FROM web_login_flows WHERE state_hash = $1 AND expires_at > $2
RETURNING provider, nonce, code_verifier, next_path
"""

# --- the stand-in board (until backend/attendance is merged) ---------------

# The class, whether the viewer may keep its board (its contact teacher or
# class team, or a leader of its school, in the running school year), and
# the school's local date. $1 viewer, $2 class, $3 instant.
BOARD_ACCESS = """
SELECT c.id, c.name, c.school_id, s.timezone,
       (($3::timestamptz) AT TIME ZONE s.timezone)::date AS today,
       EXISTS (
           SELECT 1 FROM staff_assignments sa
           WHERE sa.person_id = $1 AND sa.school_year_id = c.school_year_id
             AND ((sa.role IN ('contact_teacher', 'class_team') AND sa.class_id = c.id)
                  OR (sa.role = 'school_leader' AND sa.school_id = c.school_id))
       ) AND (($3::timestamptz) AT TIME ZONE s.timezone)::date
             BETWEEN sy.starts_on AND sy.ends_on AS allowed
FROM classes c
JOIN schools s ON s.id = c.school_id
JOIN school_years sy ON sy.id = c.school_year_id
WHERE c.id = $2
"""

# $1 class, $2 day
BOARD = """
SELECT p.id AS pupil_id, p.name, ar.id AS report_id, ar.reason, m.status AS mark,
       EXISTS (SELECT 1 FROM leave_requests lr
               WHERE lr.pupil_id = p.id AND lr.status = 'approved'
                 AND $2 BETWEEN lr.first_day AND lr.last_day) AS on_leave,
       (SELECT completed_at FROM web_board_checks
        WHERE class_id = $1 AND day = $2) AS check_completed_at
FROM class_enrollments ce
JOIN people p ON p.id = ce.pupil_id
LEFT JOIN LATERAL (
    SELECT r.id, r.reason FROM absence_reports r
    WHERE r.pupil_id = p.id AND $2 BETWEEN r.first_day AND r.last_day
    ORDER BY r.submitted_at LIMIT 1
) ar ON true
LEFT JOIN web_board_marks m ON m.class_id = ce.class_id AND m.day = $2 AND m.pupil_id = p.id
WHERE ce.class_id = $1
ORDER BY p.name, p.id
"""

# Marks only pupils of the class; returns how many were written.
UPSERT_MARKS = """
WITH written AS (
    INSERT INTO web_board_marks (class_id, day, pupil_id, status, marked_by, marked_at)
    SELECT $1, $2, m.pupil_id, m.status, $5, $6
    FROM unnest($3::uuid[], $4::text[]) AS m(pupil_id, status)
    WHERE EXISTS (SELECT 1 FROM class_enrollments ce
                  WHERE ce.class_id = $1 AND ce.pupil_id = m.pupil_id)
    ON CONFLICT (class_id, day, pupil_id)
    DO UPDATE SET status = excluded.status, marked_by = excluded.marked_by,
                  marked_at = excluded.marked_at
    RETURNING 1
)
SELECT count(*) FROM written
"""

COMPLETE_CHECK = """
INSERT INTO web_board_checks (class_id, day, completed_by, completed_at)
VALUES ($1, $2, $3, $4)
ON CONFLICT (class_id, day) DO NOTHING
"""

# The contact teacher's day limit at the school of the first of these pupils
# (a guardian's children are nearly always at one school), for the page's hint.
TEACHER_DAYS = """
SELECT s.leave_teacher_max_days FROM class_enrollments ce
JOIN classes c ON c.id = ce.class_id JOIN schools s ON s.id = c.school_id
WHERE ce.pupil_id = any($1::uuid[])
ORDER BY c.school_year_id DESC LIMIT 1
"""

CLASS_TIMEZONE = """
SELECT s.timezone FROM classes c JOIN schools s ON s.id = c.school_id WHERE c.id = $1
"""
