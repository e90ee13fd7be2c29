-- The access facts of product.md's "Who may see what", each defined once.
--
-- Every domain query that needs to know who may see a pupil, a class or a
-- school, or who hears about a pupil, builds on these functions instead of
-- reading guardian_relations or staff_assignments itself; backend/access/policy.py
-- is the only Python that interprets what they return. They are plain SQL
-- functions (STABLE, one SELECT), so PostgreSQL inlines them into the calling
-- query and the caller's filters reach the indexes.
--
-- This file is not a migration: backend/db/migrate.py applies it after the
-- migrations, in the same transaction, whenever its content has changed. Change a
-- function here, in place. A change of a function's arguments or result columns
-- needs a migration that drops the old one first (DROP FUNCTION IF EXISTS ...,
-- as 0042 does for pupil_relation): CREATE OR REPLACE cannot change them. A
-- function is used by the ones below it, so keep that order.
--
-- History: created by migrations 0010 (most), 0025 (former pupils in
-- pupil_placement and pupil_staff), 0042 (former_pupil_leaders, pupil_relation's
-- former_school_id) and 0043 (requested_school_year); see git log -p on those.

-- The local date of a school (by its time zone) at an instant.
CREATE OR REPLACE FUNCTION school_local_date(p_timezone text, p_at timestamptz) RETURNS date
LANGUAGE sql STABLE PARALLEL SAFE
AS $$ SELECT (p_at AT TIME ZONE p_timezone)::date $$;

-- The running school year of each school at an instant: the year whose first
-- and last day enclose the school's local date. Between two years (summer) a
-- school has none. Roles are per school year (product.md), so every staff
-- right below counts only through this.
CREATE OR REPLACE FUNCTION running_school_years(p_at timestamptz)
RETURNS TABLE (school_id uuid, school_year_id uuid, local_today date, starts_on date, ends_on date)
LANGUAGE sql STABLE
AS $$
    SELECT s.id, sy.id, l.day, sy.starts_on, sy.ends_on
    FROM schools s
    CROSS JOIN LATERAL (SELECT school_local_date(s.timezone, p_at) AS day) l
    JOIN school_years sy ON sy.school_id = s.id AND l.day BETWEEN sy.starts_on AND sy.ends_on
$$;

-- Staff roles in the running school year: the assignments that give rights now.
CREATE OR REPLACE FUNCTION running_staff_assignments(p_at timestamptz)
RETURNS SETOF staff_assignments
LANGUAGE sql STABLE
AS $$
    SELECT sa.* FROM staff_assignments sa
    JOIN running_school_years(p_at) ry ON ry.school_year_id = sa.school_year_id
$$;

-- Leads this school: a school leader of the school in its running school year.
CREATE OR REPLACE FUNCTION leads_school(p_person uuid, p_school uuid, p_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM running_staff_assignments(p_at) sa
        WHERE sa.person_id = p_person AND sa.school_id = p_school AND sa.role = 'school_leader')
$$;

-- Will lead this school: a school leader assigned for a school year of the
-- school that has not started yet. Such a leader may plan (settings, closed
-- days) but sees no pupil until the year starts (README: access).
CREATE OR REPLACE FUNCTION will_lead_school(p_person uuid, p_school uuid, p_at timestamptz) RETURNS boolean
LANGUAGE sql STABLE
AS $$
    SELECT EXISTS (
        SELECT 1 FROM staff_assignments sa
        JOIN school_years sy ON sy.id = sa.school_year_id
        JOIN schools s ON s.id = sa.school_id
        WHERE sa.person_id = p_person AND sa.school_id = p_school AND sa.role = 'school_leader'
          AND sy.starts_on > school_local_date(s.timezone, p_at))
$$;

-- Who is responsible for a class now: its class team (contact teacher and
-- class-team members) and the leaders of its school, all in the running
-- school year, which must be the class's own year. A class of a year that has
-- not started (or has ended) has nobody.
CREATE OR REPLACE FUNCTION class_staff(p_at timestamptz)
RETURNS TABLE (person_id uuid, class_id uuid, school_id uuid, role text)
LANGUAGE sql STABLE
AS $$
    SELECT sa.person_id, sa.class_id, sa.school_id, sa.role
    FROM running_staff_assignments(p_at) sa
    WHERE sa.role IN ('contact_teacher', 'class_team')
    UNION ALL
    SELECT sa.person_id, c.id, sa.school_id, sa.role
    FROM running_staff_assignments(p_at) sa
    JOIN classes c ON c.school_id = sa.school_id AND c.school_year_id = sa.school_year_id
    WHERE sa.role = 'school_leader'
$$;

-- The leaders of a school a pupil has left (no class there any more), with
-- that school and when the pupil left it. They read that school's records of
-- the pupil, not everything: when the pupil has moved to another school we
-- serve, its absence reports, marks and assessments, and so where the pupil
-- went, are not theirs to read. pupil_staff (who sees the pupil) and
-- pupil_relation (which school's records) both say it through this.
CREATE OR REPLACE FUNCTION former_pupil_leaders(p_at timestamptz)
RETURNS TABLE (person_id uuid, pupil_id uuid, school_id uuid, left_at timestamptz)
LANGUAGE sql STABLE
AS $$
    SELECT sa.person_id, fe.pupil_id, fe.school_id, max(fe.left_at)
    FROM former_class_enrollments fe
    JOIN running_staff_assignments(p_at) sa ON sa.school_id = fe.school_id AND sa.role = 'school_leader'
    WHERE NOT EXISTS (
        SELECT 1 FROM class_enrollments ce JOIN classes cc ON cc.id = ce.class_id
        WHERE ce.pupil_id = fe.pupil_id AND cc.school_id = fe.school_id)
    GROUP BY sa.person_id, fe.pupil_id, fe.school_id
$$;

-- Staff who see a pupil now: those responsible for a class the pupil is in,
-- the subject teachers of the pupil's teaching groups (with the subject, for
-- grades of their own subjects only), all in the running school year; and, as
-- 'former_school_leader', the leaders of a school the pupil has left: they keep
-- reading the pupil's records of that school, and may change nothing
-- (backend/access/policy.py). Teachers of a class the pupil left see nothing.
CREATE OR REPLACE FUNCTION pupil_staff(p_at timestamptz)
RETURNS TABLE (person_id uuid, pupil_id uuid, role text, subject text)
LANGUAGE sql STABLE
AS $$
    SELECT cs.person_id, ce.pupil_id, cs.role, NULL::text
    FROM class_staff(p_at) cs
    JOIN class_enrollments ce ON ce.class_id = cs.class_id
    UNION ALL
    SELECT sa.person_id, ge.pupil_id, sa.role, tg.subject
    FROM running_staff_assignments(p_at) sa
    JOIN teaching_groups tg ON tg.id = sa.group_id AND tg.school_year_id = sa.school_year_id
    JOIN group_enrollments ge ON ge.group_id = sa.group_id
    WHERE sa.role = 'subject_teacher'
    UNION ALL
    SELECT fl.person_id, fl.pupil_id, 'former_school_leader', NULL::text
    FROM former_pupil_leaders(p_at) fl
$$;

-- Where a pupil belongs at an instant: the class of the latest school year that
-- has started at its school (over the summer, last year's class) and that
-- school's local date. A pupil with no class any more (deactivated, or moved
-- out of every school we hold) belongs where they were last: the class they
-- left most recently. That keeps their adulthood and their school's facts for
-- whoever still reads them; who reads them is pupil_staff's, and nobody gains a
-- class from it (boards and rolls read class_enrollments only).
CREATE OR REPLACE FUNCTION pupil_placement(p_pupil uuid, p_at timestamptz)
RETURNS TABLE (class_id uuid, school_year_id uuid, school_id uuid, grade integer, local_today date)
LANGUAGE sql STABLE
AS $$
    SELECT x.class_id, x.school_year_id, x.school_id, x.grade, x.local_today FROM (
        SELECT c.id AS class_id, c.school_year_id, c.school_id, c.grade, l.day AS local_today,
               0 AS rank, sy.starts_on, NULL::timestamptz AS left_at
        FROM class_enrollments ce
        JOIN classes c ON c.id = ce.class_id
        JOIN school_years sy ON sy.id = c.school_year_id
        JOIN schools s ON s.id = c.school_id
        CROSS JOIN LATERAL (SELECT school_local_date(s.timezone, p_at) AS day) l
        WHERE ce.pupil_id = p_pupil AND sy.starts_on <= l.day
        UNION ALL
        SELECT c.id, c.school_year_id, c.school_id, c.grade, l.day, 1, sy.starts_on, fe.left_at
        FROM former_class_enrollments fe
        JOIN classes c ON c.id = fe.class_id
        JOIN school_years sy ON sy.id = c.school_year_id
        JOIN schools s ON s.id = c.school_id
        CROSS JOIN LATERAL (SELECT school_local_date(s.timezone, p_at) AS day) l
        WHERE fe.pupil_id = p_pupil AND sy.starts_on <= l.day
          AND NOT EXISTS (SELECT 1 FROM class_enrollments ce WHERE ce.pupil_id = p_pupil)
    ) x
    ORDER BY x.rank, x.starts_on DESC, x.left_at DESC, x.class_id
    LIMIT 1
$$;

-- Whether a pupil is an adult on a date: 'adult' from the 18th birthday (as
-- PostgreSQL adds years: born 29 February, adult on 28 February), 'child'
-- before it, and 'possibly_adult' when the birth date is unknown and the pupil
-- is in upper secondary (level 11-13, VG1-VG3): until it is known, guardians
-- can only read and the pupil reports their own absence (product.md: Roster).
CREATE OR REPLACE FUNCTION pupil_adulthood(p_birth_date date, p_grade integer, p_day date) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE
        WHEN p_birth_date IS NOT NULL THEN
            CASE WHEN p_birth_date + interval '18 years' <= p_day THEN 'adult' ELSE 'child' END
        WHEN p_grade BETWEEN 11 AND 13 THEN 'possibly_adult'
        ELSE 'child'
    END
$$;

-- The same at an instant, from the pupil's placement (their school's date and level).
CREATE OR REPLACE FUNCTION pupil_adulthood_at(p_pupil uuid, p_at timestamptz) RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT pupil_adulthood(p.birth_date, pl.grade, pl.local_today)
    FROM people p CROSS JOIN LATERAL pupil_placement(p.id, p_at) pl
    WHERE p.id = p_pupil
$$;

-- Guardians with access to a pupil at an instant. A relation 'none' is no
-- relation at all; 'full' and 'read_only' read, but from 18 only with the
-- pupil's consent. may_act: may also report absence and apply for leave —
-- a full relation to a pupil known to be a child. access: the relation's level.
-- guardian_relations.access is the effective access level (roster and school decision).
CREATE OR REPLACE FUNCTION guardians_with_access(p_at timestamptz)
RETURNS TABLE (guardian_id uuid, pupil_id uuid, may_act boolean, access text)
LANGUAGE sql STABLE
AS $$
    SELECT g.guardian_id, g.pupil_id, g.access = 'full' AND a.adulthood = 'child', g.access
    FROM guardian_relations g
    JOIN people p ON p.id = g.pupil_id
    CROSS JOIN LATERAL pupil_placement(g.pupil_id, p_at) pl
    CROSS JOIN LATERAL (SELECT pupil_adulthood(p.birth_date, pl.grade, pl.local_today) AS adulthood) a
    WHERE g.access IN ('full', 'read_only') AND (a.adulthood <> 'adult' OR g.adult_consent)
$$;

-- Everything the policy needs about (viewer, pupil) at an instant, in one row;
-- no row when the pupil has no placement (does not exist for anyone yet).
-- former_school_id: for a viewer who leads a school the pupil has left, that
-- school (the most recently left, if several); else NULL.
-- backend/access/policy.py turns it into rights.
CREATE OR REPLACE FUNCTION pupil_relation(p_viewer uuid, p_pupil uuid, p_at timestamptz)
RETURNS TABLE (pupil_id uuid, pupil_name text, class_id uuid, class_name text, grade integer,
               school_year_id uuid, school_id uuid, school_name text, timezone text,
               report_deadline time, leave_teacher_max_days integer, local_today date,
               adulthood text, is_self boolean, is_guardian boolean, guardian_may_act boolean,
               staff_roles text[], subjects text[], former_school_id uuid)
LANGUAGE sql STABLE
AS $$
    SELECT p.id, p.name, c.id, c.name, c.grade, c.school_year_id, s.id, s.name, s.timezone,
           s.report_deadline, s.leave_teacher_max_days, pl.local_today,
           pupil_adulthood(p.birth_date, pl.grade, pl.local_today),
           p.id = p_viewer,
           g.guardian_id IS NOT NULL, coalesce(g.may_act, false),
           coalesce(st.roles, '{}'), coalesce(st.subjects, '{}'),
           fs.school_id
    FROM people p
    CROSS JOIN LATERAL pupil_placement(p.id, p_at) pl
    JOIN classes c ON c.id = pl.class_id
    JOIN schools s ON s.id = pl.school_id
    LEFT JOIN guardians_with_access(p_at) g ON g.pupil_id = p.id AND g.guardian_id = p_viewer
    LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT ps.role) AS roles,
               array_agg(DISTINCT ps.subject) FILTER (WHERE ps.subject IS NOT NULL) AS subjects
        FROM pupil_staff(p_at) ps
        WHERE ps.person_id = p_viewer AND ps.pupil_id = p.id
    ) st ON true
    LEFT JOIN LATERAL (
        SELECT fl.school_id FROM former_pupil_leaders(p_at) fl
        WHERE fl.person_id = p_viewer AND fl.pupil_id = p.id
        ORDER BY fl.left_at DESC, fl.school_id
        LIMIT 1
    ) fs ON true
    WHERE p.id = p_pupil
$$;

-- The school year a request names with ?school_year= (by its first calendar year), or
-- without one the latest that has started by the school's local date. One definition for
-- the absence summary and the assessments, which each wrote it out before.
CREATE OR REPLACE FUNCTION requested_school_year(p_school uuid, p_first_year integer, p_at timestamptz)
RETURNS TABLE (id uuid, name text, starts_on date, ends_on date, local_today date)
LANGUAGE sql STABLE
AS $$
    SELECT sy.id, sy.name, sy.starts_on, sy.ends_on, l.day
    FROM school_years sy
    JOIN schools s ON s.id = sy.school_id
    CROSS JOIN LATERAL (SELECT school_local_date(s.timezone, p_at) AS day) l
    WHERE sy.school_id = p_school
      AND CASE WHEN p_first_year IS NULL THEN sy.starts_on <= l.day
               ELSE extract(year FROM sy.starts_on) = p_first_year END
    ORDER BY sy.starts_on DESC
    LIMIT 1
$$;

-- The functions below read tables of later migrations (0065 follow_ups, 0066
-- districts). This file is applied after every migration, but also to a database
-- being brought up from an older schema in steps (tests/ops/test_migrations.py), so
-- their bodies are not checked at creation (as pg_dump does); they are checked
-- when first called, by which time the tables exist.
SET check_function_bodies = false;

-- Staff who see a follow-up (product.md: Following up absence): the contact
-- teachers of the pupil's class at the follow-up's school, and that school's
-- leaders, in the running school year. Nobody else: not the class team, not a
-- subject teacher, not a guardian or the pupil, not a school owner.
CREATE OR REPLACE FUNCTION follow_up_staff(p_at timestamptz)
RETURNS TABLE (person_id uuid, follow_up_id uuid, role text)
LANGUAGE sql STABLE
AS $$
    SELECT cs.person_id, f.id, cs.role
    FROM follow_ups f
    JOIN class_enrollments ce ON ce.pupil_id = f.pupil_id AND ce.school_id = f.school_id
    JOIN class_staff(p_at) cs ON cs.class_id = ce.class_id AND cs.role = 'contact_teacher'
    UNION ALL
    SELECT sa.person_id, f.id, 'school_leader'
    FROM follow_ups f
    JOIN running_staff_assignments(p_at) sa ON sa.school_id = f.school_id AND sa.role = 'school_leader'
$$;

-- The districts a person owns schools of as a school owner (the roster's district
-- administrators). A school owner reads aggregated statistics of the district's
-- schools only; no pupil, class or case is theirs through this.
CREATE OR REPLACE FUNCTION owned_districts(p_person uuid)
RETURNS TABLE (district_id uuid, name text)
LANGUAGE sql STABLE
AS $$
    SELECT d.id, d.name
    FROM district_administrators da
    JOIN districts d ON d.id = da.district_id
    JOIN people p ON p.id = da.person_id
    WHERE da.person_id = p_person AND p.deactivated_at IS NULL
$$;

RESET check_function_bodies;
-- The role a staff member held at a school at an instant (the school year that
-- enclosed that day), the highest if several: what a person's export names a
-- staff reader by (GET /api/v1/me/export, staff_reads).
CREATE OR REPLACE FUNCTION staff_role_on(p_person uuid, p_school uuid, p_at timestamptz) RETURNS text
LANGUAGE sql STABLE
AS $$
    SELECT sa.role FROM staff_assignments sa
    JOIN school_years sy ON sy.id = sa.school_year_id
    JOIN schools s ON s.id = sa.school_id
    WHERE sa.person_id = p_person AND sa.school_id = p_school
      AND (p_at AT TIME ZONE s.timezone)::date BETWEEN sy.starts_on AND sy.ends_on
    ORDER BY array_position(ARRAY['school_leader', 'contact_teacher', 'class_team', 'subject_teacher'], sa.role)
    LIMIT 1
$$;
