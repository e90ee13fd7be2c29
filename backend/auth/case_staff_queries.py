"""SQL of the case-staff decisions (backend/auth/case_staff.py)."""

# The class team of the class and the leaders of its school, while their school
# year runs: $1 viewer, $2 class, $3 instant. One row when the class exists.
CLASS_STAFF = """
SELECT c.id AS class_id, c.school_id, c.name AS class_name, s.timezone,
       (($3::timestamptz) AT TIME ZONE s.timezone)::date AS local_today,
       ARRAY(SELECT DISTINCT sa.role FROM staff_assignments sa
             JOIN school_years sy ON sy.id = sa.school_year_id
             WHERE sa.person_id = $1
               AND sy.ends_on >= (($3::timestamptz) AT TIME ZONE s.timezone)::date
               AND ((sa.role IN ('contact_teacher', 'class_team') AND sa.class_id = c.id)
                    OR (sa.role = 'school_leader' AND sa.school_id = c.school_id
                        AND sa.school_year_id = c.school_year_id))) AS roles
FROM classes c JOIN schools s ON s.id = c.school_id
WHERE c.id = $2
"""

# The same for the class of one missing-pupil case: $1 viewer, $2 case, $3 instant.
CASE_STAFF = """
SELECT mc.id AS case_id, mc.pupil_id, mc.class_id, mc.school_id, mc.day, mc.status,
       s.timezone,
       ARRAY(SELECT DISTINCT sa.role FROM staff_assignments sa
             JOIN school_years sy ON sy.id = sa.school_year_id
             WHERE sa.person_id = $1
               AND sy.ends_on >= (($3::timestamptz) AT TIME ZONE s.timezone)::date
               AND ((sa.role IN ('contact_teacher', 'class_team') AND sa.class_id = c.id)
                    OR (sa.role = 'school_leader' AND sa.school_id = c.school_id
                        AND sa.school_year_id = c.school_year_id))) AS roles
FROM missing_cases mc
JOIN classes c ON c.id = mc.class_id
JOIN schools s ON s.id = mc.school_id
WHERE mc.id = $2
"""
