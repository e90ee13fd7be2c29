"""SQL of the case-staff decisions (backend/access/case_staff.py)."""

# The class team of the class and the leaders of its school, while the class's
# school year runs (class_staff, backend/db/definitions/access.sql): $1 viewer, $2 class, $3 instant.
# One row when the class exists.
CLASS_STAFF = """
SELECT c.id AS class_id, c.school_id, c.name AS class_name, s.timezone,
       (($3::timestamptz) AT TIME ZONE s.timezone)::date AS local_today,
       ARRAY(SELECT DISTINCT cs.role FROM class_staff($3) cs
             WHERE cs.person_id = $1 AND cs.class_id = c.id) AS roles
FROM classes c JOIN schools s ON s.id = c.school_id
WHERE c.id = $2
"""

# The same for the class of one missing-pupil case: $1 viewer, $2 case, $3 instant.
CASE_STAFF = """
SELECT mc.id AS case_id, mc.pupil_id, mc.class_id, mc.school_id, mc.day, mc.status,
       s.timezone,
       ARRAY(SELECT DISTINCT cs.role FROM class_staff($3) cs
             WHERE cs.person_id = $1 AND cs.class_id = c.id) AS roles
FROM missing_cases mc
JOIN classes c ON c.id = mc.class_id
JOIN schools s ON s.id = mc.school_id
WHERE mc.id = $2
"""
