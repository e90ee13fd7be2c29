-- The school year a request names with ?school_year= (by its first calendar year), or
-- without one the latest that has started by the school's local date. One definition for
-- the absence summary and the assessments, which each wrote it out before.
CREATE FUNCTION requested_school_year(p_school uuid, p_first_year integer, p_at timestamptz)
RETURNS TABLE (id uuid, name text, starts_on date, ends_on date, local_today date)
LANGUAGE sql STABLE
AS $$
    SELECT sy.id, sy.name, sy.starts_on, sy.ends_on, l.day
    FROM school_years sy
    JOIN schools s ON s.id = sy.school_id
    CROSS JOIN LATERAL (SELECT school_local_date(s.timezone, p_at) AS day) l
    WHERE sy.school_id = p_school
      AND CASE WHEN p_first_year IS NULL THEN sy.starts_on <= l.day
               ELSE extract(year FROM sy.starts_on) = p_first_year END
    ORDER BY sy.starts_on DESC
    LIMIT 1
$$;
