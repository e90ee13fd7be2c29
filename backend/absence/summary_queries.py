"""SQL for the absence summary and the upper secondary subject warnings.

The per-subject figures are computed by one set of CTEs (LESSONS_CTE,
SUBJECTS_CTE) that both the summary and the warning job use, so the
percentage a pupil sees and the one that triggers the push never disagree.
Both expect a CTE `scope(pupil_id, year_id, first_day, last_day, records_school,
school_id)` before them (`school_id`: whose annual hours setting applies);
`records_school` (NULL = all) is the only school whose reports and
leave count (PupilAccess.records_school_id).
"""

# Each missed lesson in scope with how it is accounted for (README: Absence in upper
# secondary): `reported` when an absence report covers its day (and time, for a
# timed report); `documented` when the school holds documentation of it or approved
# leave covers the day (both explain the lesson). Toward the limit (2025 rules):
# `exempt` when documentation of an exempt kind covers it (never counted);
# otherwise `health` when a health reason was self-reported, documentation by
# health personnel covers it, or the lesson was recorded as documented by health
# personnel; what is neither is undocumented. Health and undocumented count together.
LESSONS_CTE = """
lessons AS (
    SELECT sc.pupil_id, sc.year_id, a.group_id, tg.subject, a.day, a.starts_at, a.ends_at,
           extract(epoch FROM a.ends_at - a.starts_at) / 3600.0 AS hours,
           a.documented OR dk.exempt IS NOT NULL OR EXISTS (
               SELECT 1 FROM leave_requests l
               WHERE l.pupil_id = a.pupil_id AND l.status = 'approved'
                 AND a.day BETWEEN l.first_day AND l.last_day
                 AND (sc.records_school IS NULL OR l.school_id = sc.records_school)) AS documented,
           rp.reasons IS NOT NULL AS reported,
           coalesce(dk.exempt, false) AS exempt,
           a.documented OR coalesce(dk.health, false)
               OR coalesce(rp.reasons && ARRAY['sick', 'doctor', 'dentist', 'hospital'], false)
               AS health
    FROM scope sc
    JOIN subject_absences a
      ON a.pupil_id = sc.pupil_id AND a.day BETWEEN sc.first_day AND sc.last_day
    JOIN teaching_groups tg ON tg.id = a.group_id AND tg.school_year_id = sc.year_id
    LEFT JOIN LATERAL (
        SELECT array_agg(r.reason) AS reasons FROM absence_reports r
        WHERE r.pupil_id = a.pupil_id AND a.day BETWEEN r.first_day AND r.last_day
          AND (r.from_time IS NULL OR (r.from_time < a.ends_at AND r.to_time > a.starts_at))
          AND (sc.records_school IS NULL OR r.school_id = sc.records_school)
        HAVING count(*) > 0
    ) rp ON true
    LEFT JOIN LATERAL (
        SELECT bool_or(d.kind <> 'health_personnel') AS exempt,
               bool_or(d.kind = 'health_personnel') AS health
        FROM absence_documentation d
        WHERE d.pupil_id = a.pupil_id AND a.day BETWEEN d.first_day AND d.last_day
          AND (d.from_time IS NULL OR (d.from_time < a.ends_at AND d.to_time > a.starts_at))
          AND (sc.records_school IS NULL OR d.school_id = sc.records_school)
        HAVING count(*) > 0
    ) dk ON true
)"""

# Per subject the pupil takes: annual hours (the roster's planned hours summed
# over their groups in it, else the school's setting for the subject), missed
# hours, the figures toward the limit and the subject's written warning.
# `ratio` = counted / annual (NULL without annual hours).
SUBJECTS_CTE = """
subjects AS (
    SELECT pl.pupil_id, pl.year_id, pl.subject, pl.group_id,
           coalesce(pl.planned_hours, (s.absence_annual_hours ->> pl.subject)::int) AS planned_hours,
           coalesce(ls.absent, 0) AS absent_hours,
           coalesce(ls.explained, 0) AS reported_hours,
           coalesce(ls.absent, 0) - coalesce(ls.explained, 0) AS unexplained_hours,
           coalesce(ls.undocumented, 0) AS undocumented_hours,
           coalesce(ls.health, 0) AS health_hours,
           coalesce(ls.undocumented, 0) + coalesce(ls.health, 0) AS counted_hours,
           (coalesce(ls.undocumented, 0) + coalesce(ls.health, 0))
               / nullif(coalesce(pl.planned_hours, (s.absence_annual_hours ->> pl.subject)::int), 0)
               AS ratio,
           w.id AS warning_id, w.status AS warning_status, w.sent_at AS warning_sent_at,
           w.sent_percent AS warning_sent_percent
    FROM (
        SELECT sc.pupil_id, sc.year_id, sc.school_id, tg.subject,
               (array_agg(tg.id ORDER BY tg.name, tg.id))[1] AS group_id,
               sum(tg.planned_hours)::int AS planned_hours
        FROM scope sc
        JOIN group_enrollments ge ON ge.pupil_id = sc.pupil_id
        JOIN teaching_groups tg ON tg.id = ge.group_id AND tg.school_year_id = sc.year_id
        GROUP BY sc.pupil_id, sc.year_id, sc.school_id, tg.subject
    ) pl
    JOIN schools s ON s.id = pl.school_id
    LEFT JOIN (
        SELECT pupil_id, year_id, subject, sum(hours) AS absent,
               sum(hours) FILTER (WHERE reported OR documented) AS explained,
               sum(hours) FILTER (WHERE NOT exempt AND NOT health) AS undocumented,
               sum(hours) FILTER (WHERE NOT exempt AND health) AS health
        FROM lessons GROUP BY pupil_id, year_id, subject
    ) ls USING (pupil_id, year_id, subject)
    LEFT JOIN absence_warnings w
      ON w.pupil_id = pl.pupil_id AND w.school_year_id = pl.year_id AND w.subject = pl.subject
)"""

# Everything the summary needs in one round trip. $1 pupil, $2 school,
# $3 first calendar year of the school year (NULL = the latest started),
# $4 the instant, $5 the only school whose reports and leave count (NULL = all:
# PupilAccess.records_school_id). No row: the school has no such year.
SUMMARY_FACTS = f"""
WITH yr AS (
    SELECT y.id, y.name, y.starts_on, y.ends_on, y.local_today AS today,
           s.absence_limit_percent, s.absence_warning_percent
    FROM requested_school_year($2, $3::int, $4) y JOIN schools s ON s.id = $2
), scope AS (
    SELECT $1::uuid AS pupil_id, yr.id AS year_id, yr.starts_on AS first_day,
           least(yr.ends_on, yr.today) AS last_day, $5::uuid AS records_school,
           $2::uuid AS school_id
    FROM yr
), {LESSONS_CTE}, {SUBJECTS_CTE}
SELECT yr.id AS year_id, yr.name AS year_name, yr.starts_on, yr.ends_on,
       sc.first_day, sc.last_day,
       yr.absence_limit_percent::float8 AS limit_percent,
       yr.absence_warning_percent::float8 AS warning_percent,
       (SELECT c.grade FROM class_enrollments ce JOIN classes c ON c.id = ce.class_id
        WHERE ce.pupil_id = $1 AND c.school_year_id = yr.id LIMIT 1) AS grade,
       ARRAY(SELECT day FROM closed_days
             WHERE school_id = $2 AND day BETWEEN sc.first_day AND sc.last_day) AS closed,
       ARRAY(SELECT ARRAY[r.first_day::text, r.last_day::text,
                          r.from_time::text, r.to_time::text]
             FROM absence_reports r
             WHERE r.pupil_id = $1 AND r.first_day <= sc.last_day
               AND r.last_day >= sc.first_day
               AND ($5::uuid IS NULL OR r.school_id = $5)) AS reports,
       ARRAY(SELECT ARRAY[l.first_day, l.last_day] FROM leave_requests l
             WHERE l.pupil_id = $1 AND l.status = 'approved'
               AND l.first_day <= sc.last_day AND l.last_day >= sc.first_day
               AND ($5::uuid IS NULL OR l.school_id = $5)) AS leave,
       -- roll call's absent marks (ROLL_CALL_ABSENCES), read in the same round trip
       ARRAY(SELECT m.day FROM attendance_marks m
             WHERE m.pupil_id = $1 AND m.status = 'absent'
               AND m.day BETWEEN sc.first_day AND sc.last_day
               AND ($5::uuid IS NULL OR m.school_id = $5)
             ORDER BY m.day) AS absent_days,
       (SELECT coalesce(json_agg(json_build_object(
                   'day', ls.day, 'hours', ls.hours,
                   'explained', ls.reported OR ls.documented)), '[]')
        FROM lessons ls) AS lessons,
       (SELECT coalesce(json_agg(json_build_object(
                   'subject', su.subject, 'group_id', su.group_id,
                   'planned_hours', su.planned_hours, 'absent_hours', su.absent_hours,
                   'reported_hours', su.reported_hours,
                   'unexplained_hours', su.unexplained_hours,
                   'undocumented_hours', su.undocumented_hours,
                   'health_hours', su.health_hours, 'counted_hours', su.counted_hours,
                   'reached_warning', su.counted_hours * 100 >= yr.absence_warning_percent * su.planned_hours,
                   'reached_limit', su.counted_hours * 100 >= yr.absence_limit_percent * su.planned_hours,
                   'warning_status', su.warning_status,
                   'warning_sent_at', su.warning_sent_at,
                   'warning_sent_percent', su.warning_sent_percent,
                   'percent', su.ratio * 100) ORDER BY su.subject), '[]')
        FROM subjects su) AS subjects
FROM yr CROSS JOIN scope sc
"""

# The warning job, set-based: every upper secondary pupil of a running year
# (or only $2's pupils) whose counted share in a subject has reached the school's
# warning level gets a draft warning; the insert is the claim, so a subject is
# drafted once a school year. A draft not yet sent follows the subject's percent.
# $1 the instant. Returns the drafts written now, and whether each is new.
CLAIM_WARNINGS = f"""
WITH scope AS (
    SELECT ce.pupil_id, c.school_year_id AS year_id, sy.starts_on AS first_day,
           least(sy.ends_on, sy.local_today) AS last_day, NULL::uuid AS records_school,
           s.id AS school_id, s.absence_warning_percent
    FROM class_enrollments ce
    JOIN classes c ON c.id = ce.class_id AND c.grade BETWEEN 11 AND 13
    JOIN running_school_years($1) sy ON sy.school_year_id = c.school_year_id
    JOIN schools s ON s.id = c.school_id
    WHERE ($2::uuid[] IS NULL OR ce.pupil_id = any($2::uuid[]))
      AND EXISTS (SELECT 1 FROM subject_absences a
                  WHERE a.pupil_id = ce.pupil_id AND a.day >= sy.starts_on)
), {LESSONS_CTE}, {SUBJECTS_CTE}, claimed AS (
    INSERT INTO absence_warnings AS w (id, pupil_id, school_year_id, subject, school_id, group_id,
                                       percent, warned_at, created_at, status)
    SELECT gen_random_uuid(), su.pupil_id, su.year_id, su.subject, sc.school_id, su.group_id,
           round(su.ratio * 100, 2), $1, $1, 'draft'
    FROM subjects su JOIN scope sc USING (pupil_id, year_id)
    WHERE su.planned_hours > 0
      AND su.counted_hours * 100 >= sc.absence_warning_percent * su.planned_hours
    ON CONFLICT (pupil_id, school_year_id, subject) DO UPDATE SET percent = EXCLUDED.percent
        WHERE w.status = 'draft' AND w.percent <> EXCLUDED.percent
    RETURNING w.id, w.pupil_id, w.subject, w.school_id, w.percent, (xmax = 0) AS inserted
)
SELECT c.id, c.pupil_id, c.subject, c.percent::float8 AS percent, c.inserted,
       s.absence_warnings_automatic AS automatic
FROM claimed c JOIN schools s ON s.id = c.school_id
"""

# The school's limits, for a summary of a year the school has no record of.
SCHOOL_LIMITS = """
SELECT absence_limit_percent::float8 AS limit_percent,
       absence_warning_percent::float8 AS warning_percent
FROM schools WHERE id = $1
"""


# Roll call's absent marks (attendance domain) in a span: $1 pupil, $2 first, $3 last,
# $4 the only school whose marks count (NULL = all).
ROLL_CALL_ABSENCES = """
SELECT day FROM attendance_marks
WHERE pupil_id = $1 AND status = 'absent' AND day BETWEEN $2 AND $3
  AND ($4::uuid IS NULL OR school_id = $4)
ORDER BY day
"""
