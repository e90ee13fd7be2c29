"""SQL for sign-in: people lookup and refresh-token families."""

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

INSERT_REFRESH = """
INSERT INTO refresh_tokens
    (id, family_id, person_id, client, token_hash, created_at, family_expires_at, parent_id)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""

LOCK_REFRESH = """
SELECT r.id, r.family_id, r.person_id, r.client, r.family_expires_at, r.used_at, r.revoked_at,
       (p.deactivated_at IS NULL AND p.sign_in_enabled) AS active
FROM refresh_tokens r JOIN people p ON p.id = r.person_id WHERE r.token_hash = $1 FOR UPDATE OF r
"""

LOCK_SUCCESSORS = "SELECT id, used_at FROM refresh_tokens WHERE parent_id = $1 FOR UPDATE"

REVOKE_SUCCESSORS = """
UPDATE refresh_tokens SET revoked_at = $2 WHERE parent_id = $1 AND revoked_at IS NULL
"""

MARK_USED = "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1"

REVOKE_FAMILY = """
UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL
"""

FAMILY_OF = "SELECT family_id, person_id FROM refresh_tokens WHERE token_hash = $1"
