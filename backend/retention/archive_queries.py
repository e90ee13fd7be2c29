"""SQL of the archive extract (docs/archive-extract.md): a school year's pupils, the
schools they attended with dates, and their assessments."""

# The school and its year. $1 school, $2 the year's first calendar year.
SCHOOL_YEAR = """
SELECT s.id AS school_id, s.name AS school_name, s.timezone, s.report_deadline,
       s.leave_teacher_max_days, sy.id AS school_year_id, sy.name AS school_year_name,
       sy.starts_on, sy.ends_on
FROM schools s JOIN school_years sy ON sy.school_id = s.id
WHERE s.id = $1 AND extract(year FROM sy.starts_on) = $2
ORDER BY sy.starts_on LIMIT 1
"""

# Every pupil enrolled in a class of that year, now or before they left.
# $1 school year.
PUPILS = """
SELECT p.id AS pupil_id, p.name, p.birth_date, c.id AS class_id, c.name AS class_name, c.grade
FROM (SELECT class_id, pupil_id FROM class_enrollments
      UNION SELECT class_id, pupil_id FROM former_class_enrollments) e
JOIN classes c ON c.id = e.class_id
JOIN people p ON p.id = e.pupil_id
WHERE c.school_year_id = $1
ORDER BY p.id, c.grade DESC, c.id
"""

# Schools attended, from the class enrollments (kept, also after leaving):
# from the school year's first day (or the left date) to its last. $1 pupil.
ATTENDED = """
SELECT s.id AS school_id, s.name AS school_name, sy.name AS school_year, c.name AS class_name,
       c.grade, sy.starts_on AS from_day,
       CASE WHEN e.left_at IS NULL THEN sy.ends_on
            ELSE least(sy.ends_on, (e.left_at AT TIME ZONE s.timezone)::date) END AS to_day,
       e.left_at IS NOT NULL AS left_early
FROM (SELECT class_id, NULL::timestamptz AS left_at FROM class_enrollments WHERE pupil_id = $1
      UNION ALL
      SELECT class_id, left_at FROM former_class_enrollments WHERE pupil_id = $1) e
JOIN classes c ON c.id = e.class_id
JOIN school_years sy ON sy.id = c.school_year_id
JOIN schools s ON s.id = c.school_id
ORDER BY sy.starts_on, s.id, c.id
"""

# Published assessments of that year at that school. $1 pupil, $2 school year, $3 instant.
ASSESSMENTS = """
SELECT g.subject, a.kind, a.grade, a.comment, a.published_at, t.name AS teacher_name, a.id
FROM assessments a
JOIN teaching_groups g ON g.id = a.group_id
JOIN people t ON t.id = a.teacher_id
WHERE a.pupil_id = $1 AND g.school_year_id = $2 AND a.published_at <= $3
ORDER BY g.subject, a.published_at, a.id
"""
