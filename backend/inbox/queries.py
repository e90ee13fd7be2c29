"""SQL for the signed-in person's devices, push preferences and inbox."""

DEVICE_COLUMNS = "id, token, platform, locale, app_version, created_at, last_seen_at"

# $1 token. Serialises registrations of the same token.
LOCK_TOKEN = "SELECT id, person_id FROM devices WHERE token = $1 FOR UPDATE"

# $1 device, $2 platform, $3 locale, $4 app_version, $5 now, $6/$7 Web Push keys (or NULLs).
# A browser may renew its keys under the same endpoint.
REFRESH_DEVICE = f"""
UPDATE devices SET platform = $2, locale = coalesce($3, locale),
       app_version = coalesce($4, app_version), last_seen_at = $5, p256dh = $6, auth = $7
WHERE id = $1
RETURNING {DEVICE_COLUMNS}
"""

# $1 device. The token now belongs to someone else: whatever was still queued
# for the previous owner must never reach the new owner's phone.
RELEASE_DEVICE = """
WITH gone AS (DELETE FROM devices WHERE id = $1 RETURNING token)
UPDATE deliveries SET status = 'dropped', last_error = 'device moved to another user'
WHERE token IN (SELECT token FROM gone) AND status IN ('pending', 'sending')
"""

# $1 id, $2 person, $3 token, $4 platform, $5 locale, $6 app_version, $7 now,
# $8/$9 Web Push keys (or NULLs)
INSERT_DEVICE = f"""
INSERT INTO devices (id, person_id, token, platform, locale, app_version, created_at,
                     last_seen_at, p256dh, auth)
VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9)
ON CONFLICT (token) DO NOTHING
RETURNING {DEVICE_COLUMNS}
"""

# $1 person
LIST_BROWSERS = f"""
SELECT {DEVICE_COLUMNS} FROM devices
WHERE person_id = $1 AND platform = 'webpush'
ORDER BY last_seen_at DESC, id
"""

# $1 person
PREFERENCES = """
SELECT p.locale, np.push_messages, np.push_grades, np.push_absence, np.push_reminders,
       np.quiet_start, np.quiet_end
FROM people p LEFT JOIN notification_preferences np ON np.person_id = p.id
WHERE p.id = $1
"""

# $1 person, $2..$5 switches, $6 quiet start, $7 quiet end, $8 locale
SAVE_PREFERENCES = """
WITH who AS (UPDATE people SET locale = $8 WHERE id = $1 RETURNING id)
INSERT INTO notification_preferences (person_id, push_messages, push_grades, push_absence,
                                      push_reminders, quiet_start, quiet_end)
SELECT id, $2, $3, $4, $5, $6, $7 FROM who
ON CONFLICT (person_id) DO UPDATE SET
    push_messages = excluded.push_messages, push_grades = excluded.push_grades,
    push_absence = excluded.push_absence, push_reminders = excluded.push_reminders,
    quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end
RETURNING person_id
"""

# $1 person, $2/$3 cursor (created_at, id) or NULLs, $4 limit
LIST_NOTIFICATIONS = """
SELECT id, kind, title, body, data, urgent, created_at, read_at
FROM notifications
WHERE person_id = $1
  AND ($2::timestamptz IS NULL OR (created_at, id) < ($2::timestamptz, $3::uuid))
ORDER BY created_at DESC, id DESC
LIMIT $4
"""

# $1 notification, $2 person, $3 now. Keeps the first read time; a push still
# waiting for its turn is no longer needed.
MARK_READ = """
WITH item AS (
    UPDATE notifications SET read_at = coalesce(read_at, $3)
    WHERE id = $1 AND person_id = $2
    RETURNING id
), dropped AS (
    UPDATE deliveries SET status = 'dropped', last_error = 'read before it was pushed'
    WHERE notification_id IN (SELECT id FROM item) AND status = 'pending'
    RETURNING 1
)
SELECT count(*) FROM item
"""
