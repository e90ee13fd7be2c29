-- Real school data, safely (issue 8): the school's decision about a guardian
-- kept apart from the roster's, people deactivated instead of erased, sign-in
-- facts from the roster, and the state of the OneRoster REST sync.

-- `access` stays the effective value every read query uses; it is derived
-- here so no writer can forget the school's decision. The school's value is a
-- ceiling: the roster may lower access below it, never raise it above it, and
-- a school 'none' (a protected address, a court order) always holds.
ALTER TABLE guardian_relations
    ADD COLUMN roster_access text CHECK (roster_access IN ('full', 'read_only', 'none')),
    ADD COLUMN school_access text CHECK (school_access IN ('full', 'read_only', 'none')),
    ADD COLUMN school_changed_by uuid REFERENCES people (id) ON DELETE SET NULL,
    ADD COLUMN school_changed_at timestamptz,
    ADD COLUMN school_reason text CHECK (char_length(school_reason) BETWEEN 1 AND 500);
UPDATE guardian_relations SET roster_access = access;
ALTER TABLE guardian_relations ALTER COLUMN roster_access SET NOT NULL;

CREATE FUNCTION access_rank(level text) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE level WHEN 'none' THEN 0 WHEN 'read_only' THEN 1 ELSE 2 END
$$;

CREATE FUNCTION guardian_effective_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.roster_access := coalesce(NEW.roster_access, NEW.access);
    ELSIF NEW.access IS DISTINCT FROM OLD.access
          AND NEW.roster_access IS NOT DISTINCT FROM OLD.roster_access
          AND NEW.school_access IS NOT DISTINCT FROM OLD.school_access THEN
        -- A writer that only knows `access` (the demo seed, older code) speaks
        -- for the roster; it still cannot step over the school's decision.
        NEW.roster_access := NEW.access;
    END IF;
    NEW.access := CASE
        WHEN NEW.school_access IS NULL THEN NEW.roster_access
        WHEN access_rank(NEW.school_access) <= access_rank(NEW.roster_access) THEN NEW.school_access
        ELSE NEW.roster_access END;
    RETURN NEW;
END
$$;

CREATE TRIGGER guardian_effective_access
    BEFORE INSERT OR UPDATE ON guardian_relations
    FOR EACH ROW EXECUTE FUNCTION guardian_effective_access();

-- Every change of a school's decision: who, when, from what to what, and why.
CREATE TABLE guardian_access_changes (
    id bigserial PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    guardian_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    changed_by uuid NOT NULL REFERENCES people (id),
    changed_at timestamptz NOT NULL,
    old_school_access text,
    new_school_access text,
    reason text
);
CREATE INDEX guardian_access_changes_pupil ON guardian_access_changes (pupil_id, changed_at);

-- A person removed from the roster keeps their row (their reports, marks,
-- cases and messages point at it) but can no longer sign in.
ALTER TABLE people
    ADD COLUMN deactivated_at timestamptz,
    ADD COLUMN sign_in_enabled boolean NOT NULL DEFAULT true,
    ADD COLUMN roster_role text
        CHECK (roster_role IN ('pupil', 'guardian', 'teacher', 'leader', 'other'));

ALTER TABLE schools
    ADD COLUMN roster_sync_at time NOT NULL DEFAULT '05:00',
    ADD COLUMN feide_realm text,
    ADD COLUMN owner_name text;

-- The OneRoster REST sync: where incremental runs start from.
CREATE TABLE roster_sync_state (
    provider text PRIMARY KEY,
    last_full_at timestamptz,
    last_run_at timestamptz,
    watermark text
);
