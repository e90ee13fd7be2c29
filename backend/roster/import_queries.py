"""SQL for the roster import: staged rows in temp tables, then set-based upserts."""

STAGE = """
CREATE TEMP TABLE stage_schools (source_id text, name text) ON COMMIT DROP;
CREATE TEMP TABLE stage_years (source_id text, school_source text, name text,
                               starts_on date, ends_on date) ON COMMIT DROP;
CREATE TEMP TABLE stage_people (source_id text, username text, name text, birth_date date)
    ON COMMIT DROP;
CREATE TEMP TABLE stage_identities (provider text, subject text, person_source text)
    ON COMMIT DROP;
CREATE TEMP TABLE stage_classes (source_id text, name text, kind text, grade int,
                                 school_source text, year_source text, subject text)
    ON COMMIT DROP;
CREATE TEMP TABLE stage_enrollments (class_source text, user_source text, role text,
                                     is_primary boolean) ON COMMIT DROP;
CREATE TEMP TABLE stage_relations (guardian_source text, pupil_source text, access text)
    ON COMMIT DROP;
CREATE TEMP TABLE stage_leaders (person_source text, school_source text) ON COMMIT DROP;
"""

UPSERT_SCHOOLS = """
INSERT INTO schools (id, source_id, name)
SELECT gen_random_uuid(), source_id, name FROM stage_schools
ON CONFLICT (source_id) DO UPDATE SET name = EXCLUDED.name
    WHERE schools.name IS DISTINCT FROM EXCLUDED.name
RETURNING (xmax = 0) AS inserted
"""

UPSERT_YEARS = """
INSERT INTO school_years (id, school_id, source_id, name, starts_on, ends_on)
SELECT gen_random_uuid(), s.id, y.source_id, y.name, y.starts_on, y.ends_on
FROM stage_years y JOIN schools s ON s.source_id = y.school_source
ON CONFLICT (source_id) DO UPDATE
    SET name = EXCLUDED.name, starts_on = EXCLUDED.starts_on, ends_on = EXCLUDED.ends_on
    WHERE (school_years.name, school_years.starts_on, school_years.ends_on)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.starts_on, EXCLUDED.ends_on)
RETURNING (xmax = 0) AS inserted
"""

USERNAME_CLASHES = """
SELECT p.username, p.source_id AS existing, s.source_id AS incoming
FROM stage_people s JOIN people p ON p.username = s.username
WHERE p.source_id IS DISTINCT FROM s.source_id
LIMIT 5
"""

UPSERT_PEOPLE = """
INSERT INTO people (id, source_id, username, name, birth_date)
SELECT gen_random_uuid(), source_id, username, name, birth_date FROM stage_people
ON CONFLICT (source_id) DO UPDATE
    SET username = EXCLUDED.username, name = EXCLUDED.name, birth_date = EXCLUDED.birth_date
    WHERE (people.username, people.name, people.birth_date)
          IS DISTINCT FROM (EXCLUDED.username, EXCLUDED.name, EXCLUDED.birth_date)
RETURNING (xmax = 0) AS inserted
"""

UPSERT_IDENTITIES = """
INSERT INTO identities (provider, subject, person_id)
SELECT i.provider, i.subject, p.id FROM stage_identities i
JOIN people p ON p.source_id = i.person_source
ON CONFLICT (provider, subject) DO UPDATE SET person_id = EXCLUDED.person_id
    WHERE identities.person_id IS DISTINCT FROM EXCLUDED.person_id
"""

UPSERT_CLASSES = """
INSERT INTO classes (id, school_id, school_year_id, source_id, name, grade)
SELECT gen_random_uuid(), s.id, y.id, c.source_id, c.name, c.grade
FROM stage_classes c JOIN schools s ON s.source_id = c.school_source
JOIN school_years y ON y.source_id = c.year_source || '@' || c.school_source
WHERE c.kind = 'homeroom'
ON CONFLICT (source_id) DO UPDATE SET name = EXCLUDED.name, grade = EXCLUDED.grade,
    school_year_id = EXCLUDED.school_year_id
    WHERE (classes.name, classes.grade, classes.school_year_id)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.grade, EXCLUDED.school_year_id)
RETURNING (xmax = 0) AS inserted
"""

UPSERT_GROUPS = """
INSERT INTO teaching_groups (id, school_id, school_year_id, source_id, name, subject)
SELECT gen_random_uuid(), s.id, y.id, c.source_id, c.name, c.subject
FROM stage_classes c JOIN schools s ON s.source_id = c.school_source
JOIN school_years y ON y.source_id = c.year_source || '@' || c.school_source
WHERE c.kind <> 'homeroom'
ON CONFLICT (source_id) DO UPDATE SET name = EXCLUDED.name, subject = EXCLUDED.subject,
    school_year_id = EXCLUDED.school_year_id
    WHERE (teaching_groups.name, teaching_groups.subject, teaching_groups.school_year_id)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.subject, EXCLUDED.school_year_id)
RETURNING (xmax = 0) AS inserted
"""

# A group belongs to a class when all its pupils share one homeroom of that year.
LINK_GROUPS = """
UPDATE teaching_groups g SET class_id = c.id
FROM (
    SELECT sc.source_id AS group_source, min(ce.class_source) AS class_source,
           count(DISTINCT ce.class_source) AS n
    FROM stage_classes sc
    JOIN stage_enrollments ge ON ge.class_source = sc.source_id AND ge.role = 'student'
    JOIN stage_enrollments ce ON ce.user_source = ge.user_source AND ce.role = 'student'
    JOIN stage_classes hc ON hc.source_id = ce.class_source AND hc.kind = 'homeroom'
    WHERE sc.kind <> 'homeroom'
    GROUP BY sc.source_id
) m JOIN classes c ON c.source_id = m.class_source
WHERE g.source_id = m.group_source AND m.n = 1 AND g.class_id IS DISTINCT FROM c.id
"""

# The bulk file is the truth for the classes and groups it names.
DELETE_CLASS_ENROLLMENTS = """
DELETE FROM class_enrollments e USING classes c
WHERE c.id = e.class_id AND c.source_id IN (SELECT source_id FROM stage_classes)
  AND NOT EXISTS (
    SELECT 1 FROM stage_enrollments s JOIN people p ON p.source_id = s.user_source
    WHERE s.class_source = c.source_id AND p.id = e.pupil_id AND s.role = 'student')
"""

DELETE_GROUP_ENROLLMENTS = """
DELETE FROM group_enrollments e USING teaching_groups g
WHERE g.id = e.group_id AND g.source_id IN (SELECT source_id FROM stage_classes)
  AND NOT EXISTS (
    SELECT 1 FROM stage_enrollments s JOIN people p ON p.source_id = s.user_source
    WHERE s.class_source = g.source_id AND p.id = e.pupil_id AND s.role = 'student')
"""

INSERT_CLASS_ENROLLMENTS = """
INSERT INTO class_enrollments (class_id, pupil_id, school_id)
SELECT c.id, p.id, c.school_id FROM stage_enrollments s
JOIN classes c ON c.source_id = s.class_source JOIN people p ON p.source_id = s.user_source
WHERE s.role = 'student'
ON CONFLICT DO NOTHING
"""

INSERT_GROUP_ENROLLMENTS = """
INSERT INTO group_enrollments (group_id, pupil_id, school_id)
SELECT g.id, p.id, g.school_id FROM stage_enrollments s
JOIN teaching_groups g ON g.source_id = s.class_source JOIN people p ON p.source_id = s.user_source
WHERE s.role = 'student'
ON CONFLICT DO NOTHING
"""

STAGED_ASSIGNMENTS = """
CREATE TEMP TABLE stage_assignments ON COMMIT DROP AS
SELECT p.id AS person_id, c.school_id, c.school_year_id,
       CASE WHEN s.is_primary THEN 'contact_teacher' ELSE 'class_team' END AS role,
       c.id AS class_id, NULL::uuid AS group_id
FROM stage_enrollments s JOIN classes c ON c.source_id = s.class_source
JOIN people p ON p.source_id = s.user_source
WHERE s.role IN ('teacher', 'aide')
UNION ALL
SELECT p.id, g.school_id, g.school_year_id, 'subject_teacher', NULL, g.id
FROM stage_enrollments s JOIN teaching_groups g ON g.source_id = s.class_source
JOIN people p ON p.source_id = s.user_source
WHERE s.role IN ('teacher', 'aide')
"""

DELETE_ASSIGNMENTS = """
DELETE FROM staff_assignments a
WHERE a.role <> 'school_leader'
  AND (a.class_id IN (SELECT id FROM classes
                      WHERE source_id IN (SELECT source_id FROM stage_classes))
       OR a.group_id IN (SELECT id FROM teaching_groups
                         WHERE source_id IN (SELECT source_id FROM stage_classes)))
  AND NOT EXISTS (
    SELECT 1 FROM stage_assignments s
    WHERE s.person_id = a.person_id AND s.role = a.role
      AND s.class_id IS NOT DISTINCT FROM a.class_id AND s.group_id IS NOT DISTINCT FROM a.group_id)
"""

INSERT_ASSIGNMENTS = """
INSERT INTO staff_assignments (id, person_id, school_id, school_year_id, role, class_id, group_id)
SELECT gen_random_uuid(), person_id, school_id, school_year_id, role, class_id, group_id
FROM stage_assignments
ON CONFLICT DO NOTHING
"""

# Leaders lead their school in every school year the file names for it.
INSERT_LEADERS = """
INSERT INTO staff_assignments (id, person_id, school_id, school_year_id, role)
SELECT gen_random_uuid(), p.id, s.id, y.id, 'school_leader'
FROM stage_leaders l JOIN people p ON p.source_id = l.person_source
JOIN schools s ON s.source_id = l.school_source
JOIN stage_years sy ON sy.school_source = l.school_source
JOIN school_years y ON y.source_id = sy.source_id
ON CONFLICT DO NOTHING
"""

DELETE_RELATIONS = """
DELETE FROM guardian_relations r
WHERE r.pupil_id IN (SELECT p.id FROM people p JOIN stage_people s ON s.source_id = p.source_id)
  AND NOT EXISTS (
    SELECT 1 FROM stage_relations s
    JOIN people g ON g.source_id = s.guardian_source JOIN people p ON p.source_id = s.pupil_source
    WHERE g.id = r.guardian_id AND p.id = r.pupil_id)
"""

UPSERT_RELATIONS = """
INSERT INTO guardian_relations (guardian_id, pupil_id, access)
SELECT g.id, p.id, s.access FROM stage_relations s
JOIN people g ON g.source_id = s.guardian_source JOIN people p ON p.source_id = s.pupil_source
ON CONFLICT (guardian_id, pupil_id) DO UPDATE SET access = EXCLUDED.access
    WHERE guardian_relations.access IS DISTINCT FROM EXCLUDED.access
RETURNING (xmax = 0) AS inserted
"""

DELETE_PEOPLE = "DELETE FROM people WHERE source_id = any($1::text[])"
