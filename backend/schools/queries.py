"""SQL for school settings and closed days."""

# $1 viewer, $2 school, $3 instant. The viewer's roles at the school in its
# running school year; a leader of a year that has not started yet counts as a
# leader here (planning settings and closed days; README: access).
SCHOOL_ACCESS = """
WITH s AS (
    SELECT s.*, (($3::timestamptz) AT TIME ZONE s.timezone)::date AS local_today
    FROM schools s WHERE s.id = $2
)
SELECT s.id, s.name, s.timezone, s.report_deadline, s.check_reminder_at,
       s.first_lesson_start, s.first_lesson_end, s.first_recess_start, s.seek_policy,
       s.escalate_after_minutes, s.leave_teacher_max_days, s.still_sick_at,
       s.note_retention_days, s.local_today, s.roster_sync_at, s.feide_realm,
       s.office_phone, s.sms_after_minutes, s.call_after_minutes,
       ARRAY(SELECT DISTINCT sa.role FROM running_staff_assignments($3) sa
             WHERE sa.person_id = $1 AND sa.school_id = s.id
             UNION
             SELECT 'school_leader' WHERE will_lead_school($1, s.id, $3)) AS roles
FROM s
"""

UPDATE_SETTINGS = """
UPDATE schools SET timezone = $2, report_deadline = $3, check_reminder_at = $4,
       first_lesson_start = $5, first_lesson_end = $6, first_recess_start = $7,
       seek_policy = $8::jsonb, escalate_after_minutes = $9, leave_teacher_max_days = $10,
       still_sick_at = $11, note_retention_days = $12, roster_sync_at = $13, feide_realm = $14
WHERE id = $1
"""

# The ladder's settings (issue 9), written beside the routine's.
UPDATE_REACH_SETTINGS = """
UPDATE schools SET office_phone = $2, sms_after_minutes = $3, call_after_minutes = $4 WHERE id = $1
"""

LIST_CLOSED_DAYS = """
SELECT day, label FROM closed_days
WHERE school_id = $1
  AND ($2::date IS NULL OR day >= $2)
  AND ($3::date IS NULL OR day <= $3)
  AND ($4::date IS NULL OR day > $4)
ORDER BY day
LIMIT $5
"""

INSERT_CLOSED_DAY = """
INSERT INTO closed_days (school_id, day, label) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING day
"""

DELETE_CLOSED_DAY = "DELETE FROM closed_days WHERE school_id = $1 AND day = $2 RETURNING day"

INSERT_CLOSED_DAYS = """
INSERT INTO closed_days (school_id, day, label)
SELECT $1, d, l FROM unnest($2::date[], $3::text[]) AS t(d, l)
ON CONFLICT DO NOTHING RETURNING day, label
"""

CLASS_TIMEZONE = """
SELECT s.timezone FROM classes c JOIN schools s ON s.id = c.school_id WHERE c.id = $1
"""
