"""SQL behind the follow-up and school-owner access decisions (backend/db/definitions/access.sql)."""

# $1 viewer, $2 instant, $3 follow-up: the viewer's roles on it (none: not theirs).
FOLLOW_UP_ROLES = """
SELECT ARRAY(SELECT DISTINCT fs.role FROM follow_up_staff($2) fs
             WHERE fs.person_id = $1 AND fs.follow_up_id = $3) AS roles
"""

# $1 person: the districts they own schools of as a school owner.
OWNED_DISTRICTS = "SELECT district_id, name FROM owned_districts($1) ORDER BY name, district_id"
