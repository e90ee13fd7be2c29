"""SQL for reading the audit log."""

# $1 school, $2 pupil filter or NULL, $3/$4 the cursor (at, id) or NULL, $5 limit.
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
ORDER BY a.at DESC, a.id DESC
LIMIT $5
"""
