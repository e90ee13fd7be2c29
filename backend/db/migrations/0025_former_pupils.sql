-- EDITED AFTER IT WAS APPLIED (issue 15): pupil_placement and pupil_staff, which
-- this migration restated to know about former pupils,
-- now live, in their current form and each written once, in
-- backend/db/definitions/access.sql, which backend/db/migrate.py applies after
-- the migrations. The edit is safe only because a database that ran this file
-- before takes its new checksum as the baseline (backend/db/migrate.py); from
-- then on an applied migration must not change. The original text:
-- git log -p -- backend/db/migrations/0025_former_pupils.sql
--
-- Edited once before, too: former_class_enrollments.school_id was added here
-- after the file had been applied; 0044_former_enrollments_school.sql brings a
-- database that ran the older text to this shape.
--
-- A pupil who leaves a school keeps their records for its leaders (issue 8,
-- item 4). The roster deletes a leaving pupil's class enrollments (deactivated,
-- or moved out of the school), and the access definitions found a pupil's
-- school only through them. So every removed class enrollment is remembered
-- here, by a trigger: no roster writer (CSV, REST sync, a delta, a deleted
-- class) can forget it.
CREATE TABLE former_class_enrollments (
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    left_at timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, class_id)
);
CREATE INDEX former_class_enrollments_class ON former_class_enrollments (class_id);

-- One statement-level trigger with a transition table: an import that removes
-- thousands of enrollments writes them here in one INSERT. Rows whose pupil or
-- class is itself being deleted (cascades) are left out, since those records go too.
CREATE FUNCTION remember_former_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO former_class_enrollments (pupil_id, class_id, school_id, left_at)
    SELECT DISTINCT g.pupil_id, g.class_id, c.school_id, clock_timestamp()
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
