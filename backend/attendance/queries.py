"""SQL for the morning board and roll call."""

# $1 viewer, $2 class, $3 instant, $4 the day asked for (NULL: today).
# The viewer's rights: the class team of the class and the school's leaders,
# while the class's school year runs (class_staff, backend/db/definitions/access.sql). A class of
# next school year has nobody yet: its board is nobody's to see.
CLASS_ACCESS = """
WITH c AS (
    SELECT c.id, c.name, c.grade, c.school_id, c.school_year_id, sy.starts_on, sy.ends_on,
           s.timezone, s.first_lesson_start,
           (($3::timestamptz) AT TIME ZONE s.timezone) AS local_now
    FROM classes c
    JOIN schools s ON s.id = c.school_id
    JOIN school_years sy ON sy.id = c.school_year_id
    WHERE c.id = $2
)
SELECT c.*, c.local_now::date AS local_today, c.local_now::time AS local_time,
       coalesce($4::date, c.local_now::date) AS day,
       EXISTS (SELECT 1 FROM closed_days cd
               WHERE cd.school_id = c.school_id
                 AND cd.day = coalesce($4::date, c.local_now::date)) AS closed,
       ARRAY(SELECT DISTINCT cs.role FROM class_staff($3) cs
             WHERE cs.person_id = $1 AND cs.class_id = c.id) AS roles
FROM c
"""

# Serialise roll calls of one class and day, and take the locks of the pupils
# marked absent (the key the absence service takes) so a report filed at the
# same instant either closes the new case or prevents it. Also names the
# pupils who are not in the class. $1 class, $2 day, $3 all pupils, $4 absent.
LOCK_AND_CHECK = """
SELECT pg_advisory_xact_lock(hashtextextended($1::uuid::text || $2::date::text, 2))
           IS NOT NULL AS class_lock,
       (SELECT count(pg_advisory_xact_lock(hashtextextended(x.p::text, 1)))
        FROM (SELECT p FROM unnest($4::uuid[]) AS p ORDER BY p) x) AS pupil_locks,
       ARRAY(SELECT x.p FROM unnest($3::uuid[]) AS x(p)
             WHERE NOT EXISTS (SELECT 1 FROM class_enrollments ce
                               WHERE ce.class_id = $1::uuid AND ce.pupil_id = x.p)) AS strangers
"""

# Write the marks; returns only the marks that are new or changed, with the
# status they had. $1 school, $2 class, $3 day, $4 pupils, $5 statuses,
# $6 roll time, $7 actor, $8 instant.
UPSERT_MARKS = """
WITH input AS (
    SELECT * FROM unnest($4::uuid[], $5::text[]) AS i(pupil_id, status)
), previous AS (
    SELECT m.pupil_id, m.status FROM attendance_marks m
    JOIN input i ON i.pupil_id = m.pupil_id WHERE m.day = $3
), written AS (
    INSERT INTO attendance_marks
        (pupil_id, day, school_id, class_id, status, roll_time, marked_by, marked_at)
    SELECT i.pupil_id, $3, $1, $2, i.status, $6, $7, $8 FROM input i
    ON CONFLICT (pupil_id, day) DO UPDATE
        SET status = excluded.status, roll_time = excluded.roll_time,
            class_id = excluded.class_id, marked_by = excluded.marked_by,
            marked_at = excluded.marked_at
        WHERE attendance_marks.status <> excluded.status
    RETURNING pupil_id, status
)
SELECT w.pupil_id, w.status, p.status AS previous
FROM written w LEFT JOIN previous p ON p.pupil_id = w.pupil_id
"""

COMPLETE = """
INSERT INTO class_checks (class_id, day, school_id, completed_by, completed_at)
VALUES ($1, $2, $3, $4, $5)
ON CONFLICT DO NOTHING
"""

# The board of one class and day. A pupil marked absent counts as reported
# only if a report covers the moment of the roll call (a report with times
# for the afternoon does not explain a morning absence).
BOARD = """
SELECT chk.completed_at, b.*
FROM (SELECT (SELECT completed_at FROM class_checks
              WHERE class_id = $1 AND day = $2) AS completed_at) chk
LEFT JOIN LATERAL (
    SELECT p.id AS pupil_id, p.name, m.status AS mark, r.id AS report_id, r.reason,
           l.id AS leave_id, mc.id AS case_id
    FROM class_enrollments ce
    JOIN people p ON p.id = ce.pupil_id
    LEFT JOIN attendance_marks m ON m.pupil_id = ce.pupil_id AND m.day = $2
    LEFT JOIN LATERAL (
        SELECT r.id, r.reason FROM absence_reports r
        WHERE r.pupil_id = ce.pupil_id AND $2 BETWEEN r.first_day AND r.last_day
          AND (m.status IS DISTINCT FROM 'absent' OR r.from_time IS NULL
               OR (m.roll_time >= r.from_time AND m.roll_time < r.to_time))
        ORDER BY r.from_time NULLS FIRST, r.submitted_at LIMIT 1
    ) r ON true
    LEFT JOIN LATERAL (
        SELECT l.id FROM leave_requests l
        WHERE l.pupil_id = ce.pupil_id AND l.status = 'approved'
          AND $2 BETWEEN l.first_day AND l.last_day
        LIMIT 1
    ) l ON true
    LEFT JOIN LATERAL (
        SELECT mc.id FROM missing_cases mc
        WHERE mc.pupil_id = ce.pupil_id AND mc.day = $2
        ORDER BY (mc.status <> 'resolved') DESC, mc.opened_at DESC LIMIT 1
    ) mc ON true
    WHERE ce.class_id = $1
) b ON true
ORDER BY b.name, b.pupil_id
"""

AUDIT_BOARD = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
SELECT $1, $2, x, 'attendance.board', $3 FROM unnest($4::uuid[]) AS x
"""
