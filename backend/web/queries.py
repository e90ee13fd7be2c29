"""SQL of the web portal: sessions, sign-in flows and page facts."""

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

# A person removed from the roster, or whose account the school system disabled
# (enabledUser=false), cannot sign in.
PERSON_BY_USERNAME = """
SELECT id FROM people WHERE username = $1 AND deactivated_at IS NULL AND sign_in_enabled
"""

PERSON_BY_IDENTITY = """
SELECT i.person_id FROM identities i JOIN people p ON p.id = i.person_id
WHERE i.provider = $1 AND i.subject = $2 AND p.deactivated_at IS NULL AND p.sign_in_enabled
"""

# The demo users first (the contract's list), then a few generated ones.
DEV_USERS = """
SELECT username, name FROM people
WHERE username = any($1::text[])
ORDER BY array_position($1::text[], username)
"""

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

# The contact teacher's day limit at the school of the first of these pupils
# (a guardian's children are nearly always at one school), for the page's hint.
TEACHER_DAYS = """
SELECT s.leave_teacher_max_days FROM class_enrollments ce
JOIN classes c ON c.id = ce.class_id JOIN schools s ON s.id = c.school_id
WHERE ce.pupil_id = any($1::uuid[])
ORDER BY c.school_year_id DESC LIMIT 1
"""

CLASS_TIMEZONE = """
SELECT s.timezone FROM classes c JOIN schools s ON s.id = c.school_id WHERE c.id = $1
"""
