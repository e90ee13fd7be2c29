"""SQL of guardian administration: the school's decisions about a guardian's access, kept
apart from the roster's relation rows so an import never undoes them."""

LIST = """
SELECT r.guardian_id, g.name, r.access, r.roster_access, r.school_access, r.adult_consent,
       r.school_changed_at, r.school_changed_by, r.school_reason
FROM guardian_relations r JOIN people g ON g.id = r.guardian_id
WHERE r.pupil_id = $1
ORDER BY g.name, r.guardian_id
"""

BIRTH_DATE = "SELECT birth_date FROM people WHERE id = $1"

ONE = """
SELECT r.guardian_id, g.name, r.access, r.roster_access, r.school_access, r.adult_consent,
       r.school_changed_at, r.school_changed_by, r.school_reason
FROM guardian_relations r JOIN people g ON g.id = r.guardian_id
WHERE r.pupil_id = $1 AND r.guardian_id = $2
"""

LOCK = """
SELECT school_access FROM guardian_relations WHERE pupil_id = $1 AND guardian_id = $2 FOR UPDATE
"""

# The trigger of migration 0020 derives the effective `access` from both values.
SET_SCHOOL_ACCESS = """
UPDATE guardian_relations
SET school_access = $3, school_changed_by = $4, school_changed_at = $5, school_reason = $6
WHERE pupil_id = $1 AND guardian_id = $2
"""

RECORD_CHANGE = """
INSERT INTO guardian_access_changes
    (school_id, guardian_id, pupil_id, changed_by, changed_at, old_school_access, new_school_access, reason)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
"""

AUDIT = "INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at) VALUES ($1, $2, $3, $4, $5)"

# A guardian the school cuts off gets nothing more about the pupil that is already queued.
DROP_QUEUED_FOR = """
UPDATE deliveries d SET status = 'dropped', last_error = 'guardian access withdrawn by the school'
FROM notifications n
WHERE n.id = d.notification_id AND n.person_id = $1 AND n.data ->> 'pupil_id' = $2::text
  AND d.status IN ('pending', 'sending')
"""
