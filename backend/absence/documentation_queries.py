"""SQL for documented absence (upper secondary)."""

COLUMNS = """id, pupil_id, kind, first_day, last_day, to_char(from_time, 'HH24:MI') AS from_time,
       to_char(to_time, 'HH24:MI') AS to_time, recorded_by, recorded_at"""

# $1 pupil, $2 the only school whose records count (NULL = all).
LIST = f"""
SELECT {COLUMNS} FROM absence_documentation
WHERE pupil_id = $1 AND ($2::uuid IS NULL OR school_id = $2)
ORDER BY first_day DESC, recorded_at DESC
"""

INSERT = f"""
INSERT INTO absence_documentation (id, school_id, pupil_id, kind, first_day, last_day, from_time,
                                   to_time, recorded_by, recorded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7::text::time, $8::text::time, $9, $10)
RETURNING {COLUMNS}
"""

DELETE = """
DELETE FROM absence_documentation WHERE id = $1 AND pupil_id = $2 AND school_id = $3 RETURNING id
"""

# Calendar days of religious-holiday documentation the pupil has at the school in the
# school year that holds $3. $1 pupil, $2 school, $3 a day.
RELIGIOUS_DAYS = """
SELECT coalesce(sum(d.last_day - d.first_day + 1), 0)::int
FROM absence_documentation d
JOIN school_years y ON y.school_id = d.school_id AND $3::date BETWEEN y.starts_on AND y.ends_on
WHERE d.pupil_id = $1 AND d.school_id = $2 AND d.kind = 'religious_holiday'
  AND d.first_day BETWEEN y.starts_on AND y.ends_on
"""

AUDIT = "INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at) VALUES ($1, $2, $3, $4, $5)"
