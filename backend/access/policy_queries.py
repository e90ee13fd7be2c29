"""SQL behind the access policy: the functions of backend/db/definitions/access.sql, one round trip each."""

# $1 viewer, $2 school, $3 the instant. The school's time zone, whether the viewer
# leads it in its running school year, and whether they will lead it in a year
# that has not started yet.
SCHOOL_LEADER = """
SELECT s.timezone, leads_school($1, s.id, $3) AS leads, will_lead_school($1, s.id, $3) AS will_lead
FROM schools s WHERE s.id = $2
"""

# $1 viewer, $2 school, $3 the instant. The viewer's staff roles at the school in
# its running school year, and school_leader for a leader of a year not started yet.
SCHOOL_ROLES = """
SELECT ARRAY(SELECT DISTINCT sa.role FROM running_staff_assignments($3) sa
             WHERE sa.person_id = $1 AND sa.school_id = s.id
             UNION
             SELECT 'school_leader' WHERE will_lead_school($1, s.id, $3)) AS roles
FROM schools s WHERE s.id = $2
"""

# $1 viewer, $2 pupil, $3 the instant (service clock).
PUPIL_RELATION = "SELECT * FROM pupil_relation($1, $2, $3)"

# Each of $1 (viewers) against pupil $2 at instant $3.
RELATIONS_FOR_VIEWERS = """
SELECT x.viewer_id, r.* FROM unnest($1::uuid[]) AS x(viewer_id)
CROSS JOIN LATERAL pupil_relation(x.viewer_id, $2, $3) r
"""

# Viewer $1 against each of pupils $2 at instant $3.
RELATIONS_FOR_PUPILS = """
SELECT $1::uuid AS viewer_id, r.* FROM unnest($2::uuid[]) AS x(pupil_id)
CROSS JOIN LATERAL pupil_relation($1, x.pupil_id, $3) r
"""


def with_pupil_relation(select: str) -> str:
    """One statement: the policy row above as ``access``, then a use case's ``select`` over it.

    Lets a use case read what it needs beside the access decision in the same round trip.
    ``$1``-``$3`` are the policy's (viewer, pupil, instant); the use case's start at ``$4``.
    """
    return "WITH access AS (" + PUPIL_RELATION + ")\n" + select


# $1 person. Staff of any school in any school year, or a system administrator:
# not tied to the running year, since the dev clock may have been moved out of it.
# $1 person, $2 the instant: staff in some school's running school year.
IS_RUNNING_STAFF = "SELECT EXISTS (SELECT 1 FROM running_staff_assignments($2) sa WHERE sa.person_id = $1)"

IS_STAFF = """
SELECT p.is_system_admin OR EXISTS (SELECT 1 FROM staff_assignments sa WHERE sa.person_id = p.id)
FROM people p WHERE p.id = $1
"""
