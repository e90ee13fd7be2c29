-- Reaching guardians (issue 9): contact points, the ladder's settings, who was
-- reached on a case and every attempt to reach them, and test alerts.

-- Contact points as the roster holds them (OneRoster users' sms/phone/email),
-- one of each per person. NULL: none known. Shown only through the call list,
-- GET /me/contact and used by the SMS/e-mail ladder (product.md: Reaching guardians).
ALTER TABLE people
    ADD COLUMN mobile text CHECK (mobile ~ '^\+[1-9][0-9]{6,14}$'),
    ADD COLUMN email text CHECK (char_length(email) <= 254 AND email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$');

ALTER TABLE schools
    ADD COLUMN office_phone text CHECK (office_phone ~ '^\+?[0-9 ]{3,20}$'),
    ADD COLUMN sms_after_minutes integer NOT NULL DEFAULT 5 CHECK (sms_after_minutes BETWEEN 1 AND 60),
    ADD COLUMN call_after_minutes integer NOT NULL DEFAULT 10 CHECK (call_after_minutes BETWEEN 1 AND 60),
    ADD CONSTRAINT schools_call_after_sms CHECK (call_after_minutes >= sms_after_minutes);

-- The first moment a guardian was reached (opened the alert, answered, or was
-- reached by phone); the ladder stops there. call_requested_at: the class team
-- was told to call (the board highlights the call list from then on).
ALTER TABLE missing_cases
    ADD COLUMN reached_at timestamptz,
    ADD COLUMN call_requested_at timestamptz;

-- Every SMS, e-mail and phone call on a case, per guardian. Pushes are not
-- copied here: their inbox items and deliveries already say what happened.
-- SMS and e-mail rows are an outbox: written 'queued' in the ladder step's
-- transaction, handed to the provider afterwards by whoever claims them
-- (claimed_until is the lease), then moved on by the provider's reports.
CREATE TABLE contact_attempts (
    id bigserial PRIMARY KEY,
    case_id uuid NOT NULL REFERENCES missing_cases (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    guardian_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    channel text NOT NULL CHECK (channel IN ('sms', 'email', 'call')),
    -- which message of the case: the first alert or the escalation (NULL for calls)
    stage text CHECK (stage IN ('sought', 'escalated')),
    status text NOT NULL
        CHECK (status IN ('queued', 'sent', 'delivered', 'failed', 'reached', 'no_answer')),
    address text,
    provider_id text,
    error text,
    attempts integer NOT NULL DEFAULT 0,
    claimed_until timestamptz,
    handed_at timestamptz,
    actor_id uuid REFERENCES people (id),
    note text CHECK (char_length(note) <= 500),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE INDEX contact_attempts_case ON contact_attempts (case_id, created_at);
CREATE UNIQUE INDEX contact_attempts_provider ON contact_attempts (channel, provider_id)
    WHERE provider_id IS NOT NULL;
CREATE INDEX contact_attempts_outbox ON contact_attempts (id)
    WHERE status = 'queued' AND handed_at IS NULL;

-- A leader's test alert to every guardian with access at the school, and who tapped OK.
CREATE TABLE test_alerts (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    sent_by uuid NOT NULL REFERENCES people (id),
    sent_at timestamptz NOT NULL,
    recipients integer NOT NULL
);
CREATE TABLE test_alert_confirmations (
    test_alert_id uuid NOT NULL REFERENCES test_alerts (id) ON DELETE CASCADE,
    guardian_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    confirmed_at timestamptz NOT NULL,
    PRIMARY KEY (test_alert_id, guardian_id)
);
CREATE INDEX test_alert_confirmations_guardian ON test_alert_confirmations (guardian_id, confirmed_at);

-- The reachability view asks for devices seen lately per guardian.
CREATE INDEX IF NOT EXISTS devices_person_seen ON devices (person_id, last_seen_at);
-- The case's contacts find its pushes by the case id in the inbox item.
CREATE INDEX notifications_case ON notifications ((data ->> 'case_id'))
    WHERE kind IN ('missing_pupil', 'missing_pupil_escalation');
