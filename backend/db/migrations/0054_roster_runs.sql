-- The roster's imports and syncs as they ended, so the school's leaders can see the
-- last one with its warnings in the portal (a CLI run printed them and forgot them).
CREATE TABLE roster_runs (
    id bigserial PRIMARY KEY,
    source text NOT NULL CHECK (source IN ('import', 'sync')),
    finished_at timestamptz NOT NULL,
    -- counts per kind, warning texts (capped) and their totals: ImportSummary as JSON
    summary jsonb NOT NULL
);
CREATE INDEX roster_runs_latest ON roster_runs (finished_at DESC, id DESC);
