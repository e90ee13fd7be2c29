"""SQL for /me: everything in one round trip."""

# $1 person, $2 instant. Roles count in the running school year (backend/db/definitions/access.sql).
ME = """
WITH mine AS (
    SELECT sa.* FROM running_staff_assignments($2) sa WHERE sa.person_id = $1
)
SELECT p.id, p.name, p.locale, p.is_system_admin,
  (SELECT coalesce(json_agg(json_build_object(
        'pupil_id', c.id, 'name', c.name, 'may_act', g.may_act,
        'class_name', cl.name, 'grade', cl.grade)
        ORDER BY c.name), '[]')
   FROM guardians_with_access($2) g
   JOIN people c ON c.id = g.pupil_id
   CROSS JOIN LATERAL pupil_placement(c.id, $2) pl
   JOIN classes cl ON cl.id = pl.class_id
   WHERE g.guardian_id = p.id) AS children,
  (SELECT coalesce(json_agg(json_build_object(
        'class_id', cl.id, 'name', cl.name, 'grade', cl.grade,
        'is_contact_teacher', x.contact) ORDER BY cl.grade, cl.name), '[]')
   -- The classes whose board is theirs: the same definition as the board's access.
   FROM (SELECT class_id, bool_or(role = 'contact_teacher') AS contact FROM class_staff($2)
         WHERE person_id = $1 GROUP BY class_id) x
   JOIN classes cl ON cl.id = x.class_id) AS classes,
  (SELECT coalesce(json_agg(json_build_object(
        'group_id', tg.id, 'name', tg.name, 'subject', tg.subject, 'class_id', tg.class_id)
        ORDER BY tg.name), '[]')
   FROM mine m JOIN teaching_groups tg ON tg.id = m.group_id
   WHERE m.role = 'subject_teacher') AS groups,
  (SELECT coalesce(json_agg(json_build_object(
        'school_id', s.id, 'name', s.name, 'role', y.role) ORDER BY s.name, y.role), '[]')
   FROM (SELECT DISTINCT school_id,
                CASE WHEN role = 'school_leader' THEN 'school_leader' ELSE 'teacher' END AS role
         FROM mine
         UNION
         SELECT cl.school_id, 'pupil' FROM class_enrollments ce
         JOIN classes cl ON cl.id = ce.class_id
         JOIN running_school_years($2) r ON r.school_year_id = cl.school_year_id
         WHERE ce.pupil_id = p.id) y
   JOIN schools s ON s.id = y.school_id) AS schools
FROM people p WHERE p.id = $1
"""
