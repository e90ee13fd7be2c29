-- A leader of a school the pupil has left reads that school's records of the
-- pupil, not everything (migration 0025 gave them every record). When the pupil
-- has moved to another school we serve, its absence reports, marks and
-- assessments, and so where the pupil went, are not theirs to read.
--
-- "Leads a school the pupil has left" gets its own definition, with the school,
-- so that pupil_staff (who sees the pupil) and pupil_relation (which school's
-- records) say it once.
CREATE FUNCTION former_pupil_leaders(p_at timestamptz)
RETURNS TABLE (person_id uuid, pupil_id uuid, school_id uuid, left_at timestamptz)
LANGUAGE sql STABLE
AS $$
    SELECT sa.person_id, fe.pupil_id, fe.school_id, max(fe.left_at)
    FROM former_class_enrollments fe
    JOIN running_staff_assignments(p_at) sa ON sa.school_id = fe.school_id AND sa.role = 'school_leader'
    WHERE NOT EXISTS (
        SELECT 1 FROM class_enrollments ce JOIN classes cc ON cc.id = ce.class_id
        WHERE ce.pupil_id = fe.pupil_id AND cc.school_id = fe.school_id)
    GROUP BY sa.person_id, fe.pupil_id, fe.school_id
$$;

CREATE OR REPLACE FUNCTION pupil_staff(p_at timestamptz)
RETURNS TABLE (person_id uuid, pupil_id uuid, role text, subject text)
LANGUAGE sql STABLE
AS $$
    SELECT cs.person_id, ce.pupil_id, cs.role, NULL::text
    FROM class_staff(p_at) cs
    JOIN class_enrollments ce ON ce.class_id = cs.class_id
    UNION ALL
    SELECT sa.person_id, ge.pupil_id, sa.role, tg.subject
    FROM running_staff_assignments(p_at) sa
    JOIN teaching_groups tg ON tg.id = sa.group_id AND tg.school_year_id = sa.school_year_id
    JOIN group_enrollments ge ON ge.group_id = sa.group_id
    WHERE sa.role = 'subject_teacher'
    UNION ALL
    SELECT fl.person_id, fl.pupil_id, 'former_school_leader', NULL::text
    FROM former_pupil_leaders(p_at) fl
$$;

-- As in migration 0010, plus former_school_id: for a viewer who leads a school the
-- pupil has left, that school (the most recently left, if several); else NULL.
-- backend/auth/policy.py decides whose records that limits.
DROP FUNCTION pupil_relation(uuid, uuid, timestamptz);
CREATE FUNCTION pupil_relation(p_viewer uuid, p_pupil uuid, p_at timestamptz)
RETURNS TABLE (pupil_id uuid, pupil_name text, class_id uuid, class_name text, grade integer,
               school_year_id uuid, school_id uuid, school_name text, timezone text,
               report_deadline time, leave_teacher_max_days integer, local_today date,
               adulthood text, is_self boolean, is_guardian boolean, guardian_may_act boolean,
               staff_roles text[], subjects text[], former_school_id uuid)
LANGUAGE sql STABLE
AS $$
    SELECT p.id, p.name, c.id, c.name, c.grade, c.school_year_id, s.id, s.name, s.timezone,
           s.report_deadline, s.leave_teacher_max_days, pl.local_today,
           pupil_adulthood(p.birth_date, pl.grade, pl.local_today),
           p.id = p_viewer,
           g.guardian_id IS NOT NULL, coalesce(g.may_act, false),
           coalesce(st.roles, '{}'), coalesce(st.subjects, '{}'),
           fs.school_id
    FROM people p
    CROSS JOIN LATERAL pupil_placement(p.id, p_at) pl
    JOIN classes c ON c.id = pl.class_id
    JOIN schools s ON s.id = pl.school_id
    LEFT JOIN guardians_with_access(p_at) g ON g.pupil_id = p.id AND g.guardian_id = p_viewer
    LEFT JOIN LATERAL (
        SELECT array_agg(DISTINCT ps.role) AS roles,
               array_agg(DISTINCT ps.subject) FILTER (WHERE ps.subject IS NOT NULL) AS subjects
        FROM pupil_staff(p_at) ps
        WHERE ps.person_id = p_viewer AND ps.pupil_id = p.id
    ) st ON true
    LEFT JOIN LATERAL (
        SELECT fl.school_id FROM former_pupil_leaders(p_at) fl
        WHERE fl.person_id = p_viewer AND fl.pupil_id = p.id
        ORDER BY fl.left_at DESC, fl.school_id
        LIMIT 1
    ) fs ON true
    WHERE p.id = p_pupil
$$;
