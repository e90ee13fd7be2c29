"""SQL for absence follow-ups."""

# The columns of a follow-up as shown, with the pupil's class at opening. Visibility
# is the access definition follow_up_staff (backend/db/definitions/access.sql).
_SELECT = """
SELECT f.id, f.pupil_id, p.name AS pupil_name, f.class_id, c.name AS class_name, f.school_id,
       s.timezone, f.status, f.opened_at, f.opened_on, f.closed_at, f.owner_id, f.rules
FROM follow_ups f
JOIN people p ON p.id = f.pupil_id
JOIN classes c ON c.id = f.class_id
JOIN schools s ON s.id = f.school_id
"""

# $1 viewer, $2 instant, $3 status, $4 class, $5 school, $6/$7 cursor, $8 limit.
LIST = (
    _SELECT
    + """
WHERE f.id IN (SELECT fs.follow_up_id FROM follow_up_staff($2) fs WHERE fs.person_id = $1)
  AND ($3::text IS NULL OR f.status = $3)
  AND ($4::uuid IS NULL OR f.class_id = $4)
  AND ($5::uuid IS NULL OR f.school_id = $5)
  AND ($6::timestamptz IS NULL OR (f.opened_at, f.id) < ($6, $7::uuid))
  AND ($9::uuid IS NULL OR f.pupil_id = $9)
ORDER BY f.opened_at DESC, f.id DESC
LIMIT $8
"""
)

# $1 viewer, $2 instant, $3 follow-up. No row: not the viewer's to see.
ONE = (
    _SELECT
    + """
WHERE f.id = $3
  AND EXISTS (SELECT 1 FROM follow_up_staff($2) fs WHERE fs.person_id = $1 AND fs.follow_up_id = f.id)
"""
)

# The same, locked for a change.
ONE_FOR_UPDATE = ONE + " FOR UPDATE OF f"

ACTIONS = """
SELECT a.id, a.kind, a.on_day, a.by_id, p.name AS by_name, a.logged_at
FROM follow_up_actions a JOIN people p ON p.id = a.by_id
WHERE a.follow_up_id = $1
ORDER BY a.logged_at, a.id
"""

INSERT_ACTION = """
INSERT INTO follow_up_actions (id, follow_up_id, kind, on_day, by_id, logged_at)
VALUES ($1, $2, $3, $4, $5, $6)
"""

PERSON_NAME = "SELECT name FROM people WHERE id = $1"

HAS_ACTION = "SELECT EXISTS (SELECT 1 FROM follow_up_actions WHERE follow_up_id = $1)"

CLOSE = """
UPDATE follow_ups SET status = 'closed', closed_at = $2, closed_on = $3, closed_by = $4
WHERE id = $1 AND status = 'open'
"""

# Staff reads of follow-ups go to the audit log of the follow-up's school.
AUDIT_READS = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
SELECT s, $1, p, $5, $2
FROM unnest($3::uuid[], $4::uuid[]) AS x(s, p)
"""

# --- the nightly job ------------------------------------------------------------

# Schools for which it is a school day at $1 and the evening has come (the day's
# roll call is over), with the running school year and the school's rules; not yet
# claimed tonight. $2 Norwegian public holidays, $3 the hour from which it is due.
DUE_SCHOOLS = """
SELECT s.id AS school_id, s.timezone, s.follow_up, l.local_now::date AS day,
       ry.school_year_id, ry.starts_on, ry.ends_on
FROM schools s
CROSS JOIN LATERAL (SELECT ($1::timestamptz AT TIME ZONE s.timezone) AS local_now) l
JOIN running_school_years($1) ry ON ry.school_id = s.id
WHERE extract(isodow FROM l.local_now) < 6
  AND NOT (l.local_now::date = any($2::date[]))
  AND NOT EXISTS (SELECT 1 FROM closed_days cd WHERE cd.school_id = s.id AND cd.day = l.local_now::date)
  AND l.local_now::time >= $3::time
  AND NOT EXISTS (SELECT 1 FROM job_claims j
                  WHERE j.job = 'absence-follow-up' AND j.unit_id = s.id
                    AND j.local_date = l.local_now::date)
ORDER BY s.id
"""

# One replica wins the school's night: the claim commits with the follow-ups.
CLAIM = """
INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
VALUES ('absence-follow-up', $1, $2, $3)
ON CONFLICT DO NOTHING RETURNING true
"""

CLOSED_DAYS = "SELECT day FROM closed_days WHERE school_id = $1 AND day BETWEEN $2 AND $3"

# Every day of absence of the school's pupils from $3 to $2 (the evening's local
# date), for pupils of the running year $4 with no open follow-up, after the
# closing day of their latest closed one. unexplained: roll call marked the pupil
# absent and no report covers the day. Days of approved leave are not absence.
# Whether a day is a school day (weekends, holidays, closed days) is the caller's.
# $1 school.
ABSENCE_DAYS = """
WITH pupils AS MATERIALIZED (
    SELECT ce.pupil_id, ce.class_id,
           coalesce((SELECT max(f.closed_on) FROM follow_ups f
                     WHERE f.pupil_id = ce.pupil_id AND f.school_id = $1 AND f.status = 'closed'),
                    $3::date - 1) AS after
    FROM class_enrollments ce
    JOIN classes c ON c.id = ce.class_id
    WHERE c.school_id = $1 AND c.school_year_id = $4
      AND NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.pupil_id = ce.pupil_id AND f.status = 'open')
), reported AS (
    SELECT r.pupil_id, d::date AS day
    FROM absence_reports r
    JOIN pupils p ON p.pupil_id = r.pupil_id
    CROSS JOIN LATERAL generate_series(greatest(r.first_day, p.after + 1), least(r.last_day, $2::date),
                                       interval '1 day') d
    WHERE r.school_id = $1 AND r.last_day > p.after AND r.first_day <= $2
), marked AS (
    SELECT m.pupil_id, m.day
    FROM attendance_marks m JOIN pupils p ON p.pupil_id = m.pupil_id
    WHERE m.school_id = $1 AND m.status = 'absent' AND m.day > p.after AND m.day <= $2
), days AS (
    SELECT pupil_id, day, false AS unexplained FROM reported
    UNION
    SELECT m.pupil_id, m.day, true FROM marked m
    WHERE NOT EXISTS (SELECT 1 FROM reported r WHERE r.pupil_id = m.pupil_id AND r.day = m.day)
)
SELECT d.pupil_id, p.class_id, d.day, d.unexplained
FROM days d JOIN pupils p ON p.pupil_id = d.pupil_id
WHERE NOT EXISTS (SELECT 1 FROM leave_requests l
                  WHERE l.pupil_id = d.pupil_id AND l.status = 'approved'
                    AND d.day BETWEEN l.first_day AND l.last_day)
ORDER BY d.pupil_id, d.day
"""

# Opens the follow-ups (never a second open one for a pupil: the partial unique
# index), with each class's contact teacher as the owner, and names who is told.
# $1 ids, $2 school, $3 pupils, $4 classes, $5 rules (json text), $6 instant, $7 local date.
OPEN = """
WITH opened AS (
    INSERT INTO follow_ups (id, school_id, pupil_id, class_id, owner_id, rules, opened_at, opened_on)
    SELECT x.id, $2, x.pupil_id, x.class_id,
           (SELECT cs.person_id FROM class_staff($6) cs
            WHERE cs.class_id = x.class_id AND cs.role = 'contact_teacher'
            ORDER BY cs.person_id LIMIT 1),
           x.rules::jsonb, $6, $7
    FROM unnest($1::uuid[], $3::uuid[], $4::uuid[], $5::text[]) AS x(id, pupil_id, class_id, rules)
    ON CONFLICT DO NOTHING
    RETURNING id, pupil_id, class_id
)
SELECT o.id, o.pupil_id, o.class_id, p.name AS pupil_name, c.name AS class_name,
       ARRAY(SELECT DISTINCT cs.person_id FROM class_staff($6) cs
             WHERE cs.class_id = o.class_id AND cs.role = 'contact_teacher') AS told
FROM opened o JOIN people p ON p.id = o.pupil_id JOIN classes c ON c.id = o.class_id
"""
