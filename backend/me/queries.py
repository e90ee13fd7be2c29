"""SQL for /me: everything in one round trip."""

# $1 person, $2 instant. A school year "runs" when the school's local date is inside it.
ME = """
WITH running AS (
    SELECT sy.id, sy.school_id FROM school_years sy JOIN schools s ON s.id = sy.school_id
    WHERE (($2::timestamptz) AT TIME ZONE s.timezone)::date BETWEEN sy.starts_on AND sy.ends_on
),
mine AS (
    SELECT sa.* FROM staff_assignments sa JOIN running r ON r.id = sa.school_year_id
    WHERE sa.person_id = $1
)
SELECT p.id, p.name, p.locale, p.is_system_admin,
  (SELECT coalesce(json_agg(json_build_object(
        'pupil_id', c.id, 'name', c.name, 'birth_date', c.birth_date,
        'access', g.access, 'adult_consent', g.adult_consent,
        'class_name', cur.name, 'grade', cur.grade, 'timezone', cur.timezone)
        ORDER BY c.name), '[]')
   FROM guardian_relations g
   JOIN people c ON c.id = g.pupil_id
   JOIN LATERAL (
       SELECT cl.name, cl.grade, s.timezone FROM class_enrollments ce
       JOIN classes cl ON cl.id = ce.class_id
       JOIN school_years sy ON sy.id = cl.school_year_id
       JOIN schools s ON s.id = cl.school_id
       WHERE ce.pupil_id = c.id
         AND sy.starts_on <= (($2::timestamptz) AT TIME ZONE s.timezone)::date
       ORDER BY sy.starts_on DESC LIMIT 1
   ) cur ON true
   WHERE g.guardian_id = p.id AND g.access <> 'none') AS children,
  (SELECT coalesce(json_agg(json_build_object(
        'class_id', cl.id, 'name', cl.name, 'grade', cl.grade,
        'is_contact_teacher', x.contact) ORDER BY cl.grade, cl.name), '[]')
   FROM (SELECT class_id, bool_or(role = 'contact_teacher') AS contact FROM mine
         WHERE class_id IS NOT NULL AND role IN ('contact_teacher', 'class_team')
         GROUP BY class_id
         UNION
         SELECT cl2.id, false FROM mine m JOIN classes cl2
           ON cl2.school_id = m.school_id AND cl2.school_year_id = m.school_year_id
         WHERE m.role = 'school_leader'
           AND NOT EXISTS (SELECT 1 FROM mine m2 WHERE m2.class_id = cl2.id)) x
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
         JOIN classes cl ON cl.id = ce.class_id JOIN running r ON r.id = cl.school_year_id
         WHERE ce.pupil_id = p.id) y
   JOIN schools s ON s.id = y.school_id) AS schools
FROM people p WHERE p.id = $1
"""
