"""SQL behind the access policy: one round trip per pupil decision."""

# $1 viewer, $2 school, $3 the instant. The school's time zone, and whether the viewer
# leads that school in a school year running on the school's local date.
SCHOOL_LEADER = """
SELECT s.timezone, EXISTS (
    SELECT 1 FROM staff_assignments sa
    JOIN school_years sy ON sy.id = sa.school_year_id
    WHERE sa.person_id = $1 AND sa.school_id = s.id AND sa.role = 'school_leader'
      AND (($3::timestamptz) AT TIME ZONE s.timezone)::date BETWEEN sy.starts_on AND sy.ends_on
) AS leads
FROM schools s WHERE s.id = $2
"""

# $1 viewer, $2 pupil, $3 the instant (service clock).
# The pupil's current placement is their enrollment in the latest school year
# that has started; staff rights count only while that year runs.
PUPIL_RELATION = """
SELECT p.id AS pupil_id, p.name AS pupil_name, p.birth_date,
       c.id AS class_id, c.name AS class_name, c.grade, c.school_year_id,
       s.id AS school_id, s.name AS school_name, s.timezone,
       s.report_deadline, s.leave_teacher_max_days,
       sy.ends_on >= (($3::timestamptz) AT TIME ZONE s.timezone)::date AS year_running,
       (($3::timestamptz) AT TIME ZONE s.timezone)::date AS local_today,
       g.access AS guardian_access, coalesce(g.adult_consent, false) AS adult_consent,
       coalesce(st.roles, '{}') AS staff_roles,
       coalesce(st.subjects, '{}') AS subjects
FROM people p
JOIN LATERAL (
    SELECT ce.class_id FROM class_enrollments ce
    JOIN classes c2 ON c2.id = ce.class_id
    JOIN school_years sy2 ON sy2.id = c2.school_year_id
    JOIN schools s2 ON s2.id = c2.school_id
    WHERE ce.pupil_id = p.id
      AND sy2.starts_on <= (($3::timestamptz) AT TIME ZONE s2.timezone)::date
    ORDER BY sy2.starts_on DESC
    LIMIT 1
) cur ON true
JOIN classes c ON c.id = cur.class_id
JOIN school_years sy ON sy.id = c.school_year_id
JOIN schools s ON s.id = c.school_id
LEFT JOIN guardian_relations g ON g.pupil_id = p.id AND g.guardian_id = $1
LEFT JOIN LATERAL (
    SELECT array_agg(DISTINCT sa.role) AS roles,
           array_agg(DISTINCT tg.subject) FILTER (WHERE tg.subject IS NOT NULL) AS subjects
    FROM staff_assignments sa
    LEFT JOIN teaching_groups tg ON tg.id = sa.group_id
    WHERE sa.person_id = $1
      AND sa.school_year_id = c.school_year_id
      AND (
        (sa.role = 'school_leader' AND sa.school_id = c.school_id)
        OR (sa.role IN ('contact_teacher', 'class_team') AND sa.class_id = c.id)
        OR (sa.role = 'subject_teacher' AND EXISTS (
              SELECT 1 FROM group_enrollments ge
              WHERE ge.group_id = sa.group_id AND ge.pupil_id = p.id))
      )
) st ON true
WHERE p.id = $2
"""


def with_pupil_relation(select: str) -> str:
    """One statement: the policy row above as ``access``, then a use case's ``select`` over it.

    Lets a use case read what it needs beside the access decision in the same round trip.
    ``$1``-``$3`` are the policy's (viewer, pupil, instant); the use case's start at ``$4``.
    """
    return "WITH access AS (" + PUPIL_RELATION + ")\n" + select


# $1 person. Staff of any school in any school year, or a system administrator:
# not tied to the running year, since the dev clock may have been moved out of it.
IS_STAFF = """
SELECT p.is_system_admin OR EXISTS (SELECT 1 FROM staff_assignments sa WHERE sa.person_id = p.id)
FROM people p WHERE p.id = $1
"""
