"""SQL for school settings and closed days."""

# $1 viewer, $2 school, $3 instant. The viewer's roles at the school in its
# running school year; a leader of a year that has not started yet counts as a
# leader here (planning settings and closed days; README: access).
SETTINGS = """
SELECT id, name, timezone, report_deadline, check_reminder_at,
       first_lesson_start, first_lesson_end, first_recess_start, seek_policy,
       escalate_after_minutes, leave_teacher_max_days, still_sick_at,
       note_retention_days, roster_sync_at, feide_realm,
       office_phone, sms_after_minutes, call_after_minutes,
       absence_limit_percent::float8 AS absence_limit_percent,
       absence_warning_percent::float8 AS absence_warning_percent,
       absence_warnings_automatic, absence_annual_hours, follow_up
FROM schools WHERE id = $1
"""

UPDATE_SETTINGS = """
UPDATE schools SET timezone = $2, report_deadline = $3, check_reminder_at = $4,
       first_lesson_start = $5, first_lesson_end = $6, first_recess_start = $7,
       seek_policy = $8::jsonb, escalate_after_minutes = $9, leave_teacher_max_days = $10,
       still_sick_at = $11, note_retention_days = $12, roster_sync_at = $13, feide_realm = $14
WHERE id = $1
"""

# The ladder's settings, written beside the routine's.
UPDATE_REACH_SETTINGS = """
UPDATE schools SET office_phone = $2, sms_after_minutes = $3, call_after_minutes = $4 WHERE id = $1
"""

# Upper secondary absence: the limit, the warning level, automatic warnings, annual hours.
UPDATE_ABSENCE_SETTINGS = """
UPDATE schools SET absence_limit_percent = $2, absence_warning_percent = $3,
       absence_warnings_automatic = $4, absence_annual_hours = $5::jsonb
WHERE id = $1
"""
# The rules for worrying absence (backend/follow_up), one jsonb group.
UPDATE_FOLLOW_UP_SETTINGS = "UPDATE schools SET follow_up = $2::jsonb WHERE id = $1"

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

# Which of the days $2 the school $1 has already closed.
CLOSED_AMONG = "SELECT day FROM closed_days WHERE school_id = $1 AND day = any($2::date[])"
