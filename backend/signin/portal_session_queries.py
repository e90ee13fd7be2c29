"""SQL of the web portal's sessions and OIDC sign-in flows."""

INSERT_SESSION = """
WITH swept AS (DELETE FROM web_sessions WHERE expires_at < $5)
INSERT INTO web_sessions (token_hash, person_id, csrf_token, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5 + ($6::int * interval '1 second'))
"""

SESSION = """
SELECT s.person_id, s.csrf_token, s.expires_at, p.name, p.locale
FROM web_sessions s JOIN people p ON p.id = s.person_id
WHERE s.token_hash = $1 AND s.expires_at > $2
"""

DELETE_SESSION = "DELETE FROM web_sessions WHERE token_hash = $1"

INSERT_FLOW = """
WITH swept AS (DELETE FROM web_login_flows WHERE expires_at < $6)
INSERT INTO web_login_flows
    (state_hash, provider, nonce, code_verifier, next_path, created_at, expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $6 + interval '10 minutes')
"""

# A sign-in flow is used once: taking it deletes it.
TAKE_FLOW = """
DELETE FROM web_login_flows WHERE state_hash = $1 AND expires_at > $2
RETURNING provider, nonce, code_verifier, next_path
"""
