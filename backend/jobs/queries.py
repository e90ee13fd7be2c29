"""SQL of the scheduled jobs. Set-based: one statement covers every school."""

# Schools for which it is a school day at $1 and the local time lies in
# [{start}, {end}); with the running school year (running_school_years,
# backend/db/definitions/access.sql). $2 = Norwegian public holidays (computed in Python by the
# holidays package).
DUE_SCHOOLS = """
due AS (
    SELECT s.id AS school_id, s.timezone, l.local_now::date AS day, l.local_now::time AS at,
           ry.school_year_id, ry.starts_on, s.report_deadline
    FROM schools s
    CROSS JOIN LATERAL (SELECT ($1::timestamptz AT TIME ZONE s.timezone) AS local_now) l
    JOIN running_school_years($1) ry ON ry.school_id = s.id
    WHERE extract(isodow FROM l.local_now) < 6
      AND NOT (l.local_now::date = any($2::date[]))
      AND NOT EXISTS (SELECT 1 FROM closed_days cd
                      WHERE cd.school_id = s.id AND cd.day = l.local_now::date)
      AND l.local_now::time >= {start} AND l.local_now::time < {end}
)
"""

# --- absence-check-reminders -------------------------------------------------------

# Classes whose check is not done and not yet reminded, from the reminder time
# until the grace window closes (a replica down at 09:00 catches up).
REMINDERS_DUE = (
    "WITH "
    + DUE_SCHOOLS.format(start="s.check_reminder_at", end="s.check_reminder_at + $3::interval")
    + """
SELECT c.id AS class_id, due.day
FROM due
JOIN classes c ON c.school_id = due.school_id AND c.school_year_id = due.school_year_id
WHERE NOT EXISTS (SELECT 1 FROM class_checks k WHERE k.class_id = c.id AND k.day = due.day)
  AND NOT EXISTS (SELECT 1 FROM job_claims j
                  WHERE j.job = 'absence-check-reminders' AND j.unit_id = c.id
                    AND j.local_date = due.day)
ORDER BY c.id
"""
)

# Claim a batch of classes (sorted, so racing runs lock in the same order and
# cannot deadlock) and, for the ones won, count the board and name the team.
# reported = a report or approved leave; unaccounted = absent or not yet
# registered (as on the board). $1 classes, $2 days, $3 instant.
REMINDERS_CLAIM = """
WITH claimed AS (
    INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
    SELECT 'absence-check-reminders', u.class_id, u.day, $3
    FROM unnest($1::uuid[], $2::date[]) AS u(class_id, day)
    ORDER BY u.class_id
    ON CONFLICT DO NOTHING
    RETURNING unit_id, local_date
), pupils AS MATERIALIZED (
    SELECT cl.unit_id AS class_id, m.status AS mark,
           EXISTS (SELECT 1 FROM absence_reports r
                   WHERE r.pupil_id = ce.pupil_id
                     AND cl.local_date BETWEEN r.first_day AND r.last_day
                     AND (m.status IS DISTINCT FROM 'absent' OR r.from_time IS NULL
                          OR (m.roll_time >= r.from_time AND m.roll_time < r.to_time)))
           OR EXISTS (SELECT 1 FROM leave_requests l
                      WHERE l.pupil_id = ce.pupil_id AND l.status = 'approved'
                        AND cl.local_date BETWEEN l.first_day AND l.last_day) AS accounted
    FROM claimed cl
    JOIN class_enrollments ce ON ce.class_id = cl.unit_id
    LEFT JOIN attendance_marks m ON m.pupil_id = ce.pupil_id AND m.day = cl.local_date
), counts AS (
    SELECT class_id,
           count(*) FILTER (WHERE accounted AND mark IS DISTINCT FROM 'present'
                            AND mark IS DISTINCT FROM 'late') AS reported,
           count(*) FILTER (WHERE NOT accounted
                            AND (mark IS NULL OR mark = 'absent')) AS unaccounted
    FROM pupils GROUP BY class_id
)
SELECT cl.unit_id AS class_id, cl.local_date AS day, c.name,
       coalesce(n.reported, 0) AS reported, coalesce(n.unaccounted, 0) AS unaccounted,
       ARRAY(SELECT DISTINCT cs.person_id FROM class_staff($3) cs
             WHERE cs.class_id = cl.unit_id
               AND cs.role IN ('contact_teacher', 'class_team')) AS team
FROM claimed cl
JOIN classes c ON c.id = cl.unit_id
LEFT JOIN counts n ON n.class_id = cl.unit_id
ORDER BY cl.unit_id
"""

# --- still-sick ---------------------------------------------------------------------

# Pupils whose sick (or hospital) report ended on the previous school day and
# who have nothing covering today, from still_sick_at until the report
# deadline. The previous school day is found per school in SQL (weekends,
# holidays $2, the school's closed days, the year's first day).
STILL_SICK_DUE = (
    "WITH "
    + DUE_SCHOOLS.format(start="s.still_sick_at", end="s.report_deadline")
    + """,
prev AS (
    SELECT due.*, (
        SELECT max(g.d)::date
        FROM generate_series(due.day - 14, due.day - 1, interval '1 day') AS g(d)
        WHERE extract(isodow FROM g.d) < 6
          AND NOT (g.d::date = any($2::date[]))
          AND g.d::date >= due.starts_on
          AND NOT EXISTS (SELECT 1 FROM closed_days cd
                          WHERE cd.school_id = due.school_id AND cd.day = g.d::date)
    ) AS prev_day
    FROM due
)
SELECT DISTINCT r.pupil_id, prev.day
FROM prev
JOIN absence_reports r ON r.school_id = prev.school_id
     AND r.last_day >= prev.prev_day AND r.last_day < prev.day
     AND r.first_day <= prev.prev_day
     AND r.from_time IS NULL AND r.reason IN ('sick', 'hospital')
WHERE EXISTS (SELECT 1 FROM class_enrollments ce JOIN classes c ON c.id = ce.class_id
              WHERE ce.pupil_id = r.pupil_id AND c.school_year_id = prev.school_year_id)
  AND NOT EXISTS (SELECT 1 FROM absence_reports r2
                  WHERE r2.pupil_id = r.pupil_id AND prev.day BETWEEN r2.first_day AND r2.last_day)
  AND NOT EXISTS (SELECT 1 FROM leave_requests l
                  WHERE l.pupil_id = r.pupil_id AND l.status = 'approved'
                    AND prev.day BETWEEN l.first_day AND l.last_day)
  AND NOT EXISTS (SELECT 1 FROM job_claims j
                  WHERE j.job = 'still-sick' AND j.unit_id = r.pupil_id
                    AND j.local_date = prev.day)
ORDER BY r.pupil_id
"""
)

# Who is asked: whoever may report the pupil's absence today — guardians who
# may act for the pupil, or the pupil themself from 18 (or possibly 18: no
# birth date in upper secondary). The access definitions (backend/db/definitions/access.sql).
STILL_SICK_CLAIM = """
WITH claimed AS (
    INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
    SELECT 'still-sick', u.pupil_id, u.day, $3
    FROM unnest($1::uuid[], $2::date[]) AS u(pupil_id, day)
    ORDER BY u.pupil_id
    ON CONFLICT DO NOTHING
    RETURNING unit_id, local_date
)
SELECT cl.unit_id AS pupil_id, cl.local_date AS day, p.name,
       CASE WHEN pupil_adulthood_at(p.id, $3) <> 'child'
            THEN ARRAY[p.id]
            ELSE ARRAY(SELECT g.guardian_id FROM guardians_with_access($3) g
                       WHERE g.pupil_id = p.id AND g.may_act ORDER BY g.guardian_id) END AS recipients
FROM claimed cl JOIN people p ON p.id = cl.unit_id
ORDER BY cl.unit_id
"""

# --- note-retention -----------------------------------------------------------------

# Once per school and local day: erase the free-text notes of reports whose
# last day is more than note_retention_days ago (the coded report stays), and
# forget this module's claim rows older than $2 days.
NOTE_RETENTION = """
WITH sch AS (
    SELECT s.id, s.note_retention_days, ($1::timestamptz AT TIME ZONE s.timezone)::date AS day
    FROM schools s
), claimed AS (
    INSERT INTO job_claims (job, unit_id, local_date, claimed_at)
    SELECT 'note-retention', sch.id, sch.day, $1 FROM sch
    ORDER BY sch.id
    ON CONFLICT DO NOTHING
    RETURNING unit_id, local_date
), erased AS (
    UPDATE absence_reports r SET note = NULL, note_erased_at = $1
    FROM claimed cl JOIN sch ON sch.id = cl.unit_id
    WHERE r.school_id = cl.unit_id AND r.note IS NOT NULL
      AND r.last_day + sch.note_retention_days < cl.local_date
    RETURNING r.id
), erased_cases AS (
    -- Answers to missing-pupil cases may carry the same kind of health note.
    UPDATE missing_cases c SET resolution_note = NULL
    FROM claimed cl JOIN sch ON sch.id = cl.unit_id
    WHERE c.school_id = cl.unit_id AND c.resolution_note IS NOT NULL
      AND c.day + sch.note_retention_days < cl.local_date
    RETURNING c.id
), erased_events AS (
    UPDATE missing_case_events e SET note = NULL
    FROM missing_cases c, claimed cl JOIN sch ON sch.id = cl.unit_id
    WHERE e.case_id = c.id AND c.school_id = cl.unit_id AND e.note IS NOT NULL
      AND c.day + sch.note_retention_days < cl.local_date
    RETURNING e.case_id
), pruned AS (
    DELETE FROM job_claims j
    WHERE j.job IN ('absence-check-reminders', 'still-sick', 'note-retention')
      AND j.local_date < ($1::timestamptz)::date - $2::integer
      AND EXISTS (SELECT 1 FROM claimed)
    RETURNING 1
)
SELECT (SELECT count(*) FROM claimed) AS schools, (SELECT count(*) FROM erased) AS erased,
       (SELECT count(*) FROM pruned) AS pruned_claims
"""
