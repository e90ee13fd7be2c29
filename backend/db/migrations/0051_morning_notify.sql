-- The morning overview (/web/morning) updates itself: every change to what it shows
-- tells the school's listeners, whichever replica or job made it. One trigger
-- function on the five tables the overview reads; pg_notify is transactional (sent
-- at commit, never for a rollback) and PostgreSQL folds identical notifications of
-- one transaction into one, so a roll call of 25 pupils or a sweep of a school's
-- cases is one message per school. The payload is the school's id only: no
-- personal data travels on the channel. Listeners: backend/db/listener.py.
CREATE OR REPLACE FUNCTION morning_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('skolebro_morning', OLD.school_id::text);
    ELSE
        PERFORM pg_notify('skolebro_morning', NEW.school_id::text);
        IF TG_OP = 'UPDATE' AND OLD.school_id IS DISTINCT FROM NEW.school_id THEN
            PERFORM pg_notify('skolebro_morning', OLD.school_id::text);
        END IF;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER absence_reports_morning AFTER INSERT OR UPDATE OR DELETE ON absence_reports
    FOR EACH ROW EXECUTE FUNCTION morning_changed();
CREATE TRIGGER attendance_marks_morning AFTER INSERT OR UPDATE OR DELETE ON attendance_marks
    FOR EACH ROW EXECUTE FUNCTION morning_changed();
CREATE TRIGGER class_checks_morning AFTER INSERT OR UPDATE OR DELETE ON class_checks
    FOR EACH ROW EXECUTE FUNCTION morning_changed();
CREATE TRIGGER missing_cases_morning AFTER INSERT OR UPDATE OR DELETE ON missing_cases
    FOR EACH ROW EXECUTE FUNCTION morning_changed();
CREATE TRIGGER leave_requests_morning AFTER INSERT OR UPDATE OR DELETE ON leave_requests
    FOR EACH ROW EXECUTE FUNCTION morning_changed();
