"""SQL of a person's export (GET /api/v1/me/export). Each statement yields one JSON
text per row, built by PostgreSQL, so the service streams them without decoding.

The parameters are the person, the pupils the policy let them see (their
children with access, or themselves) and the instant of the export, in the order
each statement's comment in ``export.py`` gives.
"""

# Who is exported about: the children the person is a guardian with access of
# (guardians_with_access: never a blocked relation), and the person as a pupil.
CANDIDATE_PUPILS = """
SELECT g.pupil_id FROM guardians_with_access($2) g WHERE g.guardian_id = $1
UNION
SELECT $1 WHERE EXISTS (SELECT 1 FROM class_enrollments WHERE pupil_id = $1)
             OR EXISTS (SELECT 1 FROM former_class_enrollments WHERE pupil_id = $1)
"""

# Only one export per person at a time, and the last one's instant (the rate limit).
LOCK_PERSON = "SELECT pg_advisory_xact_lock(hashtextextended('export:' || $1::uuid::text, 0))"
LAST_EXPORT = "SELECT max(at) FROM data_exports WHERE person_id = $1"
RECORD_EXPORT = "INSERT INTO data_exports (person_id, client, at, pupils) VALUES ($1, $2, $3, $4)"

PERSON = """
SELECT json_build_object(
    'id', p.id, 'name', p.name, 'username', p.username, 'birth_date', p.birth_date,
    'locale', p.locale, 'office_hours', p.office_hours, 'created_at', p.created_at)::text
FROM people p WHERE p.id = $1
"""

CONTACT = "SELECT json_build_object('mobile', p.mobile, 'email', p.email)::text FROM people p WHERE p.id = $1"

PREFERENCES = """
SELECT json_build_object(
    'push', json_build_object('messages', coalesce(np.push_messages, true),
                              'grades', coalesce(np.push_grades, true),
                              'absence', coalesce(np.push_absence, true),
                              'reminders', coalesce(np.push_reminders, true)),
    'quiet_hours', CASE WHEN np.quiet_start IS NULL THEN NULL
                        ELSE json_build_object('start', to_char(np.quiet_start, 'HH24:MI'),
                                               'end', to_char(np.quiet_end, 'HH24:MI')) END)::text
FROM people p LEFT JOIN notification_preferences np ON np.person_id = p.id WHERE p.id = $1
"""

# The push token itself is a credential of the phone, not shown.
DEVICES = """
SELECT json_build_object('id', d.id, 'platform', d.platform, 'locale', d.locale,
    'app_version', d.app_version, 'created_at', d.created_at, 'last_seen_at', d.last_seen_at)::text
FROM devices d WHERE d.person_id = $1 ORDER BY d.created_at, d.id
"""

INBOX = """
SELECT json_build_object('id', n.id, 'kind', n.kind, 'title', n.title, 'body', n.body, 'data', n.data,
    'urgent', n.urgent, 'created_at', n.created_at, 'read_at', n.read_at)::text
FROM notifications n WHERE n.person_id = $1 ORDER BY n.created_at, n.id
"""

# The threads the person takes part in, with every message.
THREADS = """
SELECT json_build_object('id', t.id, 'pupil_id', t.pupil_id, 'subject', t.subject,
    'created_at', t.created_at, 'last_read_at', tp.last_read_at,
    'messages', (SELECT coalesce(json_agg(json_build_object(
                     'id', m.id, 'sender_name', s.name, 'body', m.body, 'sent_at', m.sent_at)
                     ORDER BY m.sent_at, m.seq), '[]')
                 FROM messages m JOIN people s ON s.id = m.sender_id WHERE m.thread_id = t.id))::text
FROM thread_participants tp JOIN message_threads t ON t.id = tp.thread_id
WHERE tp.person_id = $1 ORDER BY t.created_at, t.id
"""

PUPILS = """
SELECT json_build_object('pupil_id', p.id, 'name', p.name, 'birth_date', p.birth_date,
    'legal_hold', EXISTS (SELECT 1 FROM legal_holds h WHERE h.pupil_id = p.id))::text
FROM unnest($1::uuid[]) AS x(id) JOIN people p ON p.id = x.id ORDER BY p.name, p.id
"""

# A report's note is shown only to whoever wrote it (as in the API).
ABSENCE_REPORTS = """
SELECT json_build_object('id', r.id, 'pupil_id', r.pupil_id, 'first_day', r.first_day,
    'last_day', r.last_day, 'from_time', to_char(r.from_time, 'HH24:MI'),
    'to_time', to_char(r.to_time, 'HH24:MI'), 'reason', r.reason,
    'note', CASE WHEN r.submitted_by = $1 THEN r.note END,
    'submitted_at', r.submitted_at, 'submitted_by_name', s.name, 'late', r.late)::text
FROM absence_reports r JOIN people s ON s.id = r.submitted_by
WHERE r.pupil_id = ANY ($2::uuid[])
ORDER BY r.first_day, r.submitted_at, r.id
"""

LEAVE_REQUESTS = """
SELECT json_build_object('id', l.id, 'pupil_id', l.pupil_id, 'first_day', l.first_day,
    'last_day', l.last_day, 'reason', l.reason, 'status', l.status, 'decided_at', l.decided_at,
    'decision_comment', l.decision_comment, 'created_at', l.created_at)::text
FROM leave_requests l
WHERE l.pupil_id = ANY ($2::uuid[]) AND l.requested_by = $1
ORDER BY l.created_at, l.id
"""

# A guardian sees the case and their own contact rows only.
MISSING_CASES = """
SELECT json_build_object('id', c.id, 'pupil_id', c.pupil_id, 'date', c.day, 'status', c.status,
    'sought_at', c.sought_at, 'escalated_at', c.escalated_at, 'resolved_at', c.resolved_at,
    'outcome', c.outcome,
    'contacts', (SELECT coalesce(json_agg(json_build_object(
                     'channel', a.channel, 'status', a.status, 'address', a.address, 'at', a.updated_at)
                     ORDER BY a.created_at, a.id), '[]')
                 FROM contact_attempts a WHERE a.case_id = c.id AND a.guardian_id = $1))::text
FROM missing_cases c
WHERE c.pupil_id = ANY ($2::uuid[])
ORDER BY c.day, c.opened_at, c.id
"""

ASSESSMENTS = """
SELECT json_build_object('id', a.id, 'pupil_id', a.pupil_id, 'subject', g.subject, 'kind', a.kind,
    'grade', a.grade, 'comment', a.comment, 'published_at', a.published_at,
    'teacher_name', t.name)::text
FROM assessments a JOIN teaching_groups g ON g.id = a.group_id JOIN people t ON t.id = a.teacher_id
WHERE a.pupil_id = ANY ($1::uuid[]) AND a.published_at <= $2
ORDER BY a.published_at, a.id
"""

# Staff reads of the pupils' data, from the audit log: who (name, role then), what, when.
# Only reads: the school's decisions about other guardians are not the person's to see.
STAFF_READS = """
SELECT json_build_object('pupil_id', a.pupil_id, 'staff_name', s.name,
    'role', coalesce(staff_role_on(a.actor_id, a.school_id, a.at), 'staff'),
    'what', a.action, 'at', a.at)::text
FROM audit_log a JOIN people s ON s.id = a.actor_id
WHERE a.pupil_id = ANY ($2::uuid[]) AND a.at <= $3
  AND (a.action LIKE '%.read' OR a.action IN ('missing_cases.call_list', 'attendance.board'))
  AND a.actor_id <> $1
ORDER BY a.at, a.id
"""
