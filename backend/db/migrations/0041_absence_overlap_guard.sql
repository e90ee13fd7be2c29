-- The overlap rule of absence reports (api.md: 409 absence.overlap) as a trigger, in the
-- inserting transaction. Before, the service took a session-level advisory lock in one
-- statement and inserted in the next; behind PgBouncer in transaction mode those two
-- statements (and the unlock) can run on different server connections, so the lock
-- stayed behind and every later report for that pupil waited into a 503.
--
-- The trigger takes a transaction-level lock on the pupil (the same key roll call and
-- missing-pupil cases lock with) and only then looks for an overlap. A PL/pgSQL function
-- is VOLATILE, so in READ COMMITTED its query takes a fresh snapshot after the lock is
-- granted and sees every report committed by the previous holder: two reports for the
-- same time can never both commit, with one round trip and no session state.
CREATE FUNCTION absence_reports_no_overlap() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(NEW.pupil_id::text, 1));
    IF EXISTS (
        SELECT 1 FROM absence_reports r
        WHERE r.pupil_id = NEW.pupil_id AND r.id <> NEW.id
          AND r.first_day <= NEW.last_day AND r.last_day >= NEW.first_day
          AND (r.from_time IS NULL OR NEW.from_time IS NULL
               OR (r.from_time < NEW.to_time AND r.to_time > NEW.from_time))
    ) THEN
        RAISE EXCEPTION 'absence report overlaps another report for the pupil'
            USING ERRCODE = 'exclusion_violation', CONSTRAINT = 'absence_reports_no_overlap';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER absence_reports_no_overlap
BEFORE INSERT OR UPDATE OF pupil_id, first_day, last_day, from_time, to_time ON absence_reports
FOR EACH ROW EXECUTE FUNCTION absence_reports_no_overlap();
