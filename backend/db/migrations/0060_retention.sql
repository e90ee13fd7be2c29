-- Retention, legal holds and the person's own export (docs/privacy.md).

-- A legal hold on a pupil (a complaint, a case): while it stands, the retention
-- job erases nothing about the pupil. One row a pupil; lifting deletes it (the
-- audit log keeps who placed and lifted it, and when).
CREATE TABLE legal_holds (
    pupil_id uuid PRIMARY KEY REFERENCES people (id) ON DELETE CASCADE,
    school_id uuid NOT NULL REFERENCES schools (id) ON DELETE CASCADE,
    reason text NOT NULL CHECK (char_length(reason) BETWEEN 1 AND 500),
    placed_by uuid NOT NULL REFERENCES people (id),
    placed_at timestamptz NOT NULL
);

-- One row per retention run: the run's audit entry (what was erased, per
-- category) and, while finished_at is NULL, the lock that keeps a second run
-- from working at the same time. heartbeat_at is the database's own clock, so a
-- run that died is taken over after a while whatever the injected clock says.
CREATE TABLE retention_runs (
    id bigserial PRIMARY KEY,
    as_of timestamptz NOT NULL,
    dry_run boolean NOT NULL,
    started_by text NOT NULL,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    heartbeat_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz,
    outcome text CHECK (outcome IN ('done', 'abandoned')),
    erased jsonb NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX retention_runs_one_at_a_time ON retention_runs ((true))
    WHERE finished_at IS NULL AND NOT dry_run;

-- Every export of a person's own data (GET /api/v1/me/export): its audit entry
-- and the rate limit (one per person per 10 minutes).
CREATE TABLE data_exports (
    id bigserial PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    client text NOT NULL,
    at timestamptz NOT NULL,
    pupils integer NOT NULL
);
CREATE INDEX data_exports_person ON data_exports (person_id, at DESC);

-- What the retention job looks for, by age.
CREATE INDEX notifications_created ON notifications (created_at);
CREATE INDEX contact_attempts_created ON contact_attempts (created_at);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_pupil ON audit_log (pupil_id, at DESC);
CREATE INDEX message_threads_last ON message_threads (last_message_at);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
CREATE INDEX job_claims_claimed ON job_claims (claimed_at);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens (family_expires_at);
CREATE INDEX web_login_flows_expiry ON web_login_flows (expires_at);
