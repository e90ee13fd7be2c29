-- Messaging between home and school (product.md: Messaging; api.md: Messaging).
-- A thread is about one pupil at one school; its participants are fixed when
-- it is started (the sender and the expanded recipients) and each carries
-- the instant up to which they have read it. Subjects and bodies are stored
-- exactly as written: they are text, never markup.

CREATE TABLE message_threads (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    subject text NOT NULL CHECK (char_length(subject) <= 200),
    created_by uuid NOT NULL REFERENCES people (id),
    created_at timestamptz NOT NULL,
    -- "Newest activity first" sorts on this; set by every new message.
    last_message_at timestamptz NOT NULL
);
CREATE INDEX message_threads_pupil ON message_threads (pupil_id);
CREATE INDEX message_threads_school ON message_threads (school_id);

CREATE TABLE thread_participants (
    thread_id uuid NOT NULL REFERENCES message_threads (id) ON DELETE CASCADE,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    -- The person's relation to the pupil when they joined the thread.
    role text NOT NULL
        CHECK (role IN ('guardian', 'pupil', 'contact_teacher', 'teacher', 'school_leader')),
    joined_at timestamptz NOT NULL,
    last_read_at timestamptz,
    PRIMARY KEY (thread_id, person_id)
);
CREATE INDEX thread_participants_person ON thread_participants (person_id, thread_id);

CREATE TABLE messages (
    id uuid PRIMARY KEY,
    -- Orders messages sent within the same instant.
    seq bigint GENERATED ALWAYS AS IDENTITY,
    thread_id uuid NOT NULL REFERENCES message_threads (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    sender_id uuid NOT NULL REFERENCES people (id),
    body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
    sent_at timestamptz NOT NULL
);
CREATE INDEX messages_thread ON messages (thread_id, sent_at, seq);
