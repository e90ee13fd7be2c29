"""SQL for sign-in: people lookup and refresh-token families."""

PERSON_BY_USERNAME = "SELECT id FROM people WHERE username = $1"

PERSON_BY_IDENTITY = "SELECT person_id FROM identities WHERE provider = $1 AND subject = $2"

INSERT_REFRESH = """
INSERT INTO refresh_tokens
    (id, family_id, person_id, client, token_hash, created_at, family_expires_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
"""

LOCK_REFRESH = """
SELECT id, family_id, person_id, client, family_expires_at, used_at, revoked_at
FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE
"""

MARK_USED = "UPDATE refresh_tokens SET used_at = $2 WHERE id = $1"

REVOKE_FAMILY = """
UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL
"""

FAMILY_OF = "SELECT family_id, person_id FROM refresh_tokens WHERE token_hash = $1"

# Signing out on a phone: pushes still queued for it must not follow.
DELETE_DEVICE = """
WITH gone AS (DELETE FROM devices WHERE id = $1 AND person_id = $2 RETURNING token)
UPDATE deliveries SET status = 'dropped', last_error = 'device signed out'
WHERE token IN (SELECT token FROM gone) AND status IN ('pending', 'sending')
"""
