"""SQL of reachability and test alerts."""

from backend.missing.queries import GUARDIANS_TOLD

# Per pupil of the class: can at least one guardian with access be reached by
# push (a device seen in the last 30 days), SMS, e-mail; the last test-alert
# confirmation by one of them. $1 class, $2 instant.
REACHABILITY = f"""
SELECT p.id AS pupil_id, p.name,
       EXISTS (SELECT 1 FROM devices d
               WHERE d.person_id = any(g.ids)
                 AND d.last_seen_at >= $2::timestamptz - interval '30 days') AS push,
       EXISTS (SELECT 1 FROM people gp WHERE gp.id = any(g.ids) AND gp.mobile IS NOT NULL) AS sms,
       EXISTS (SELECT 1 FROM people gp WHERE gp.id = any(g.ids) AND gp.email IS NOT NULL) AS email,
       (SELECT max(tc.confirmed_at) FROM test_alert_confirmations tc
        WHERE tc.guardian_id = any(g.ids)) AS confirmed_at
FROM class_enrollments ce
JOIN people p ON p.id = ce.pupil_id
CROSS JOIN LATERAL (
    SELECT ARRAY(SELECT x FROM unnest({GUARDIANS_TOLD.format(at="$2::timestamptz")}) AS x
                 JOIN people gp ON gp.id = x AND gp.deactivated_at IS NULL) AS ids
) g
WHERE ce.class_id = $1
ORDER BY p.name, p.id
"""

# Every guardian with access of a pupil in the school's classes this school year.
# $1 school, $2 instant.
TEST_ALERT_RECIPIENTS = f"""
SELECT DISTINCT gt.guardian_id
FROM classes c
JOIN running_school_years($2) ry ON ry.school_year_id = c.school_year_id
JOIN class_enrollments ce ON ce.class_id = c.id
JOIN people p ON p.id = ce.pupil_id
CROSS JOIN LATERAL unnest({GUARDIANS_TOLD.format(at="$2::timestamptz")}) AS gt(guardian_id)
JOIN people gp ON gp.id = gt.guardian_id AND gp.deactivated_at IS NULL
WHERE c.school_id = $1
"""

INSERT_TEST_ALERT = """
INSERT INTO test_alerts (id, school_id, sent_by, sent_at, recipients) VALUES ($1, $2, $3, $4, $5)
RETURNING (SELECT name FROM schools WHERE id = $2) AS school_name
"""

# Per class of the school this school year: pupils, how many no guardian with access
# can be reached by push, SMS or e-mail, and how many a guardian of confirmed the test
# alert $3 (NULL: none sent). $1 school, $2 instant.
SCHOOL_REACHABILITY = f"""
WITH pupils AS (
    SELECT c.id AS class_id, c.name AS class_name, c.grade, p.id AS pupil_id, g.ids
    FROM classes c
    JOIN running_school_years($2) ry ON ry.school_year_id = c.school_year_id
    JOIN class_enrollments ce ON ce.class_id = c.id
    JOIN people p ON p.id = ce.pupil_id
    CROSS JOIN LATERAL (
        SELECT ARRAY(SELECT x FROM unnest({GUARDIANS_TOLD.format(at="$2::timestamptz")}) AS x
                     JOIN people gp ON gp.id = x AND gp.deactivated_at IS NULL) AS ids
    ) g
    WHERE c.school_id = $1
), reach AS (
    SELECT class_id, class_name, grade,
           EXISTS (SELECT 1 FROM devices d
                   WHERE d.person_id = any(ids)
                     AND d.last_seen_at >= $2::timestamptz - interval '30 days')
           OR EXISTS (SELECT 1 FROM people gp
                      WHERE gp.id = any(ids) AND (gp.mobile IS NOT NULL OR gp.email IS NOT NULL))
               AS reachable,
           EXISTS (SELECT 1 FROM test_alert_confirmations tc
                   WHERE tc.test_alert_id = $3::uuid AND tc.guardian_id = any(ids)) AS confirmed
    FROM pupils
)
SELECT class_id, class_name, grade, count(*) AS pupils,
       count(*) FILTER (WHERE NOT reachable) AS unreachable,
       count(*) FILTER (WHERE confirmed) AS confirmed
FROM reach
GROUP BY class_id, class_name, grade
ORDER BY grade, class_name, class_id
"""

# The school's latest test alerts with how many guardians confirmed each. $1 school.
TEST_ALERTS = """
SELECT ta.id, ta.sent_at, p.name AS sent_by_name, ta.recipients,
       (SELECT count(*) FROM test_alert_confirmations tc WHERE tc.test_alert_id = ta.id) AS confirmed
FROM test_alerts ta JOIN people p ON p.id = ta.sent_by
WHERE ta.school_id = $1
ORDER BY ta.sent_at DESC, ta.id
LIMIT 10
"""
