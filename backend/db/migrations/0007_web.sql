-- The web portal: server-side sessions and pending OpenID Connect sign-ins.

-- A browser session. The cookie carries a random token; only its hash is
-- stored, so a copy of the table signs nobody in. The CSRF token is bound
-- to the session and goes in a hidden field of every form.
CREATE TABLE web_sessions (
    token_hash bytea PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES people (id) ON DELETE CASCADE,
    csrf_token text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_expiry ON web_sessions (expires_at);
CREATE INDEX web_sessions_person ON web_sessions (person_id);

-- An authorization-code sign-in between the redirect to the identity
-- provider and its answer: state (hashed), nonce and PKCE verifier. Used once.
CREATE TABLE web_login_flows (
    state_hash bytea PRIMARY KEY,
    provider text NOT NULL,
    nonce text NOT NULL,
    code_verifier text NOT NULL,
    next_path text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
