-- A pupil who leaves a school keeps their records for its leaders (issue 8,
-- item 4). The roster deletes a leaving pupil's class enrollments (deactivated,
-- or moved out of the school), and the access definitions found a pupil's
-- school only through them. So every removed class enrollment is remembered
-- here, by a trigger: no roster writer (CSV, REST sync, a delta, a deleted
-- class) can forget it.
CREATE TABLE former_class_enrollments (
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    left_at timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, class_id)
);
CREATE INDEX former_class_enrollments_class ON former_class_enrollments (class_id);

-- One statement-level trigger with a transition table: an import that removes
-- thousands of enrollments writes them here in one INSERT. Rows whose pupil or
-- class is itself being deleted (cascades) are left out, since those records go too.
CREATE FUNCTION remember_former_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO former_class_enrollments (pupil_id, class_id, left_at)
    SELECT DISTINCT g.pupil_id, g.class_id, clock_timestamp()
    FROM gone g
    JOIN people p ON p.id = g.pupil_id
    JOIN classes c ON c.id = g.class_id
    ON CONFLICT (pupil_id, class_id) DO UPDATE SET left_at = excluded.left_at;
    RETURN NULL;
END
$$;

CREATE TRIGGER remember_former_enrollments
    AFTER DELETE ON class_enrollments
    REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION remember_former_enrollments();

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

-- Staff who see a pupil now: those responsible for a class the pupil is in,
-- the subject teachers of the pupil's teaching groups (with the subject, for
-- grades of their own subjects only), all in the running school year; and, as
-- 'former_school_leader', the leaders of a school the pupil has left (no class
-- there any more): they keep reading the pupil's records, and may change
-- nothing (backend/auth/policy.py). Teachers of a class the pupil left see nothing.
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
    SELECT DISTINCT sa.person_id, fe.pupil_id, 'former_school_leader', NULL::text
    FROM former_class_enrollments fe
    JOIN classes c ON c.id = fe.class_id
    JOIN running_staff_assignments(p_at) sa ON sa.school_id = c.school_id AND sa.role = 'school_leader'
    WHERE NOT EXISTS (
        SELECT 1 FROM class_enrollments ce JOIN classes cc ON cc.id = ce.class_id
        WHERE ce.pupil_id = fe.pupil_id AND cc.school_id = c.school_id)
$$;
