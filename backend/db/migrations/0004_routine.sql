-- The morning routine: roll-call marks, the class team's completed check,
-- missing-pupil cases with every transition (who, when), and the indexes the
-- scheduled jobs need to stay set-based at national scale.

-- One mark per pupil and school day; a correction overwrites it.
-- roll_time is the school-local wall time the mark speaks for (the moment of
-- the roll call, never before the first lesson): a report with times
-- accounts for an absence only if it covers that moment.
CREATE TABLE attendance_marks (
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    day date NOT NULL,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    status text NOT NULL CHECK (status IN ('present', 'absent', 'late')),
    roll_time time NOT NULL,
    marked_by uuid NOT NULL REFERENCES people (id),
    marked_at timestamptz NOT NULL,
    PRIMARY KEY (pupil_id, day)
);
CREATE INDEX attendance_marks_class_day ON attendance_marks (class_id, day);

-- The class team's "absence checked" for a day; the 09:00 reminder skips it.
CREATE TABLE class_checks (
    class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    day date NOT NULL,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    completed_by uuid NOT NULL REFERENCES people (id),
    completed_at timestamptz NOT NULL,
    PRIMARY KEY (class_id, day)
);

-- A pupil marked absent with nothing accounting for the time.
-- pending -> sought -> escalated -> resolved; pending/sought/escalated -> resolved.
-- The seek instant is not stored: the sweep derives it from the school's
-- current settings, so a changed setting takes effect the same day.
CREATE TABLE missing_cases (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    day date NOT NULL,
    missing_from time NOT NULL,
    status text NOT NULL CHECK (status IN ('pending', 'sought', 'escalated', 'resolved')),
    opened_by uuid NOT NULL REFERENCES people (id),
    opened_at timestamptz NOT NULL,
    sought_at timestamptz,
    escalated_at timestamptz,
    resolved_at timestamptz,
    resolved_by uuid REFERENCES people (id),
    outcome text CHECK (outcome IN ('sick_at_home', 'on_the_way', 'found_other', 'arrived',
                                    'other', 'reported', 'leave')),
    resolution_note text CHECK (char_length(resolution_note) <= 500),
    CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND outcome IS NOT NULL))
);
-- At most one open case per pupil and day.
CREATE UNIQUE INDEX missing_cases_open
    ON missing_cases (pupil_id, day) WHERE status <> 'resolved';
CREATE INDEX missing_cases_active ON missing_cases (day, status) WHERE status <> 'resolved';
CREATE INDEX missing_cases_school_day ON missing_cases (school_id, day);
CREATE INDEX missing_cases_class_day ON missing_cases (class_id, day);
CREATE INDEX missing_cases_pupil ON missing_cases (pupil_id, day);

-- Every transition, who made it (NULL: the scheduled sweep) and when.
CREATE TABLE missing_case_events (
    id bigserial PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES missing_cases (id) ON DELETE CASCADE,
    event text NOT NULL CHECK (event IN ('opened', 'sought', 'escalated', 'resolved')),
    actor_id uuid REFERENCES people (id),
    at timestamptz NOT NULL,
    outcome text,
    note text
);
CREATE INDEX missing_case_events_case ON missing_case_events (case_id, at);

-- The scheduled jobs look these up for every school at once.
CREATE INDEX staff_assignments_class_team
    ON staff_assignments (class_id, role) WHERE role IN ('contact_teacher', 'class_team');
CREATE INDEX absence_reports_last_day ON absence_reports (last_day);
CREATE INDEX absence_reports_note_kept ON absence_reports (last_day) WHERE note IS NOT NULL;
CREATE INDEX leave_requests_approved
    ON leave_requests (pupil_id, first_day, last_day) WHERE status = 'approved';
