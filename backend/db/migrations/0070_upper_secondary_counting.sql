-- The upper-secondary absence limit as counted from autumn 2025 (README: Absence
-- in upper secondary). Undocumented and health absence count together against a
-- subject's annual hours; documented absence of a kind the regulations exempt
-- (forskrift til opplæringslova, Udir's circular on the limit, 3.3) does not.

-- Whether a drafted written warning is sent at once, without a teacher or leader
-- sending it; and the school's annual hours per subject (subject name -> hours),
-- used where the roster gives a teaching group no planned hours. A subject with
-- neither has no percent (nothing is counted against an unknown plan).
ALTER TABLE schools
    ADD COLUMN absence_warnings_automatic boolean NOT NULL DEFAULT false,
    ADD COLUMN absence_annual_hours jsonb NOT NULL DEFAULT '{}'::jsonb
        CHECK (jsonb_typeof(absence_annual_hours) = 'object');

-- Documented absence, as staff record it from the documentation they were shown
-- (nothing of the documentation itself is stored: no diagnosis, no free text).
-- `health_personnel`: health absence documented by health personnel (it counts
-- toward the limit, as self-reported health absence does); every other kind is
-- exempt from the limit. Whole days, or a span of time on a single day.
CREATE TABLE absence_documentation (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN (
        'health_personnel', 'driving_test_b', 'union_representative', 'political_work',
        'relief_work', 'statutory_appearance', 'representation', 'religious_holiday')),
    first_day date NOT NULL,
    last_day date NOT NULL,
    from_time time,
    to_time time,
    recorded_by uuid REFERENCES people (id) ON DELETE SET NULL,
    recorded_at timestamptz NOT NULL,
    CHECK (first_day <= last_day),
    CHECK ((from_time IS NULL) = (to_time IS NULL)),
    CHECK (from_time IS NULL OR (from_time < to_time AND first_day = last_day))
);
CREATE INDEX absence_documentation_pupil ON absence_documentation (pupil_id, first_day);
