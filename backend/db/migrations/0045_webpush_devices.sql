-- Web Push subscriptions are devices too (api.md: devices with "webpush").
--
-- A browser's subscription is its endpoint (an https URL at the browser
-- vendor's push service) and the two keys the payload is encrypted to
-- (RFC 8291): ``p256dh`` (the browser's P-256 public key) and ``auth`` (a
-- 16-byte secret), both base64url. The endpoint is kept in ``token``: it is
-- unique per subscription as an FCM token is per app installation, so
-- moving, unregistering, pruning and the deliveries' bookkeeping stay one
-- path for both kinds.
ALTER TABLE devices DROP CONSTRAINT devices_platform_check;
ALTER TABLE devices ADD CONSTRAINT devices_platform_check
    CHECK (platform IN ('ios', 'android', 'web', 'webpush'));
ALTER TABLE devices ADD COLUMN p256dh text, ADD COLUMN auth text;
ALTER TABLE devices ADD CONSTRAINT devices_webpush_keys
    CHECK ((platform = 'webpush') = (p256dh IS NOT NULL AND auth IS NOT NULL));
