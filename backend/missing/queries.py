"""SQL for missing-pupil cases. Fragments below are constant SQL text, never values."""

# Guardians who are told about the pupil: the guardians with access (read-only
# guardians still have the child; from 18 only with the pupil's consent), the
# same definition as read access. Needs the alias ``p`` (pupil) and ``{at}``, an instant.
GUARDIANS_TOLD = """
ARRAY(SELECT g.guardian_id FROM guardians_with_access({at}) g
      WHERE g.pupil_id = p.id ORDER BY g.guardian_id)
"""

# The class team and the school's leaders responsible for a class now
# (class_staff). Needs ``{cls}`` (a class id) and ``{at}`` (an instant).
TEAM = """
ARRAY(SELECT DISTINCT cs.person_id FROM class_staff({at}) cs
      WHERE cs.class_id = {cls} AND cs.role IN ('contact_teacher', 'class_team'))
"""
LEADERS = """
ARRAY(SELECT DISTINCT cs.person_id FROM class_staff({at}) cs
      WHERE cs.class_id = {cls} AND cs.role = 'school_leader')
"""

# Does a report account for pupil ``{pupil}`` on ``{day}`` at the school-local
# moment ``{at}``? A report with times counts only if it covers that moment.
REPORTED = """
EXISTS (SELECT 1 FROM absence_reports r
        WHERE r.pupil_id = {pupil} AND {day} BETWEEN r.first_day AND r.last_day
          AND (r.from_time IS NULL OR ({at} >= r.from_time AND {at} < r.to_time)))
"""
ON_LEAVE = """
EXISTS (SELECT 1 FROM leave_requests l
        WHERE l.pupil_id = {pupil} AND l.status = 'approved'
          AND {day} BETWEEN l.first_day AND l.last_day)
"""
# A report or approved leave: the absence is accounted for, nobody is sought.
ACCOUNTED = "(" + REPORTED + " OR " + ON_LEAVE + ")"

# The school-local time a case becomes due to be sought, from the school's
# current seek policy for the class's level (aliases: s schools, c classes).
_POLICY = (
    "(s.seek_policy ->> CASE WHEN c.grade <= 7 THEN '1-7' WHEN c.grade <= 10 THEN '8-10' ELSE '11-13' END)"
)
SEEK_TIME = f"""
(CASE coalesce({_POLICY}, 'first_lesson')
    WHEN 'first_lesson' THEN s.first_lesson_start
    WHEN 'first_recess' THEN s.first_recess_start
    ELSE ({_POLICY})::time END)
"""

# Open a pending case for each newly absent pupil nothing accounts for.
# $1 school, $2 class, $3 day, $4 roll time, $5 pupils, $6 actor, $7 instant.
OPEN_CASES = f"""
WITH opened AS (
    INSERT INTO missing_cases
        (id, school_id, class_id, pupil_id, day, missing_from, status, opened_by, opened_at)
    SELECT gen_random_uuid(), $1, $2, x.pupil_id, $3, $4, 'pending', $6, $7
    FROM unnest($5::uuid[]) AS x(pupil_id)
    WHERE NOT {ACCOUNTED.format(pupil="x.pupil_id", day="$3::date", at="$4::time")}
    ON CONFLICT DO NOTHING
    RETURNING id, pupil_id
), events AS (
    INSERT INTO missing_case_events (case_id, event, actor_id, at)
    SELECT id, 'opened', $6, $7 FROM opened
)
SELECT id, pupil_id FROM opened
"""

# Close the open cases of pupils who turned up. $1 pupils, $2 day, $3 actor, $4 instant.
# Returns what each case was before, so whoever was alerted can be told.
CLOSE_ARRIVED = """
WITH target AS (
    SELECT id, status FROM missing_cases
    WHERE pupil_id = any($1::uuid[]) AND day = $2 AND status <> 'resolved'
    ORDER BY id FOR UPDATE
), closed AS (
    UPDATE missing_cases mc
    SET status = 'resolved', resolved_at = $4, resolved_by = $3, outcome = 'arrived'
    FROM target t WHERE mc.id = t.id
    RETURNING mc.id, mc.pupil_id, mc.class_id, mc.school_id, mc.day, t.status AS was
), events AS (
    INSERT INTO missing_case_events (case_id, event, actor_id, at, outcome)
    SELECT id, 'resolved', $3, $4, 'arrived' FROM closed
)
SELECT cl.*, p.name AS pupil_name FROM closed cl JOIN people p ON p.id = cl.pupil_id
"""

# Close the open cases a new report (or approved leave) accounts for.
# $1 pupil, $2 first day, $3 last day, $4 from, $5 to (NULL: whole days),
# $6 actor, $7 instant, $8 outcome ('reported' or 'leave').
CLOSE_ACCOUNTED = """
WITH target AS (
    SELECT id, status FROM missing_cases
    WHERE pupil_id = $1 AND day BETWEEN $2 AND $3 AND status <> 'resolved'
      AND ($4::time IS NULL OR (missing_from >= $4 AND missing_from < $5::time))
    ORDER BY id FOR UPDATE
), closed AS (
    UPDATE missing_cases mc
    SET status = 'resolved', resolved_at = $7, resolved_by = $6, outcome = $8
    FROM target t WHERE mc.id = t.id
    RETURNING mc.id, mc.pupil_id, mc.class_id, mc.school_id, mc.day, t.status AS was
), events AS (
    INSERT INTO missing_case_events (case_id, event, actor_id, at, outcome)
    SELECT id, 'resolved', $6, $7, $8 FROM closed
)
SELECT * FROM closed
"""

# Seek the pending cases of today whose seek time has come; close silently
# the ones a report or leave now accounts for (leave can be approved while a
# case waits). $1 instant, $2 only these cases (NULL: all). SKIP LOCKED: a
# case another transaction is changing right now is looked at next tick.
SEEK_DUE = f"""
WITH due AS (
    SELECT mc.id,
           {ACCOUNTED.format(pupil="mc.pupil_id", day="mc.day", at="mc.missing_from")}
               AS accounted,
           {REPORTED.format(pupil="mc.pupil_id", day="mc.day", at="mc.missing_from")}
               AS reported
    FROM missing_cases mc
    JOIN classes c ON c.id = mc.class_id
    JOIN schools s ON s.id = mc.school_id
    WHERE mc.status = 'pending'
      AND ($2::uuid[] IS NULL OR mc.id = any($2::uuid[]))
      AND mc.day = (($1::timestamptz) AT TIME ZONE s.timezone)::date
      AND greatest(mc.opened_at, (mc.day + {SEEK_TIME}) AT TIME ZONE s.timezone) <= $1
    ORDER BY mc.id
    FOR UPDATE OF mc SKIP LOCKED
), closed AS (
    UPDATE missing_cases mc
    SET status = 'resolved', resolved_at = $1,
        outcome = CASE WHEN d.reported THEN 'reported' ELSE 'leave' END
    FROM due d WHERE mc.id = d.id AND d.accounted
    RETURNING mc.id, mc.outcome
), sought AS (
    UPDATE missing_cases mc SET status = 'sought', sought_at = $1
    FROM due d WHERE mc.id = d.id AND NOT d.accounted
    RETURNING mc.id, mc.pupil_id, mc.class_id, mc.day
), events AS (
    INSERT INTO missing_case_events (case_id, event, actor_id, at, outcome)
    SELECT id, 'resolved', NULL::uuid, $1, outcome FROM closed
    UNION ALL
    SELECT id, 'sought', NULL::uuid, $1, NULL FROM sought
)
SELECT 'sought' AS change, so.id, so.pupil_id, so.class_id, p.name AS pupil_name,
       {GUARDIANS_TOLD.format(at="$1")} AS guardians
FROM sought so JOIN people p ON p.id = so.pupil_id
UNION ALL
SELECT 'closed', cl.id, NULL, NULL, NULL, NULL FROM closed cl
"""

# Escalate today's sought cases nobody answered in time. $1 instant.
ESCALATE_DUE = f"""
WITH due AS (
    SELECT mc.id FROM missing_cases mc
    JOIN schools s ON s.id = mc.school_id
    WHERE mc.status = 'sought'
      AND mc.sought_at + make_interval(mins => s.escalate_after_minutes) <= $1
      AND mc.day = (($1::timestamptz) AT TIME ZONE s.timezone)::date
    ORDER BY mc.id
    FOR UPDATE OF mc SKIP LOCKED
), escalated AS (
    UPDATE missing_cases mc SET status = 'escalated', escalated_at = $1
    FROM due d WHERE mc.id = d.id
    RETURNING mc.id, mc.pupil_id, mc.class_id, mc.school_id, mc.day
), events AS (
    INSERT INTO missing_case_events (case_id, event, actor_id, at)
    SELECT id, 'escalated', NULL::uuid, $1 FROM escalated
)
SELECT e.id, e.pupil_id, e.class_id, e.school_id, p.name AS pupil_name,
       {GUARDIANS_TOLD.format(at="$1")} AS guardians,
       {LEADERS.format(cls="e.class_id", at="$1")} AS leaders
FROM escalated e JOIN people p ON p.id = e.pupil_id
"""

# Everyone who may hear about one case. $1 pupil, $2 class, $3 instant.
RECIPIENTS = f"""
SELECT c.name AS class_name, p.name AS pupil_name,
       {TEAM.format(cls="c.id", at="$3::timestamptz")} AS team,
       {GUARDIANS_TOLD.format(at="$3::timestamptz")} AS guardians,
       {LEADERS.format(cls="c.id", at="$3::timestamptz")} AS leaders
FROM people p, classes c
WHERE p.id = $1 AND c.id = $2
"""

# The cases a viewer may see: those of the classes the viewer is responsible
# for now (class team and leaders, class_staff: all cases), and a guardian's
# children (guardians_with_access: only once sought).
# $1 viewer, $2 instant, $3 'open'/'resolved'/NULL, $4 day, $5/$6 cursor,
# $7 limit, $8 one case id or NULL.
VISIBLE_CASES = """
WITH mine AS (
    SELECT mc.id, true AS staff FROM class_staff($2) cs
    JOIN missing_cases mc ON mc.class_id = cs.class_id
    WHERE cs.person_id = $1 AND ($8::uuid IS NULL OR mc.id = $8)
    UNION ALL
    SELECT mc.id, false FROM guardians_with_access($2) g
    JOIN missing_cases mc ON mc.pupil_id = g.pupil_id
    WHERE g.guardian_id = $1 AND mc.sought_at IS NOT NULL
      AND ($8::uuid IS NULL OR mc.id = $8)
), visible AS (
    SELECT id, bool_or(staff) AS staff FROM mine GROUP BY id
)
SELECT mc.*, v.staff, p.name AS pupil_name, c.name AS class_name, s.timezone,
       rb.name AS resolved_by_name
FROM visible v
JOIN missing_cases mc ON mc.id = v.id
JOIN people p ON p.id = mc.pupil_id
JOIN classes c ON c.id = mc.class_id
JOIN schools s ON s.id = mc.school_id
LEFT JOIN people rb ON rb.id = mc.resolved_by
WHERE ($3::text IS NULL OR ($3::text = 'open') = (mc.status <> 'resolved'))
  AND ($4::date IS NULL OR mc.day = $4)
  AND ($5::timestamptz IS NULL OR (mc.opened_at, mc.id) < ($5, $6::uuid))
ORDER BY mc.opened_at DESC, mc.id DESC
LIMIT $7
"""

CASE_EVENTS = """
SELECT e.event, e.at, e.actor_id, a.name AS actor_name, e.outcome
FROM missing_case_events e LEFT JOIN people a ON a.id = e.actor_id
WHERE e.case_id = $1 ORDER BY e.at, e.id
"""

AUDIT_READS = """
INSERT INTO audit_log (school_id, actor_id, pupil_id, action, at)
SELECT x.school_id, $1, x.pupil_id, 'missing_cases.read', $2
FROM unnest($3::uuid[], $4::uuid[]) AS x(school_id, pupil_id)
"""

# Serialise with reports and roll calls touching the same pupil (the key the
# absence service uses), then lock the case.
LOCK_CASE = """
SELECT status FROM missing_cases
WHERE id = $1 AND pg_advisory_xact_lock(hashtextextended($2::text, 1)) IS NOT NULL
FOR UPDATE
"""

RESOLVE = """
WITH resolved AS (
    UPDATE missing_cases SET status = 'resolved', resolved_at = $2, resolved_by = $3,
           outcome = $4, resolution_note = $5
    WHERE id = $1 AND status <> 'resolved'
    RETURNING id
)
INSERT INTO missing_case_events (case_id, event, actor_id, at, outcome, note)
SELECT id, 'resolved', $3, $2, $4, $5 FROM resolved
"""
