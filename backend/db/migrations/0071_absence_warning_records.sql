-- Written absence warnings (varsel) as records: drafted when a subject reaches
-- the school's warning level, sent by the contact teacher or a leader (or at once
-- where the school chose so), with time, sender and recipients kept.
-- Warnings pushed before this migration were sent when they were pushed.
ALTER TABLE absence_warnings
    ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid(),
    ADD COLUMN group_id uuid REFERENCES teaching_groups (id) ON DELETE SET NULL,
    ADD COLUMN status text NOT NULL DEFAULT 'sent' CHECK (status IN ('draft', 'sent')),
    ADD COLUMN created_at timestamptz,
    ADD COLUMN sent_at timestamptz,
    ADD COLUMN sent_by uuid REFERENCES people (id) ON DELETE SET NULL,
    -- the subject's percent when the warning was sent: a warning sent only after
    -- the limit was reached does not take away the right to a grade
    ADD COLUMN sent_percent numeric(6, 2);
UPDATE absence_warnings SET created_at = warned_at, sent_at = warned_at, sent_percent = percent;
ALTER TABLE absence_warnings
    ALTER COLUMN created_at SET NOT NULL,
    ALTER COLUMN status SET DEFAULT 'draft',
    ADD CONSTRAINT absence_warnings_id UNIQUE (id),
    ADD CONSTRAINT absence_warnings_sent CHECK ((status = 'sent') = (sent_at IS NOT NULL));
CREATE INDEX absence_warnings_school_draft ON absence_warnings (school_id) WHERE status = 'draft';

-- Who a sent warning went to, as they were then (name and role at sending).
CREATE TABLE absence_warning_recipients (
    warning_id uuid NOT NULL REFERENCES absence_warnings (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    name text NOT NULL,
    role text NOT NULL CHECK (role IN ('pupil', 'guardian')),
    email text,
    PRIMARY KEY (warning_id, person_id)
);

-- The warning's e-mails: an outbox written in the sending transaction and handed
-- to the SMTP transport by the `absence-warnings` job (the push goes through the
-- notifications outbox as every push does).
CREATE TABLE absence_warning_mails (
    id bigserial PRIMARY KEY,
    warning_id uuid NOT NULL REFERENCES absence_warnings (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    address text NOT NULL,
    locale text NOT NULL,
    status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts integer NOT NULL DEFAULT 0,
    queued_at timestamptz NOT NULL,
    sent_at timestamptz,
    error text
);
CREATE INDEX absence_warning_mails_queued ON absence_warning_mails (id) WHERE status = 'queued';
