-- former_class_enrollments.school_id was added to 0025_former_pupils.sql after
-- that file had first been applied. A database that ran the older text has the
-- table without the column, and its trigger function inserts no school: this
-- brings it to the current shape. On a database that has the column every
-- statement here changes nothing.

ALTER TABLE former_class_enrollments
    ADD COLUMN IF NOT EXISTS school_id uuid REFERENCES schools (id) ON DELETE CASCADE;

-- As the current trigger fills it: the school of the class the pupil left.
UPDATE former_class_enrollments fe SET school_id = c.school_id
FROM classes c
WHERE c.id = fe.class_id AND fe.school_id IS NULL;

ALTER TABLE former_class_enrollments ALTER COLUMN school_id SET NOT NULL;

-- The trigger function as 0025 defines it now (the older one left school_id out,
-- which the NOT NULL above would refuse). On a current database the same text again.
CREATE OR REPLACE FUNCTION remember_former_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
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
