"""SQL for the roster import: staged rows in temp tables, then set-based upserts.

Staged tables are analysed after loading: without statistics PostgreSQL takes
them for tiny and plans nested loops over hundreds of thousands of rows.
"""

STAGE = """
CREATE TEMP TABLE stage_schools (source_id text, name text, owner_name text) ON COMMIT DROP;
CREATE TEMP TABLE stage_years (source_id text, school_source text, name text,
                               starts_on date, ends_on date) ON COMMIT DROP;
CREATE TEMP TABLE stage_people (source_id text, username text, name text, birth_date date,
                                role text, enabled boolean, school_source text,
                                mobile text, email text) ON COMMIT DROP;
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
CREATE TEMP TABLE stage_districts (source_id text, name text) ON COMMIT DROP;
CREATE TEMP TABLE stage_school_districts (school_source text, district_source text) ON COMMIT DROP;
CREATE TEMP TABLE stage_district_admins (person_source text, district_source text) ON COMMIT DROP;
CREATE TEMP TABLE stage_deleted_users (source_id text) ON COMMIT DROP;
CREATE TEMP TABLE stage_deleted_classes (source_id text) ON COMMIT DROP;
CREATE TEMP TABLE stage_deleted_enrollments (class_source text, user_source text, role text)
    ON COMMIT DROP;
"""

ANALYZE_STAGE = """
ANALYZE stage_schools; ANALYZE stage_years; ANALYZE stage_people; ANALYZE stage_identities;
ANALYZE stage_classes; ANALYZE stage_enrollments; ANALYZE stage_relations; ANALYZE stage_leaders;
ANALYZE stage_deleted_users; ANALYZE stage_deleted_classes; ANALYZE stage_deleted_enrollments;
"""

# Roster ids resolved once to our ids, so later statements join on uuids.
RESOLVE = """
CREATE TEMP TABLE staged_person ON COMMIT DROP AS
SELECT s.source_id, p.id FROM stage_people s JOIN people p ON p.source_id = s.source_id;
CREATE TEMP TABLE named_class ON COMMIT DROP AS
SELECT source_id FROM stage_classes UNION SELECT source_id FROM stage_deleted_classes
UNION SELECT class_source FROM stage_deleted_enrollments;
INSERT INTO named_class
SELECT DISTINCT e.class_source FROM stage_enrollments e
WHERE NOT EXISTS (SELECT 1 FROM stage_classes c WHERE c.source_id = e.class_source);
ANALYZE named_class;
CREATE TEMP TABLE staged_class ON COMMIT DROP AS
SELECT c.source_id, c.id, c.school_id, c.school_year_id, 'homeroom' AS kind
FROM named_class n JOIN classes c ON c.source_id = n.source_id
UNION ALL
SELECT g.source_id, g.id, g.school_id, g.school_year_id, 'scheduled'
FROM named_class n JOIN teaching_groups g ON g.source_id = n.source_id;
CREATE TEMP TABLE enrolled ON COMMIT DROP AS
SELECT c.id AS class_id, c.kind, c.school_id, c.school_year_id, p.id AS person_id, e.role, e.is_primary
FROM stage_enrollments e JOIN staged_class c ON c.source_id = e.class_source
JOIN people p ON p.source_id = e.user_source AND p.deactivated_at IS NULL;
ANALYZE staged_person; ANALYZE staged_class; ANALYZE enrolled;
"""

UPSERT_SCHOOLS = """
INSERT INTO schools (id, source_id, name, owner_name)
SELECT gen_random_uuid(), source_id, name, owner_name FROM stage_schools
ON CONFLICT (source_id) DO UPDATE SET name = EXCLUDED.name, owner_name = EXCLUDED.owner_name
    WHERE (schools.name, schools.owner_name) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.owner_name)
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
LIMIT 200
"""

# A person the roster names again is active again; enabledUser=false keeps them from signing in.
# Contact points are the roster's alone: a row without them clears them.
UPSERT_PEOPLE = """
INSERT INTO people (id, source_id, username, name, birth_date, roster_role, sign_in_enabled, mobile, email)
SELECT gen_random_uuid(), s.source_id, s.username, s.name, s.birth_date, s.role, s.enabled,
       s.mobile, s.email
FROM stage_people s
-- Unchanged people are left out by a hash anti-join: far cheaper than a conflict each.
WHERE NOT EXISTS (
    SELECT 1 FROM people p WHERE p.source_id = s.source_id AND p.deactivated_at IS NULL
      AND (p.username, p.name, p.birth_date, p.roster_role, p.sign_in_enabled, p.mobile, p.email)
          IS NOT DISTINCT FROM (s.username, s.name, s.birth_date, s.role, s.enabled, s.mobile, s.email))
ON CONFLICT (source_id) DO UPDATE
    SET username = EXCLUDED.username, name = EXCLUDED.name, birth_date = EXCLUDED.birth_date,
        roster_role = EXCLUDED.roster_role, sign_in_enabled = EXCLUDED.sign_in_enabled,
        mobile = EXCLUDED.mobile, email = EXCLUDED.email, deactivated_at = NULL
    WHERE (people.username, people.name, people.birth_date, people.roster_role,
           people.sign_in_enabled, people.mobile, people.email, people.deactivated_at)
          IS DISTINCT FROM (EXCLUDED.username, EXCLUDED.name, EXCLUDED.birth_date,
                            EXCLUDED.roster_role, EXCLUDED.sign_in_enabled, EXCLUDED.mobile,
                            EXCLUDED.email, NULL)
RETURNING (xmax = 0) AS inserted
"""

UPSERT_IDENTITIES = """
INSERT INTO identities (provider, subject, person_id)
SELECT DISTINCT ON (i.provider, i.subject) i.provider, i.subject, p.id FROM stage_identities i
JOIN staged_person p ON p.source_id = i.person_source
WHERE NOT EXISTS (SELECT 1 FROM identities x
                  WHERE x.provider = i.provider AND x.subject = i.subject AND x.person_id = p.id)
ON CONFLICT (provider, subject) DO UPDATE SET person_id = EXCLUDED.person_id
    WHERE identities.person_id IS DISTINCT FROM EXCLUDED.person_id
"""

# A bare username at a school that names its Feide realm is the Feide identity username@realm.
REALM_IDENTITIES = """
INSERT INTO identities (provider, subject, person_id)
SELECT DISTINCT ON (sp.username, s.feide_realm) 'feide', lower(sp.username) || '@' || s.feide_realm, p.id
FROM stage_people sp JOIN staged_person p ON p.source_id = sp.source_id
JOIN schools s ON s.source_id = sp.school_source
WHERE s.feide_realm IS NOT NULL AND sp.username IS NOT NULL AND position('@' IN sp.username) = 0
  AND sp.role <> 'guardian'
  AND NOT EXISTS (SELECT 1 FROM stage_identities i
                  WHERE i.person_source = sp.source_id AND i.provider = 'feide')
ON CONFLICT (provider, subject) DO UPDATE SET person_id = EXCLUDED.person_id
    WHERE identities.person_id IS DISTINCT FROM EXCLUDED.person_id
"""

# A class of a delta file whose term is not in that file keeps its school year.
UPSERT_CLASSES = """
INSERT INTO classes (id, school_id, school_year_id, source_id, name, grade)
SELECT gen_random_uuid(), s.id, coalesce(y.id, old.school_year_id), c.source_id, c.name,
       coalesce(c.grade, old.grade)
FROM stage_classes c JOIN schools s ON s.source_id = c.school_source
LEFT JOIN school_years y ON y.source_id = c.year_source || '@' || c.school_source
LEFT JOIN classes old ON old.source_id = c.source_id
WHERE c.kind = 'homeroom' AND coalesce(y.id, old.school_year_id) IS NOT NULL
  AND coalesce(c.grade, old.grade) IS NOT NULL
ON CONFLICT (source_id) DO UPDATE SET name = EXCLUDED.name, grade = EXCLUDED.grade,
    school_year_id = EXCLUDED.school_year_id
    WHERE (classes.name, classes.grade, classes.school_year_id)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.grade, EXCLUDED.school_year_id)
RETURNING (xmax = 0) AS inserted
"""

UPSERT_GROUPS = """
INSERT INTO teaching_groups (id, school_id, school_year_id, source_id, name, subject)
SELECT gen_random_uuid(), s.id, coalesce(y.id, old.school_year_id), c.source_id, c.name, c.subject
FROM stage_classes c JOIN schools s ON s.source_id = c.school_source
LEFT JOIN school_years y ON y.source_id = c.year_source || '@' || c.school_source
LEFT JOIN teaching_groups old ON old.source_id = c.source_id
WHERE c.kind <> 'homeroom' AND coalesce(y.id, old.school_year_id) IS NOT NULL
ON CONFLICT (source_id) DO UPDATE SET name = EXCLUDED.name, subject = EXCLUDED.subject,
    school_year_id = EXCLUDED.school_year_id
    WHERE (teaching_groups.name, teaching_groups.subject, teaching_groups.school_year_id)
          IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.subject, EXCLUDED.school_year_id)
RETURNING (xmax = 0) AS inserted
"""

CLASSES_WITHOUT_YEAR = """
SELECT c.source_id FROM stage_classes c
WHERE NOT EXISTS (SELECT 1 FROM classes x WHERE x.source_id = c.source_id)
  AND NOT EXISTS (SELECT 1 FROM teaching_groups x WHERE x.source_id = c.source_id)
LIMIT 200
"""

# Rows of delta files that name a class or person we do not know.
UNKNOWN_ENROLLMENTS = """
SELECT e.class_source, e.user_source, count(*) OVER () AS total
FROM stage_enrollments e
LEFT JOIN staged_class c ON c.source_id = e.class_source
LEFT JOIN people p ON p.source_id = e.user_source AND p.deactivated_at IS NULL
WHERE c.id IS NULL OR p.id IS NULL
LIMIT 200
"""

# A group belongs to a class when all its pupils share one homeroom of that year.
LINK_GROUPS = """
UPDATE teaching_groups g SET class_id = m.class_id
FROM (
    SELECT ge.class_id AS group_id, min(ce.class_id::text)::uuid AS class_id,
           count(DISTINCT ce.class_id) AS n
    FROM enrolled ge
    JOIN enrolled ce ON ce.person_id = ge.person_id AND ce.kind = 'homeroom' AND ce.role = 'student'
                    AND ce.school_year_id = ge.school_year_id
    WHERE ge.kind = 'scheduled' AND ge.role = 'student'
    GROUP BY ge.class_id
) m
WHERE g.id = m.group_id AND m.n = 1 AND g.class_id IS DISTINCT FROM m.class_id
"""

# A bulk enrollments file is the truth for the classes and groups it or classes name.
DELETE_CLASS_ENROLLMENTS = """
DELETE FROM class_enrollments e USING staged_class c
WHERE c.id = e.class_id AND c.kind = 'homeroom'
  AND NOT EXISTS (SELECT 1 FROM enrolled s
                  WHERE s.class_id = e.class_id AND s.person_id = e.pupil_id AND s.role = 'student')
"""

DELETE_GROUP_ENROLLMENTS = """
DELETE FROM group_enrollments e USING staged_class c
WHERE c.id = e.group_id AND c.kind = 'scheduled'
  AND NOT EXISTS (SELECT 1 FROM enrolled s
                  WHERE s.class_id = e.group_id AND s.person_id = e.pupil_id AND s.role = 'student')
"""

# Delta: only the rows marked tobedeleted go, and every enrollment of a deleted class.
DELETE_NAMED_CLASS_ENROLLMENTS = """
DELETE FROM class_enrollments e USING staged_class c, people p
WHERE c.id = e.class_id AND p.id = e.pupil_id
  AND ((c.source_id, p.source_id) IN (SELECT class_source, user_source FROM stage_deleted_enrollments)
       OR c.source_id IN (SELECT source_id FROM stage_deleted_classes))
"""

DELETE_NAMED_GROUP_ENROLLMENTS = """
DELETE FROM group_enrollments e USING staged_class c, people p
WHERE c.id = e.group_id AND p.id = e.pupil_id
  AND ((c.source_id, p.source_id) IN (SELECT class_source, user_source FROM stage_deleted_enrollments)
       OR c.source_id IN (SELECT source_id FROM stage_deleted_classes))
"""

DELETE_NAMED_ASSIGNMENTS = """
DELETE FROM staff_assignments a USING staged_class c, people p
WHERE (c.id = a.class_id OR c.id = a.group_id) AND p.id = a.person_id
  AND ((c.source_id, p.source_id) IN (SELECT class_source, user_source FROM stage_deleted_enrollments)
       OR c.source_id IN (SELECT source_id FROM stage_deleted_classes))
"""

INSERT_CLASS_ENROLLMENTS = """
INSERT INTO class_enrollments (class_id, pupil_id, school_id)
SELECT e.class_id, e.person_id, e.school_id FROM enrolled e
WHERE e.role = 'student' AND e.kind = 'homeroom'
  AND NOT EXISTS (SELECT 1 FROM class_enrollments x
                  WHERE x.class_id = e.class_id AND x.pupil_id = e.person_id)
ON CONFLICT DO NOTHING
"""

INSERT_GROUP_ENROLLMENTS = """
INSERT INTO group_enrollments (group_id, pupil_id, school_id)
SELECT e.class_id, e.person_id, e.school_id FROM enrolled e
WHERE e.role = 'student' AND e.kind = 'scheduled'
  AND NOT EXISTS (SELECT 1 FROM group_enrollments x
                  WHERE x.group_id = e.class_id AND x.pupil_id = e.person_id)
ON CONFLICT DO NOTHING
"""

STAGED_ASSIGNMENTS = """
CREATE TEMP TABLE stage_assignments ON COMMIT DROP AS
SELECT person_id, school_id, school_year_id,
       CASE WHEN kind = 'scheduled' THEN 'subject_teacher'
            WHEN is_primary THEN 'contact_teacher' ELSE 'class_team' END AS role,
       CASE WHEN kind = 'homeroom' THEN class_id END AS class_id,
       CASE WHEN kind = 'scheduled' THEN class_id END AS group_id
FROM enrolled WHERE role = 'teacher';
ANALYZE stage_assignments;
"""

DELETE_ASSIGNMENTS = """
DELETE FROM staff_assignments a
WHERE a.role <> 'school_leader'
  AND (a.class_id IN (SELECT id FROM staged_class WHERE kind = 'homeroom')
       OR a.group_id IN (SELECT id FROM staged_class WHERE kind = 'scheduled'))
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

# Leaders lead their school in every school year the data names for it.
INSERT_LEADERS = """
INSERT INTO staff_assignments (id, person_id, school_id, school_year_id, role)
SELECT gen_random_uuid(), p.id, s.id, y.id, 'school_leader'
FROM stage_leaders l JOIN staged_person p ON p.source_id = l.person_source
JOIN schools s ON s.source_id = l.school_source
JOIN stage_years sy ON sy.school_source = l.school_source
JOIN school_years y ON y.source_id = sy.source_id
ON CONFLICT DO NOTHING
"""

STAGED_RELATIONS = """
CREATE TEMP TABLE staged_relation ON COMMIT DROP AS
SELECT DISTINCT ON (g.id, p.id) g.id AS guardian_id, p.id AS pupil_id, s.access
FROM stage_relations s
JOIN people g ON g.source_id = s.guardian_source AND g.deactivated_at IS NULL
JOIN people p ON p.source_id = s.pupil_source AND p.deactivated_at IS NULL;
ANALYZE staged_relation;
"""

# A relation the roster drops is deleted, unless the school decided about it:
# then the row stays with no roster access, so the decision is still there if
# the roster brings the guardian back.
DELETE_RELATIONS = """
WITH pupils AS (SELECT p.id FROM staged_person p JOIN stage_people s ON s.source_id = p.source_id
                WHERE s.role = 'pupil'),
gone AS (
    SELECT r.guardian_id, r.pupil_id FROM guardian_relations r
    WHERE r.pupil_id IN (SELECT id FROM pupils)
      AND NOT EXISTS (SELECT 1 FROM staged_relation s
                      WHERE s.guardian_id = r.guardian_id AND s.pupil_id = r.pupil_id)
),
kept AS (
    UPDATE guardian_relations r SET roster_access = 'none'
    FROM gone WHERE (r.guardian_id, r.pupil_id) = (gone.guardian_id, gone.pupil_id)
      AND r.school_access IS NOT NULL AND r.roster_access <> 'none'
    RETURNING 1
),
deleted AS (
    DELETE FROM guardian_relations r USING gone
    WHERE (r.guardian_id, r.pupil_id) = (gone.guardian_id, gone.pupil_id) AND r.school_access IS NULL
    RETURNING 1
)
SELECT (SELECT count(*) FROM kept) + (SELECT count(*) FROM deleted)
"""

# The roster's value only; the trigger keeps the effective access under the school's decision.
UPSERT_RELATIONS = """
INSERT INTO guardian_relations (guardian_id, pupil_id, access, roster_access)
SELECT s.guardian_id, s.pupil_id, s.access, s.access FROM staged_relation s
WHERE NOT EXISTS (SELECT 1 FROM guardian_relations r WHERE r.guardian_id = s.guardian_id
                  AND r.pupil_id = s.pupil_id AND r.roster_access = s.access)
ON CONFLICT (guardian_id, pupil_id) DO UPDATE SET roster_access = EXCLUDED.roster_access
    WHERE guardian_relations.roster_access IS DISTINCT FROM EXCLUDED.roster_access
RETURNING (xmax = 0) AS inserted
"""

# Deactivation: the person row and everything they were part of stay; their
# roster relations, sign-in and delivery paths go. $1 = now.
DEACTIVATE = """
CREATE TEMP TABLE gone_people ON COMMIT DROP AS
WITH marked AS (
    UPDATE people SET deactivated_at = $1
    WHERE source_id IN (SELECT source_id FROM stage_deleted_users) AND deactivated_at IS NULL
    RETURNING id
)
SELECT id FROM marked
"""

DEACTIVATE_EFFECTS = """
DELETE FROM class_enrollments WHERE pupil_id IN (SELECT id FROM gone_people);
DELETE FROM group_enrollments WHERE pupil_id IN (SELECT id FROM gone_people);
DELETE FROM staff_assignments WHERE person_id IN (SELECT id FROM gone_people);
UPDATE guardian_relations SET roster_access = 'none'
WHERE (guardian_id IN (SELECT id FROM gone_people) OR pupil_id IN (SELECT id FROM gone_people))
  AND school_access IS NOT NULL AND roster_access <> 'none';
DELETE FROM guardian_relations
WHERE (guardian_id IN (SELECT id FROM gone_people) OR pupil_id IN (SELECT id FROM gone_people))
  AND school_access IS NULL;
UPDATE deliveries d SET status = 'dropped', last_error = 'person deactivated'
FROM notifications n
WHERE n.id = d.notification_id AND n.person_id IN (SELECT id FROM gone_people)
  AND d.status IN ('pending', 'sending');
DELETE FROM devices WHERE person_id IN (SELECT id FROM gone_people);
DELETE FROM web_sessions WHERE person_id IN (SELECT id FROM gone_people);
UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, now())
WHERE person_id IN (SELECT id FROM gone_people) AND revoked_at IS NULL;
"""

# Who can sign in, per role, among the people this run names: active, allowed,
# and with an identity a provider can vouch for.
SIGN_IN = """
SELECT s.role, count(*) AS total,
       count(*) FILTER (WHERE p.sign_in_enabled AND p.deactivated_at IS NULL
                        AND EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id)) AS can
FROM stage_people s JOIN people p ON p.source_id = s.source_id
GROUP BY s.role ORDER BY s.role
"""

CANNOT_SIGN_IN = """
SELECT s.source_id, s.name, s.role, p.sign_in_enabled
FROM stage_people s JOIN people p ON p.source_id = s.source_id
WHERE NOT p.sign_in_enabled OR NOT EXISTS (SELECT 1 FROM identities i WHERE i.person_id = p.id)
ORDER BY s.role, s.name LIMIT 50
"""

# How the guardians this run names can be reached outside the app.
GUARDIAN_CONTACTS = """
SELECT count(*) AS total, count(p.mobile) AS mobile, count(p.email) AS email,
       count(*) FILTER (WHERE p.mobile IS NULL AND p.email IS NULL) AS neither
FROM stage_people s JOIN people p ON p.source_id = s.source_id
WHERE s.role = 'guardian' AND p.deactivated_at IS NULL
"""

YEARS_RUNNING = """
SELECT count(*) FILTER (WHERE starts_on <= $1 AND ends_on >= $1) AS running,
       min(name) AS some_name, count(*) AS total
FROM stage_years
"""

PEOPLE_COUNT = "SELECT count(*) FROM people WHERE source_id = any($1::text[])"

# The run as it ends, in its own transaction (a dry run rolls it back with the rest).
RECORD_RUN = "INSERT INTO roster_runs (source, finished_at, summary) VALUES ($1, $2, $3::jsonb)"
# --- school owners (api.md: School owner statistics) ---------------------------

# The districts (orgs of type district), which school each one owns, and their
# administrators, the school owners. A bulk users file replaces a district's
# administrators; a delta only adds.
UPSERT_DISTRICTS = """
INSERT INTO districts (id, source_id, name)
SELECT gen_random_uuid(), source_id, name FROM stage_districts
ON CONFLICT (source_id) DO UPDATE SET name = EXCLUDED.name WHERE districts.name IS DISTINCT FROM EXCLUDED.name
"""

LINK_SCHOOL_DISTRICTS = """
UPDATE schools s SET district_id = d.id
FROM stage_school_districts sd JOIN districts d ON d.source_id = sd.district_source
WHERE s.source_id = sd.school_source AND s.district_id IS DISTINCT FROM d.id
"""

DELETE_DISTRICT_ADMINS = """
DELETE FROM district_administrators da
USING districts d, people p
WHERE d.id = da.district_id AND p.id = da.person_id
  AND d.source_id IN (SELECT source_id FROM stage_districts)
  AND NOT EXISTS (SELECT 1 FROM stage_district_admins a
                  WHERE a.person_source = p.source_id AND a.district_source = d.source_id)
"""

INSERT_DISTRICT_ADMINS = """
INSERT INTO district_administrators (person_id, district_id)
SELECT p.id, d.id FROM stage_district_admins a
JOIN people p ON p.source_id = a.person_source AND p.deactivated_at IS NULL
JOIN districts d ON d.source_id = a.district_source
ON CONFLICT DO NOTHING
"""
