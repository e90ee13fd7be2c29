"""SQL for absence reports."""

from backend.auth.policy_queries import with_pupil_relation

# The access policy's row, a lock on the pupil and the closed days the span rule
# needs, in one round trip. The lock serialises reports for one pupil so the overlap
# check of INSERT_REPORT is reliable. It is a session-level advisory lock, so the
# insert may run as its own (autocommit) statement and still see every report
# committed by an earlier holder; it is released when the connection goes back to
# the pool (the service marks the connection with db.pool.unlock_on_release), which
# is after the insert has committed (or failed). $4 first day, $5 last day.
ACCESS_LOCK_AND_CLOSED_DAYS = with_pupil_relation("""
SELECT access.*,
       pg_advisory_lock(hashtextextended($2::text, 1)) IS NOT NULL AS locked,
       ARRAY(SELECT day FROM closed_days
             WHERE school_id = access.school_id AND day BETWEEN $4 AND $5) AS closed,
       sy.starts_on AS year_start, sy.ends_on AS year_end
FROM access JOIN school_years sy ON sy.id = access.school_year_id
""")

# Inserts unless a report for the pupil already covers part of the time.
INSERT_REPORT = """
INSERT INTO absence_reports
    (id, school_id, pupil_id, first_day, last_day, from_time, to_time, reason, note,
     submitted_at, submitted_by, deadline, late)
SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13
WHERE NOT EXISTS (
    SELECT 1 FROM absence_reports r
    WHERE r.pupil_id = $3 AND r.first_day <= $5 AND r.last_day >= $4
      AND (r.from_time IS NULL OR $6::time IS NULL OR (r.from_time < $7 AND r.to_time > $6))
)
RETURNING id
"""

LIST_REPORTS = """
SELECT id, pupil_id, first_day, last_day, from_time, to_time, reason, note,
       submitted_at, submitted_by, deadline, late
FROM absence_reports
WHERE pupil_id = $1
  AND ($2::date IS NULL OR last_day >= $2)
  AND ($3::date IS NULL OR first_day <= $3)
  AND ($4::date IS NULL OR (first_day, id) < ($4, $5::uuid))
ORDER BY first_day DESC, id DESC
LIMIT $6
"""

REPORT_FOR_WITHDRAW = """
SELECT id, submitted_by, deadline FROM absence_reports
WHERE id = $1 AND pupil_id = $2 FOR UPDATE
"""

DELETE_REPORT = "DELETE FROM absence_reports WHERE id = $1"
