"""SQL for absence reports."""

from backend.access.policy_queries import with_pupil_relation

# The access policy's row and the closed days the span rule needs, in one round trip.
# $4 first day, $5 last day.
ACCESS_AND_CLOSED_DAYS = with_pupil_relation("""
SELECT access.*,
       ARRAY(SELECT day FROM closed_days
             WHERE school_id = access.school_id AND day BETWEEN $4 AND $5) AS closed,
       sy.starts_on AS year_start, sy.ends_on AS year_end
FROM access JOIN school_years sy ON sy.id = access.school_year_id
""")

# A report overlapping another for the pupil is refused by the trigger of migration 0041
# (exclusion_violation), which also serialises reports for one pupil.
INSERT_REPORT = """
INSERT INTO absence_reports
    (id, school_id, pupil_id, first_day, last_day, from_time, to_time, reason, note,
     submitted_at, submitted_by, deadline, late)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
"""

LIST_REPORTS = """
SELECT id, pupil_id, first_day, last_day, from_time, to_time, reason, note,
       submitted_at, submitted_by, deadline, late
FROM absence_reports
WHERE pupil_id = $1
  AND ($2::date IS NULL OR last_day >= $2)
  AND ($3::date IS NULL OR first_day <= $3)
  AND ($4::date IS NULL OR (first_day, id) < ($4, $5::uuid))
  AND ($7::uuid IS NULL OR school_id = $7)  -- PupilAccess.records_school_id
ORDER BY first_day DESC, id DESC
LIMIT $6
"""

REPORT_FOR_WITHDRAW = """
SELECT id, submitted_by, deadline FROM absence_reports
WHERE id = $1 AND pupil_id = $2 FOR UPDATE
"""

DELETE_REPORT = "DELETE FROM absence_reports WHERE id = $1"
