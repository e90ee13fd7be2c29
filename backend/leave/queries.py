"""SQL for leave requests."""

# Serialises requests for one pupil (the overlap check), and reads what the
# day count and the push need in the same round trip: the school's closed
# days in the span, the school year's bounds, the class team and the school's
# leaders (who decide requests beyond the contact teacher's limit).
# $1 pupil, $2 school, $3 class, $4 first day, $5 last day, $6 instant
CREATE_CONTEXT = """
SELECT pg_advisory_xact_lock(hashtextextended('leave:' || $1::text, 1)) IS NOT NULL AS locked,
       ARRAY(SELECT day FROM closed_days
             WHERE school_id = $2 AND day BETWEEN $4 AND $5) AS closed,
       sy.starts_on, sy.ends_on,
       ARRAY(SELECT DISTINCT cs.person_id FROM class_staff($6) cs
             WHERE cs.class_id = c.id AND cs.role IN ('contact_teacher', 'class_team')) AS team,
       ARRAY(SELECT DISTINCT cs.person_id FROM class_staff($6) cs
             WHERE cs.class_id = c.id AND cs.role = 'school_leader') AS leaders
FROM classes c JOIN school_years sy ON sy.id = c.school_year_id
WHERE c.id = $3
"""

# Inserts unless a pending or approved request already covers one of the days.
INSERT_REQUEST = """
INSERT INTO leave_requests
    (id, school_id, pupil_id, requested_by, first_day, last_day, reason, school_days, created_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
WHERE NOT EXISTS (
    SELECT 1 FROM leave_requests r
    WHERE r.pupil_id = $3 AND r.status IN ('pending', 'approved')
      AND r.first_day <= $6 AND r.last_day >= $5
)
RETURNING id
"""

# The columns of a request as shown, with the pupil's current class at the
# request's school and the viewer ($1) relations that decide visibility and
# who may decide (the access definitions, backend/db/definitions/access.sql: a guardian with
# access, or the class team and leaders of the pupil's class at that school
# now). $2 is the instant.
_SELECT = """
SELECT lr.id, lr.pupil_id, p.name AS pupil_name, cur.class_id, cur.class_name,
       lr.first_day, lr.last_day, lr.reason, lr.school_days, lr.status, lr.requested_by,
       rq.name AS requested_by_name, lr.created_at, lr.decided_by, dc.name AS decided_by_name,
       lr.decided_at, lr.decision_comment, lr.school_id, s.timezone, s.leave_teacher_max_days,
       (lr.pupil_id = $1) AS is_self,
       EXISTS (SELECT 1 FROM guardians_with_access($2) g
               WHERE g.guardian_id = $1 AND g.pupil_id = lr.pupil_id) AS is_guardian,
       ARRAY(SELECT DISTINCT cs.role FROM class_staff($2) cs
             JOIN class_enrollments ce ON ce.class_id = cs.class_id
             WHERE cs.person_id = $1 AND ce.pupil_id = lr.pupil_id
               AND cs.school_id = lr.school_id) AS staff_roles
FROM leave_requests lr
JOIN people p ON p.id = lr.pupil_id
JOIN people rq ON rq.id = lr.requested_by
JOIN schools s ON s.id = lr.school_id
LEFT JOIN people dc ON dc.id = lr.decided_by
LEFT JOIN LATERAL (
    SELECT c.id AS class_id, c.name AS class_name FROM class_enrollments ce
    JOIN classes c ON c.id = ce.class_id
    JOIN school_years sy ON sy.id = c.school_year_id
    WHERE ce.pupil_id = lr.pupil_id AND c.school_id = lr.school_id
      AND sy.starts_on <= (($2::timestamptz) AT TIME ZONE s.timezone)::date
    ORDER BY sy.starts_on DESC LIMIT 1
) cur ON true
"""

# The viewer's requests: their own as a pupil, their children's, and those of
# the pupils of the classes they are responsible for now.
# $3 status filter ('pending' | 'decided' | NULL), $4/$5 cursor, $6 limit.
LIST_REQUESTS = (
    _SELECT
    + """
WHERE lr.id IN (
    SELECT r.id FROM leave_requests r WHERE r.pupil_id = $1
    UNION
    SELECT r.id FROM guardians_with_access($2) g JOIN leave_requests r ON r.pupil_id = g.pupil_id
    WHERE g.guardian_id = $1
    UNION
    SELECT r.id FROM class_staff($2) cs JOIN class_enrollments ce ON ce.class_id = cs.class_id
    JOIN leave_requests r ON r.pupil_id = ce.pupil_id AND r.school_id = cs.school_id
    WHERE cs.person_id = $1
)
  AND ($3::text IS NULL
       OR ($3 = 'pending' AND lr.status = 'pending')
       OR ($3 = 'decided' AND lr.status <> 'pending'))
  AND ($4::timestamptz IS NULL OR (lr.created_at, lr.id) < ($4, $5::uuid))
  AND ($7::uuid IS NULL OR lr.pupil_id = $7)
ORDER BY lr.created_at DESC, lr.id DESC
LIMIT $6
"""
)

ONE_REQUEST = _SELECT + "WHERE lr.id = $3"

LOCK_REQUEST = """
SELECT id, pupil_id, school_id, status, school_days, first_day, last_day
FROM leave_requests WHERE id = $1 FOR UPDATE
"""

DECIDE = """
UPDATE leave_requests
SET status = $2, decided_by = $3, decided_at = $4, decision_comment = $5
WHERE id = $1 AND status = 'pending'
"""

# Guardians who may read about the pupil now (guardians_with_access). $1 pupil, $2 instant.
GUARDIANS_WITH_ACCESS = """
SELECT g.guardian_id FROM guardians_with_access($2) g WHERE g.pupil_id = $1 ORDER BY g.guardian_id
"""

AUDIT_READS = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
SELECT s, $1, p, 'leave_requests.read', $2
FROM unnest($3::uuid[], $4::uuid[]) AS x(s, p)
"""

# The contact teacher's day limit at the school of the first of these pupils
# (a guardian's children are nearly always at one school), for the page's hint.
TEACHER_DAYS = """
SELECT s.leave_teacher_max_days FROM class_enrollments ce
JOIN classes c ON c.id = ce.class_id JOIN schools s ON s.id = c.school_id
WHERE ce.pupil_id = any($1::uuid[])
ORDER BY c.school_year_id DESC LIMIT 1
"""
