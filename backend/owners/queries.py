"""SQL for the school owner's statistics (api.md: School owner statistics)."""

# Per school of district $1, grade and month of the school year $2 (its first calendar
# year; NULL: the latest started at each school) up to the school's today at instant $3;
# $4 one month (its first day) or NULL for all; $5 Norwegian public holidays. Days count
# school days only (weekdays that are not holidays nor the school's closed days).
#   pupils: enrolled in the school and grade that month (still, or left during or after it)
#   days_reported: whole days under an absence report; hours_reported: hours of timed reports
#   days_unexplained: roll call absent with no report and no approved leave
#   hours_unexplained: missed lessons neither reported, documented nor on leave
#   follow_ups_opened / _closed: follow-ups of the grade's pupils opened / closed that month
# Only counts leave the database: no id or name of a person.
STATISTICS = """
WITH yr AS MATERIALIZED (
    SELECT s.id AS school_id, s.name AS school_name, y.id AS year_id, y.starts_on,
           least(y.ends_on, y.local_today) AS until
    FROM schools s CROSS JOIN LATERAL requested_school_year(s.id, $2::int, $3) y
    WHERE s.district_id = $1
), months AS (
    SELECT yr.school_id, m::date AS first, (m + interval '1 month' - interval '1 day')::date AS last
    FROM yr CROSS JOIN LATERAL generate_series(date_trunc('month', yr.starts_on),
                                               date_trunc('month', yr.until), interval '1 month') m
    WHERE yr.until >= yr.starts_on AND ($4::date IS NULL OR m::date = $4)
), members AS MATERIALIZED (
    SELECT c.school_id, c.grade, ce.pupil_id, NULL::date AS left_on
    FROM yr JOIN classes c ON c.school_id = yr.school_id AND c.school_year_id = yr.year_id
    JOIN class_enrollments ce ON ce.class_id = c.id
    UNION ALL
    SELECT c.school_id, c.grade, fe.pupil_id, fe.left_at::date
    FROM yr JOIN classes c ON c.school_id = yr.school_id AND c.school_year_id = yr.year_id
    JOIN former_class_enrollments fe ON fe.class_id = c.id
), grades AS (
    SELECT DISTINCT school_id, grade FROM members
), school_days AS MATERIALIZED (
    SELECT yr.school_id, d::date AS day
    FROM yr CROSS JOIN LATERAL generate_series(yr.starts_on, yr.until, interval '1 day') d
    WHERE extract(isodow FROM d) < 6 AND NOT (d::date = any($5::date[]))
      AND NOT EXISTS (SELECT 1 FROM closed_days cd WHERE cd.school_id = yr.school_id AND cd.day = d::date)
), pupils AS (
    SELECT DISTINCT school_id, grade, pupil_id FROM members
), reported AS (
    SELECT p.school_id, p.grade, r.pupil_id, sd.day, r.from_time, r.to_time
    FROM pupils p
    JOIN absence_reports r ON r.pupil_id = p.pupil_id AND r.school_id = p.school_id
    JOIN school_days sd ON sd.school_id = p.school_id AND sd.day BETWEEN r.first_day AND r.last_day
), on_leave AS (
    SELECT p.school_id, l.pupil_id, sd.day
    FROM pupils p
    JOIN leave_requests l ON l.pupil_id = p.pupil_id AND l.school_id = p.school_id AND l.status = 'approved'
    JOIN school_days sd ON sd.school_id = p.school_id AND sd.day BETWEEN l.first_day AND l.last_day
), unexplained_days AS (
    SELECT p.school_id, p.grade, m.day
    FROM pupils p
    JOIN attendance_marks m ON m.pupil_id = p.pupil_id AND m.school_id = p.school_id AND m.status = 'absent'
    JOIN school_days sd ON sd.school_id = p.school_id AND sd.day = m.day
    WHERE NOT EXISTS (SELECT 1 FROM reported r WHERE r.pupil_id = m.pupil_id AND r.day = m.day)
      AND NOT EXISTS (SELECT 1 FROM on_leave l WHERE l.pupil_id = m.pupil_id AND l.day = m.day)
), unexplained_hours AS (
    SELECT p.school_id, p.grade, a.day, extract(epoch FROM a.ends_at - a.starts_at) / 3600.0 AS hours
    FROM pupils p
    JOIN subject_absences a ON a.pupil_id = p.pupil_id AND a.school_id = p.school_id AND NOT a.documented
    JOIN school_days sd ON sd.school_id = p.school_id AND sd.day = a.day
    WHERE NOT EXISTS (SELECT 1 FROM reported r WHERE r.pupil_id = a.pupil_id AND r.day = a.day
                        AND (r.from_time IS NULL OR (r.from_time < a.ends_at AND r.to_time > a.starts_at)))
      AND NOT EXISTS (SELECT 1 FROM on_leave l WHERE l.pupil_id = a.pupil_id AND l.day = a.day)
), follow_ups_of AS (
    SELECT p.school_id, p.grade, f.opened_on, f.closed_on
    FROM pupils p JOIN follow_ups f ON f.pupil_id = p.pupil_id AND f.school_id = p.school_id
    JOIN classes c ON c.id = f.class_id AND c.grade = p.grade
)
SELECT yr.school_id, yr.school_name, g.grade, m.first AS month,
    (SELECT count(DISTINCT mb.pupil_id) FROM members mb
     WHERE mb.school_id = g.school_id AND mb.grade = g.grade
       AND (mb.left_on IS NULL OR mb.left_on >= m.first)) AS pupils,
    (SELECT count(*) FROM reported r WHERE r.school_id = g.school_id AND r.grade = g.grade
       AND r.day BETWEEN m.first AND m.last AND r.from_time IS NULL) AS days_reported,
    (SELECT coalesce(sum(extract(epoch FROM r.to_time - r.from_time) / 3600.0), 0) FROM reported r
     WHERE r.school_id = g.school_id AND r.grade = g.grade
       AND r.day BETWEEN m.first AND m.last AND r.from_time IS NOT NULL)::float8 AS hours_reported,
    (SELECT count(*) FROM unexplained_days u WHERE u.school_id = g.school_id AND u.grade = g.grade
       AND u.day BETWEEN m.first AND m.last) AS days_unexplained,
    (SELECT coalesce(sum(u.hours), 0) FROM unexplained_hours u
     WHERE u.school_id = g.school_id AND u.grade = g.grade
       AND u.day BETWEEN m.first AND m.last)::float8 AS hours_unexplained,
    (SELECT count(*) FROM follow_ups_of f WHERE f.school_id = g.school_id AND f.grade = g.grade
       AND f.opened_on BETWEEN m.first AND m.last) AS follow_ups_opened,
    (SELECT count(*) FROM follow_ups_of f WHERE f.school_id = g.school_id AND f.grade = g.grade
       AND f.closed_on BETWEEN m.first AND m.last) AS follow_ups_closed
FROM yr JOIN grades g ON g.school_id = yr.school_id JOIN months m ON m.school_id = yr.school_id
ORDER BY yr.school_name, yr.school_id, g.grade, m.first
"""
