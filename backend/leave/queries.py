"""SQL for leave requests."""

# Serialises requests for one pupil (the overlap check), and reads what the
# day count and the push need in the same round trip: the school's closed
# days in the span, the school year's bounds, the class team and the school's
# leaders (who decide requests beyond the contact teacher's limit).
# $1 pupil, $2 school, $3 class, $4 first day, $5 last day
CREATE_CONTEXT = """
SELECT pg_advisory_xact_lock(hashtextextended('leave:' || $1::text, 1)) IS NOT NULL AS locked,
       ARRAY(SELECT day FROM closed_days
             WHERE school_id = $2 AND day BETWEEN $4 AND $5) AS closed,
       sy.starts_on, sy.ends_on,
       ARRAY(SELECT DISTINCT sa.person_id FROM staff_assignments sa
             WHERE sa.class_id = c.id AND sa.school_year_id = c.school_year_id
               AND sa.role IN ('contact_teacher', 'class_team')) AS team,
       ARRAY(SELECT DISTINCT sa.person_id FROM staff_assignments sa
             WHERE sa.school_id = c.school_id AND sa.school_year_id = c.school_year_id
               AND sa.role = 'school_leader') AS leaders
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
# who may decide. $2 is the instant.
_SELECT = """
SELECT lr.id, lr.pupil_id, p.name AS pupil_name, cur.class_id, cur.class_name,
       lr.first_day, lr.last_day, lr.reason, lr.school_days, lr.status, lr.requested_by,
       rq.name AS requested_by_name, lr.created_at, lr.decided_by, dc.name AS decided_by_name,
       lr.decided_at, lr.decision_comment, lr.school_id, s.timezone, s.leave_teacher_max_days,
       (lr.pupil_id = $1) AS is_self,
       (g.access IN ('full', 'read_only')
        AND (p.birth_date IS NULL
             OR p.birth_date + interval '18 years'
                > (($2::timestamptz) AT TIME ZONE s.timezone)::date
             OR g.adult_consent)) AS is_guardian,
       coalesce(st.roles, '{}') AS staff_roles
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
LEFT JOIN guardian_relations g ON g.pupil_id = lr.pupil_id AND g.guardian_id = $1
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT sa.role) AS roles FROM staff_assignments sa
    JOIN school_years sy ON sy.id = sa.school_year_id
    WHERE sa.person_id = $1 AND sa.school_id = lr.school_id
      AND (($2::timestamptz) AT TIME ZONE s.timezone)::date BETWEEN sy.starts_on AND sy.ends_on
      AND (sa.role = 'school_leader'
           OR (sa.role IN ('contact_teacher', 'class_team') AND sa.class_id = cur.class_id))
) st ON true
"""

# The viewer's requests: their own as a pupil, their children's, their
# classes' and their schools'. The candidate ids come from indexed lookups;
# the outer WHERE applies the exact rules (access level, age, running year).
# $3 status filter ('pending' | 'decided' | NULL), $4/$5 cursor, $6 limit.
LIST_REQUESTS = (
    _SELECT
    + """
WHERE lr.id IN (
    SELECT r.id FROM leave_requests r WHERE r.pupil_id = $1
    UNION
    SELECT r.id FROM guardian_relations g2 JOIN leave_requests r ON r.pupil_id = g2.pupil_id
    WHERE g2.guardian_id = $1 AND g2.access <> 'none'
    UNION
    SELECT r.id FROM staff_assignments sa JOIN class_enrollments ce ON ce.class_id = sa.class_id
    JOIN leave_requests r ON r.pupil_id = ce.pupil_id
    WHERE sa.person_id = $1 AND sa.role IN ('contact_teacher', 'class_team')
    UNION
    SELECT r.id FROM staff_assignments sa JOIN leave_requests r ON r.school_id = sa.school_id
    WHERE sa.person_id = $1 AND sa.role = 'school_leader'
)
  AND ($3::text IS NULL
       OR ($3 = 'pending' AND lr.status = 'pending')
       OR ($3 = 'decided' AND lr.status <> 'pending'))
  AND ($4::timestamptz IS NULL OR (lr.created_at, lr.id) < ($4, $5::uuid))
  AND (lr.pupil_id = $1
       OR (g.access IN ('full', 'read_only')
           AND (p.birth_date IS NULL
                OR p.birth_date + interval '18 years'
                > (($2::timestamptz) AT TIME ZONE s.timezone)::date
                OR g.adult_consent))
       OR st.roles IS NOT NULL)
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

# Guardians who may read about the pupil now (full or read-only; from 18
# only with the pupil's consent). $2: whether the pupil is an adult.
GUARDIANS_WITH_ACCESS = """
SELECT guardian_id FROM guardian_relations
WHERE pupil_id = $1 AND access IN ('full', 'read_only') AND (NOT $2 OR adult_consent)
"""

AUDIT_READS = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
SELECT s, $1, p, 'leave_requests.read', $2
FROM unnest($3::uuid[], $4::uuid[]) AS x(s, p)
"""
