"""SQL for reading the audit log."""

# $1 school, $2 pupil filter or NULL, $3/$4 the cursor (at, id) or NULL, $5 limit;
# the portal's filters, each NULL for none: $6 actor, $7 action, $8/$9 first and last
# day in the school's time zone $10, $11 part of the pupil's name.
# Newest first; (at, id) is unique, so the cursor never skips or repeats a row.
LIST_ENTRIES = """
SELECT a.id, a.at, a.actor_id, actor.name AS actor_name, a.pupil_id, pupil.name AS pupil_name,
       a.action
FROM audit_log a
JOIN people actor ON actor.id = a.actor_id
JOIN people pupil ON pupil.id = a.pupil_id
WHERE a.school_id = $1
  AND ($2::uuid IS NULL OR a.pupil_id = $2)
  AND ($3::timestamptz IS NULL OR (a.at, a.id) < ($3, $4::bigint))
  AND ($6::uuid IS NULL OR a.actor_id = $6)
  AND ($7::text IS NULL OR a.action = $7)
  AND ($8::date IS NULL OR (a.at AT TIME ZONE $10::text)::date >= $8)
  AND ($9::date IS NULL OR (a.at AT TIME ZONE $10::text)::date <= $9)
  AND ($11::text IS NULL OR pupil.name ILIKE '%' || $11 || '%')
ORDER BY a.at DESC, a.id DESC
LIMIT $5
"""

# Who appears in the school's log and which actions, for the portal's filter choices.
ACTORS = """
SELECT DISTINCT a.actor_id, p.name FROM audit_log a JOIN people p ON p.id = a.actor_id
WHERE a.school_id = $1 ORDER BY p.name, a.actor_id
"""
ACTIONS = "SELECT DISTINCT action FROM audit_log WHERE school_id = $1 ORDER BY action"
