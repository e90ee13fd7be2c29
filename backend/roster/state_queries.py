"""SQL of the roster's state as a school's leaders see it."""

# The last import or sync (the roster is one for every school we serve).
LAST_RUN = """
SELECT source, finished_at, summary FROM roster_runs ORDER BY finished_at DESC, id DESC LIMIT 1
"""

# People of school $1 this school year (its pupils, its staff, the guardians with
# access of its pupils) who cannot sign in: turned off in the school system
# (enabledUser=false) or with no Feide or ID-porten identity. $2 the instant.
# Capped at $3 rows; ``total`` counts them all.
CANNOT_SIGN_IN = """
WITH school_people AS (
    SELECT ce.pupil_id AS person_id, 'pupil' AS role
    FROM classes c
    JOIN running_school_years($2) ry ON ry.school_year_id = c.school_year_id
    JOIN class_enrollments ce ON ce.class_id = c.id
    WHERE c.school_id = $1
    UNION
    SELECT sa.person_id, CASE WHEN sa.role = 'school_leader' THEN 'leader' ELSE 'teacher' END
    FROM running_staff_assignments($2) sa
    WHERE sa.school_id = $1
    UNION
    SELECT g.guardian_id, 'guardian'
    FROM classes c
    JOIN running_school_years($2) ry ON ry.school_year_id = c.school_year_id
    JOIN class_enrollments ce ON ce.class_id = c.id
    JOIN guardians_with_access($2) g ON g.pupil_id = ce.pupil_id
    WHERE c.school_id = $1
), one_role AS (
    SELECT DISTINCT ON (person_id) person_id, role FROM school_people ORDER BY person_id, role
)
SELECT p.id, p.name, p.username, r.role,
       NOT p.sign_in_enabled AS turned_off,
       NOT EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id) AS no_identity,
       count(*) OVER () AS total
FROM one_role r
JOIN people p ON p.id = r.person_id
WHERE p.deactivated_at IS NULL
  AND (NOT p.sign_in_enabled OR NOT EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id))
ORDER BY r.role, p.name, p.id
LIMIT $3
"""
