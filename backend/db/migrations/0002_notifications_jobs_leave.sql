-- Cross-cutting tables several domains write to: the inbox and its push
-- deliveries (the transactional outbox), push preferences, job claims, and
-- leave requests (approved leave accounts for a pupil's absence).

ALTER TABLE people ADD COLUMN office_hours jsonb;  -- staff: {"start": "HH:MM", "end": "HH:MM"}

CREATE TABLE notification_preferences (
    person_id uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    push_messages boolean NOT NULL DEFAULT true,
    push_grades boolean NOT NULL DEFAULT true,
    push_absence boolean NOT NULL DEFAULT true,
    push_reminders boolean NOT NULL DEFAULT true,
    quiet_start time,
    quiet_end time,
    CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);

-- The in-app inbox: the record that is never lost.
CREATE TABLE notifications (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    kind text NOT NULL,
    title text NOT NULL,
    body text NOT NULL,
    data jsonb NOT NULL DEFAULT '{}',
    urgent boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL,
    read_at timestamptz
);
CREATE INDEX notifications_person ON notifications (person_id, created_at DESC, id DESC);

-- One row per (notification, device): what the dispatcher sends.
CREATE TABLE deliveries (
    id bigserial PRIMARY KEY,
    notification_id uuid NOT NULL REFERENCES notifications (id) ON DELETE CASCADE,
    device_id uuid REFERENCES devices (id) ON DELETE SET NULL,
    token text NOT NULL,
    status text NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dropped')),
    urgent boolean NOT NULL DEFAULT false,
    collapse_key text,
    due_at timestamptz NOT NULL,
    attempts integer NOT NULL DEFAULT 0,
    claimed_until timestamptz,
    last_error text,
    sent_at timestamptz,
    created_at timestamptz NOT NULL
);
CREATE INDEX deliveries_due ON deliveries (due_at) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_notification ON deliveries (notification_id);

-- A scheduled unit of work is done once: the first replica to insert its
-- claim row does it (job, school or class, local date).
CREATE TABLE job_claims (
    job text NOT NULL,
    unit_id uuid NOT NULL,
    local_date date NOT NULL,
    claimed_at timestamptz NOT NULL,
    effects jsonb,
    PRIMARY KEY (job, unit_id, local_date)
);

CREATE TABLE leave_requests (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    requested_by uuid NOT NULL REFERENCES people (id),
    first_day date NOT NULL,
    last_day date NOT NULL,
    reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 1000),
    school_days integer NOT NULL,
    status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by uuid REFERENCES people (id),
    decided_at timestamptz,
    decision_comment text CHECK (char_length(decision_comment) <= 1000),
    created_at timestamptz NOT NULL,
    CHECK (first_day <= last_day)
);
CREATE INDEX leave_requests_pupil ON leave_requests (pupil_id, first_day, last_day);
CREATE INDEX leave_requests_school ON leave_requests (school_id, status);
