-- Foundation: schools and their settings, the roster, sign-in, absence reports,
-- idempotency keys and the audit log. Every school-scoped table carries school_id.

CREATE TABLE schools (
    id uuid PRIMARY KEY,
    source_id text UNIQUE,
    name text NOT NULL,
    timezone text NOT NULL DEFAULT 'Europe/Oslo',
    report_deadline time NOT NULL DEFAULT '08:30',
    check_reminder_at time NOT NULL DEFAULT '09:00',
    first_lesson_start time NOT NULL DEFAULT '08:30',
    first_lesson_end time NOT NULL DEFAULT '09:15',
    first_recess_start time NOT NULL DEFAULT '10:00',
    seek_policy jsonb NOT NULL DEFAULT
        '{"1-7": "first_lesson", "8-10": "first_recess", "11-13": "first_recess"}',
    escalate_after_minutes integer NOT NULL DEFAULT 30
        CHECK (escalate_after_minutes BETWEEN 30 AND 45),
    leave_teacher_max_days integer NOT NULL DEFAULT 2 CHECK (leave_teacher_max_days >= 0),
    still_sick_at time NOT NULL DEFAULT '07:30',
    note_retention_days integer NOT NULL DEFAULT 30 CHECK (note_retention_days >= 1),
    absence_limit_percent numeric(5, 2) NOT NULL DEFAULT 10,
    absence_warning_percent numeric(5, 2) NOT NULL DEFAULT 8,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE school_years (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    source_id text UNIQUE,
    name text NOT NULL,
    starts_on date NOT NULL,
    ends_on date NOT NULL,
    CHECK (starts_on < ends_on)
);
CREATE INDEX school_years_school ON school_years (school_id, starts_on);

CREATE TABLE closed_days (
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    day date NOT NULL,
    label text NOT NULL,
    PRIMARY KEY (school_id, day)
);

CREATE TABLE people (
    id uuid PRIMARY KEY,
    source_id text UNIQUE,
    username text UNIQUE,
    name text NOT NULL,
    birth_date date,
    locale text NOT NULL DEFAULT 'nb' CHECK (locale IN ('nb', 'nn', 'en')),
    is_system_admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- How an identity provider's subject maps to a person (filled by the roster import).
CREATE TABLE identities (
    provider text NOT NULL,
    subject text NOT NULL,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    PRIMARY KEY (provider, subject)
);
CREATE INDEX identities_person ON identities (person_id);

CREATE TABLE classes (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    school_year_id uuid NOT NULL REFERENCES school_years (id) ON DELETE CASCADE,
    source_id text UNIQUE,
    name text NOT NULL,
    grade integer NOT NULL CHECK (grade BETWEEN 1 AND 13)
);
CREATE INDEX classes_school ON classes (school_id, school_year_id);

CREATE TABLE teaching_groups (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    school_year_id uuid NOT NULL REFERENCES school_years (id) ON DELETE CASCADE,
    class_id uuid REFERENCES classes (id) ON DELETE SET NULL,
    source_id text UNIQUE,
    name text NOT NULL,
    subject text NOT NULL
);
CREATE INDEX teaching_groups_school ON teaching_groups (school_id, school_year_id);

CREATE TABLE class_enrollments (
    class_id uuid NOT NULL REFERENCES classes (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    PRIMARY KEY (class_id, pupil_id)
);
CREATE INDEX class_enrollments_pupil ON class_enrollments (pupil_id);

CREATE TABLE group_enrollments (
    group_id uuid NOT NULL REFERENCES teaching_groups (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, pupil_id)
);
CREATE INDEX group_enrollments_pupil ON group_enrollments (pupil_id);

CREATE TABLE guardian_relations (
    guardian_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    access text NOT NULL CHECK (access IN ('full', 'read_only', 'none')),
    -- A pupil of 18 or more may let a guardian keep access.
    adult_consent boolean NOT NULL DEFAULT false,
    PRIMARY KEY (guardian_id, pupil_id)
);
CREATE INDEX guardian_relations_pupil ON guardian_relations (pupil_id);

CREATE TABLE staff_assignments (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    school_year_id uuid NOT NULL REFERENCES school_years (id) ON DELETE CASCADE,
    role text NOT NULL
        CHECK (role IN ('contact_teacher', 'class_team', 'subject_teacher', 'school_leader')),
    class_id uuid REFERENCES classes (id) ON DELETE CASCADE,
    group_id uuid REFERENCES teaching_groups (id) ON DELETE CASCADE,
    CHECK (
        (role IN ('contact_teacher', 'class_team') AND class_id IS NOT NULL)
        OR (role = 'subject_teacher' AND group_id IS NOT NULL)
        OR role = 'school_leader'
    )
);
CREATE UNIQUE INDEX staff_assignments_unique
    ON staff_assignments (person_id, school_year_id, role,
                          coalesce(class_id, '00000000-0000-0000-0000-000000000000'),
                          coalesce(group_id, '00000000-0000-0000-0000-000000000000'));
CREATE INDEX staff_assignments_class ON staff_assignments (class_id) WHERE class_id IS NOT NULL;
CREATE INDEX staff_assignments_group ON staff_assignments (group_id) WHERE group_id IS NOT NULL;
CREATE INDEX staff_assignments_school ON staff_assignments (school_id, role);

CREATE TABLE refresh_tokens (
    id uuid PRIMARY KEY,
    family_id uuid NOT NULL,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    client text NOT NULL CHECK (client IN ('app', 'web')),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL,
    family_expires_at timestamptz NOT NULL,
    used_at timestamptz,
    revoked_at timestamptz
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE absence_reports (
    id uuid PRIMARY KEY,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    pupil_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    first_day date NOT NULL,
    last_day date NOT NULL,
    from_time time,
    to_time time,
    reason text NOT NULL
        CHECK (reason IN ('sick', 'doctor', 'dentist', 'funeral', 'hospital', 'other')),
    note text CHECK (char_length(note) <= 500),
    submitted_at timestamptz NOT NULL,
    submitted_by uuid NOT NULL REFERENCES people (id),
    deadline timestamptz NOT NULL,
    late boolean NOT NULL,
    note_erased_at timestamptz,
    CHECK (first_day <= last_day),
    CHECK ((from_time IS NULL) = (to_time IS NULL)),
    CHECK (from_time IS NULL OR (first_day = last_day AND from_time < to_time))
);
CREATE INDEX absence_reports_pupil ON absence_reports (pupil_id, first_day, last_day);
CREATE INDEX absence_reports_school_day ON absence_reports (school_id, first_day, last_day);

-- A POST retried with the same key returns the first answer (api.md).
CREATE TABLE idempotency_keys (
    person_id uuid NOT NULL,
    key text NOT NULL,
    fingerprint text NOT NULL,
    status integer,
    response jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, key)
);

CREATE TABLE audit_log (
    id bigserial PRIMARY KEY,
    school_id uuid NOT NULL,
    actor_id uuid NOT NULL,
    pupil_id uuid NOT NULL,
    action text NOT NULL,
    at timestamptz NOT NULL
);
CREATE INDEX audit_log_school ON audit_log (school_id, at DESC);

-- Push devices. A token belongs to one person: registering it again under
-- another person moves it (someone signed out badly).
CREATE TABLE devices (
    id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    token text NOT NULL UNIQUE,
    platform text NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    locale text CHECK (locale IN ('nb', 'nn', 'en')),
    app_version text,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX devices_person ON devices (person_id);
