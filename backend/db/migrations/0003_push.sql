-- The push dispatcher's bookkeeping.
--
-- A delivery is claimed by setting status 'sending', a lease end
-- (claimed_until, copied into due_at so one index finds both new work and
-- expired leases) and the claiming dispatcher's claim_id. Outcomes are only
-- written by the holder of the claim, so a dispatcher whose lease ran out
-- cannot overwrite what another one did with the same rows.

ALTER TABLE deliveries ADD COLUMN claim_id uuid;

-- The claim query: urgent first, then the oldest due.
CREATE INDEX deliveries_claim ON deliveries (urgent DESC, due_at)
    WHERE status IN ('pending', 'sending');

-- Dropping what is still queued for a token (unregistered, moved, pruned).
CREATE INDEX deliveries_open_token ON deliveries (token)
    WHERE status IN ('pending', 'sending');

-- Pruning finished deliveries and devices nobody has used for a long time.
CREATE INDEX deliveries_created ON deliveries (created_at);
CREATE INDEX devices_last_seen ON devices (last_seen_at);
