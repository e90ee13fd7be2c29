"""SQL for the morning overview (backend/attendance/morning.py): a whole school in two statements.

Both take $1 the classes (already the viewer's: backend/access/class_scope.py) and
$2 the instant; each class's day is its school's local date.
"""

# Per class: its school's facts for today, the check, and the board's counts. A
# pupil's status is the board's (backend/attendance/service.py ``_status``): a
# present or late mark wins; then a report covering the roll call, approved leave,
# an absent mark, no mark. unaccounted = absent or not yet registered (as the 09:00
# reminder counts it).
CLASSES = """
WITH cls AS MATERIALIZED (
    SELECT c.id, c.name, c.grade, c.school_id, s.name AS school_name, s.timezone,
           s.check_reminder_at, sy.starts_on, sy.ends_on,
           (($2::timestamptz) AT TIME ZONE s.timezone)::date AS day,
           (($2::timestamptz) AT TIME ZONE s.timezone)::time AS local_time
    FROM classes c
    JOIN schools s ON s.id = c.school_id
    JOIN school_years sy ON sy.id = c.school_year_id
    WHERE c.id = ANY($1::uuid[])
), pupils AS MATERIALIZED (
    -- One status a pupil, each fact looked up only when the ones before it did not decide.
    SELECT cls.id AS class_id,
           CASE WHEN m.status IN ('present', 'late') THEN 'present'
                WHEN EXISTS (SELECT 1 FROM absence_reports r
                             WHERE r.pupil_id = ce.pupil_id AND cls.day BETWEEN r.first_day AND r.last_day
                               AND (m.status IS DISTINCT FROM 'absent' OR r.from_time IS NULL
                                    OR (m.roll_time >= r.from_time AND m.roll_time < r.to_time)))
                    THEN 'reported'
                WHEN EXISTS (SELECT 1 FROM leave_requests l
                             WHERE l.pupil_id = ce.pupil_id AND l.status = 'approved'
                               AND cls.day BETWEEN l.first_day AND l.last_day) THEN 'leave'
                WHEN m.status = 'absent' THEN 'absent'
                ELSE 'unregistered'
           END AS status
    FROM cls
    JOIN class_enrollments ce ON ce.class_id = cls.id
    LEFT JOIN attendance_marks m ON m.pupil_id = ce.pupil_id AND m.day = cls.day
), counts AS (
    SELECT class_id, count(*) AS pupils,
           count(*) FILTER (WHERE status = 'present') AS present,
           count(*) FILTER (WHERE status = 'reported') AS reported,
           count(*) FILTER (WHERE status = 'leave') AS on_leave,
           count(*) FILTER (WHERE status = 'absent') AS absent,
           count(*) FILTER (WHERE status = 'unregistered') AS unregistered
    FROM pupils GROUP BY class_id
)
SELECT cls.id AS class_id, cls.name, cls.grade, cls.school_id, cls.school_name, cls.timezone,
       cls.check_reminder_at, cls.starts_on, cls.ends_on, cls.day, cls.local_time,
       EXISTS (SELECT 1 FROM closed_days cd WHERE cd.school_id = cls.school_id AND cd.day = cls.day)
           AS closed,
       k.completed_at, k.completed_by, who.name AS completed_by_name,
       coalesce(n.pupils, 0) AS pupils, coalesce(n.present, 0) AS present,
       coalesce(n.reported, 0) AS reported, coalesce(n.on_leave, 0) AS on_leave,
       coalesce(n.absent, 0) AS absent, coalesce(n.unregistered, 0) AS unregistered
FROM cls
LEFT JOIN class_checks k ON k.class_id = cls.id AND k.day = cls.day
LEFT JOIN people who ON who.id = k.completed_by
LEFT JOIN counts n ON n.class_id = cls.id
"""

# The open missing-pupil cases of today in those classes, escalated first.
OPEN_CASES = """
SELECT mc.id, mc.class_id, mc.school_id, mc.pupil_id, p.name AS pupil_name, mc.status,
       mc.opened_at, mc.sought_at, mc.escalated_at, mc.reached_at
FROM classes c
JOIN schools s ON s.id = c.school_id
JOIN missing_cases mc ON mc.class_id = c.id
     AND mc.day = (($2::timestamptz) AT TIME ZONE s.timezone)::date
     AND mc.status <> 'resolved'
JOIN people p ON p.id = mc.pupil_id
WHERE c.id = ANY($1::uuid[])
ORDER BY (mc.status = 'escalated') DESC, mc.escalated_at, mc.sought_at NULLS LAST, mc.opened_at, mc.id
"""

# Staff reading that a pupil is sought: a read of their absence (product.md). The
# overview reads itself again on every change at the school (dozens of times a
# morning when it is open): one row a viewer, pupil and quarter of an hour says the
# same as one a refresh, keeps the log readable, and spares a refresh that adds no
# row the commit's disk flush. $1 viewer, $2 instant, $3 schools, $4 pupils, $5 action.
AUDIT_READS = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
SELECT x.school_id, $1, x.pupil_id, $5, $2
FROM unnest($3::uuid[], $4::uuid[]) AS x(school_id, pupil_id)
WHERE NOT EXISTS (
    SELECT 1 FROM audit_log a
    WHERE a.school_id = x.school_id AND a.at > $2::timestamptz - interval '15 minutes' AND a.at <= $2
      AND a.actor_id = $1 AND a.pupil_id = x.pupil_id AND a.action = $5)
"""

# The missing-pupil cases of one class on one day (the board page), open ones first,
# escalated first among them. $1 class, $2 day.
CLASS_DAY_CASES = """
SELECT mc.id, mc.class_id, mc.school_id, mc.pupil_id, p.name AS pupil_name, mc.status,
       mc.opened_at, mc.sought_at, mc.escalated_at, mc.reached_at, s.timezone
FROM missing_cases mc
JOIN people p ON p.id = mc.pupil_id
JOIN schools s ON s.id = mc.school_id
WHERE mc.class_id = $1 AND mc.day = $2
ORDER BY (mc.status = 'resolved'), (mc.status = 'escalated') DESC, mc.opened_at, mc.id
"""
