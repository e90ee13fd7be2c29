"""SQL for assessments."""

# Everything posting an assessment needs, in one round trip. $1 group,
# $2 caller, $3 pupil, $4 the instant. Assignments count only while the
# group's school year runs (roles are per school year).
GROUP_FOR_POST = """
SELECT tg.id, tg.school_id, tg.subject, tg.school_year_id,
       yr.running,
       EXISTS (
           SELECT 1 FROM running_staff_assignments($4) sa
           WHERE sa.person_id = $2 AND sa.group_id = tg.id AND sa.role = 'subject_teacher'
             AND sa.school_year_id = tg.school_year_id) AS is_teacher,
       EXISTS (
           SELECT 1 FROM running_staff_assignments($4) sa
           WHERE sa.person_id = $2 AND sa.school_id = tg.school_id
             AND sa.school_year_id = tg.school_year_id) AS is_school_staff,
       (SELECT c.grade FROM group_enrollments ge
        JOIN class_enrollments ce ON ce.pupil_id = ge.pupil_id
        JOIN classes c ON c.id = ce.class_id AND c.school_year_id = tg.school_year_id
        WHERE ge.group_id = tg.id AND ge.pupil_id = $3
        LIMIT 1) AS pupil_grade,
       (SELECT name FROM people WHERE id = $2) AS teacher_name
FROM teaching_groups tg
CROSS JOIN LATERAL (
    SELECT EXISTS (SELECT 1 FROM running_school_years($4) ry
                   WHERE ry.school_year_id = tg.school_year_id) AS running
) yr
WHERE tg.id = $1
"""

INSERT_ASSESSMENT = """
INSERT INTO assessments
    (id, school_id, group_id, pupil_id, teacher_id, kind, grade, comment, created_at,
     publish_at, published_at, published_notified_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
"""

# A pupil's assessments in one school year, per group. $1 pupil, $2 the
# pupil's school, $3 first calendar year of the school year (NULL = the latest
# that has started), $4 the instant, $5 include unpublished (staff only),
# $6 subjects filter (NULL = all).
LIST_FOR_PUPIL = """
WITH yr AS (SELECT id FROM requested_school_year($2, $3::int, $4))
SELECT a.id, a.group_id, tg.subject, a.kind, a.grade, a.comment, a.published_at,
       a.published_at <= $4 AS published, t.name AS teacher_name
FROM yr
JOIN teaching_groups tg ON tg.school_year_id = yr.id
JOIN assessments a ON a.group_id = tg.id
JOIN people t ON t.id = a.teacher_id
WHERE a.pupil_id = $1
  AND (a.published_at <= $4 OR $5::boolean)
  AND ($6::text[] IS NULL OR tg.subject = any($6::text[]))
ORDER BY tg.subject, a.group_id, a.published_at DESC, a.id
"""

# The publish job: claims up to $2 due rows set-based and returns what the
# push needs. A row leaves the due set in the same statement that claims it,
# so a re-run (or a second replica) never pushes it again; SKIP LOCKED lets
# replicas share the work.
CLAIM_DUE = """
WITH due AS (
    UPDATE assessments a SET published_notified_at = $1
    WHERE a.id IN (
        SELECT id FROM assessments
        WHERE published_notified_at IS NULL AND published_at <= $1
        ORDER BY published_at
        LIMIT $2
        FOR UPDATE SKIP LOCKED)
    RETURNING a.id, a.pupil_id, a.group_id
)
SELECT due.id, due.pupil_id, tg.subject
FROM due JOIN teaching_groups tg ON tg.id = due.group_id
"""
