-- Assessments and grades, per-subject (lesson) absence for upper secondary,
-- and the record of which subject absence warnings were already pushed.

-- One assessment of one pupil in one teaching group. It is visible to the
-- pupil and guardians from `published_at` on; `publish_at` is what the
-- teacher asked for (NULL = at once). `published_notified_at` is set when the
-- `assessment_published` push was queued: immediately for an immediate
-- publication, by the publish job for a scheduled one. The job claims rows
-- with UPDATE ... WHERE published_notified_at IS NULL, so it never pushes twice.
CREATE TABLE assessments (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    group_id uuid NOT NULL REFERENCES teaching_groups (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    teacher_id uuid NOT NULL REFERENCES people (id),
    kind text NOT NULL CHECK (kind IN ('formative', 'half_year', 'final', 'exam')),
    grade text CHECK (grade IN ('1', '2', '3', '4', '5', '6', 'IV', 'fritatt')),
    comment text CHECK (char_length(comment) <= 2000),
    created_at timestamptz NOT NULL,
    publish_at timestamptz,
    published_at timestamptz NOT NULL,
    published_notified_at timestamptz,
    CHECK (grade IS NOT NULL OR comment IS NOT NULL)
);
CREATE INDEX assessments_pupil ON assessments (pupil_id, group_id, published_at);
-- What the publish job looks for: small, because rows leave it once pushed.
CREATE INDEX assessments_due ON assessments (published_at) WHERE published_notified_at IS NULL;

-- Hours a subject has in the school year (årstimer): the base of the upper
-- secondary absence percentage. NULL = not known (no percentage shown).
ALTER TABLE teaching_groups ADD COLUMN IF NOT EXISTS planned_hours integer
    CHECK (planned_hours IS NULL OR planned_hours > 0);

-- One missed lesson of one pupil in one teaching group (upper secondary
-- counts absence per subject). `documented` = the school holds documentation
-- (health, other legal reasons), so the hours do not count toward the limit.
-- Whether a lesson is reported (an absence report covers it) is derived, not stored.
CREATE TABLE subject_absences (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    group_id uuid NOT NULL REFERENCES teaching_groups (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    day date NOT NULL,
    starts_at time NOT NULL,
    ends_at time NOT NULL,
    documented boolean NOT NULL DEFAULT false,
    recorded_by uuid REFERENCES people (id),
    recorded_at timestamptz NOT NULL,
    CHECK (starts_at < ends_at),
    UNIQUE (pupil_id, day, starts_at)
);
CREATE INDEX subject_absences_group ON subject_absences (group_id, day);

-- A subject's absence warning is pushed once per pupil and school year: the
-- first insert wins (ON CONFLICT DO NOTHING), so re-runs never push again.
CREATE TABLE absence_warnings (
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    school_year_id uuid NOT NULL REFERENCES school_years (id) ON DELETE CASCADE,
    subject text NOT NULL,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    percent numeric(6, 2) NOT NULL,
    warned_at timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, school_year_id, subject)
);
