-- Absence follow-up (product.md: Following up absence; api.md: Absence follow-up).
--
-- The school's rules for worrying absence, as one settings group; the defaults
-- are those of published municipal routines for "bekymringsfullt fravær".
ALTER TABLE schools
    ADD COLUMN follow_up jsonb NOT NULL DEFAULT
        '{"days_share_percent": 10, "window_days": 28, "spells": 3, "same_weekday": 3,
          "same_weekday_window_days": 42, "unexplained_per_term": 3}';

-- A follow-up of one pupil's absence, opened by the nightly job when a rule is
-- met. rules: [{"rule", "days": ["YYYY-MM-DD", ...]}]. class_id: the pupil's class
-- when it was opened; owner_id: that class's contact teacher then.
CREATE TABLE follow_ups (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    owner_id uuid REFERENCES people (id),
    status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    rules jsonb NOT NULL,
    opened_at timestamptz NOT NULL,
    opened_on date NOT NULL,
    closed_at timestamptz,
    -- The school's local date of the closing: only absence after it opens a new one.
    closed_on date,
    closed_by uuid REFERENCES people (id),
    CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);
-- At most one open follow-up per pupil: the job inserts with ON CONFLICT DO NOTHING.
CREATE UNIQUE INDEX follow_ups_one_open ON follow_ups (pupil_id) WHERE status = 'open';
CREATE INDEX follow_ups_pupil ON follow_ups (pupil_id, closed_on);
CREATE INDEX follow_ups_school ON follow_ups (school_id, opened_at DESC);
CREATE INDEX follow_ups_class ON follow_ups (class_id);

-- The coded actions of a follow-up: no free text, so no health details.
CREATE TABLE follow_up_actions (
    id uuid PRIMARY KEY,
    follow_up_id uuid NOT NULL REFERENCES follow_ups (id) ON DELETE CASCADE,
    kind text NOT NULL CHECK (kind IN ('talk_with_pupil', 'called_guardians', 'meeting',
                                       'school_health_service', 'ppt', 'other')),
    on_day date NOT NULL,
    by_id uuid NOT NULL REFERENCES people (id),
    logged_at timestamptz NOT NULL
);
CREATE INDEX follow_up_actions_follow_up ON follow_up_actions (follow_up_id, logged_at);
