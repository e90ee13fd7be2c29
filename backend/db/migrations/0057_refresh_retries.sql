-- A refresh token remembers the token it was rotated from, so that the just-spent
-- token presented again within the retry window (a phone that lost the answer) can
-- replace its unused successor instead of revoking the family (api.md: Auth).
ALTER TABLE refresh_tokens ADD COLUMN parent_id uuid;
CREATE INDEX refresh_tokens_parent ON refresh_tokens (parent_id) WHERE parent_id IS NOT NULL;
