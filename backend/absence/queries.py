"""SQL for absence reports."""

# Serialises reports for one pupil so the overlap check below is reliable,
# and reads the closed days the span rule needs in the same round trip.
LOCK_PUPIL_AND_CLOSED_DAYS = """
SELECT pg_advisory_xact_lock(hashtextextended($1::text, 1)) IS NOT NULL AS locked,
       ARRAY(SELECT day FROM closed_days
             WHERE school_id = $2 AND day BETWEEN $3 AND $4) AS closed
"""

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

