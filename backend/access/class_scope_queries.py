"""SQL behind the classes a staff member answers for (backend/access/class_scope.py)."""

# $1 viewer, $2 the instant. The classes the viewer answers for in the running school
# year (class_staff: the class team of their classes, every class of the school for
# its leaders), with their roles.
ANSWERED_CLASSES = """
SELECT cs.class_id, cs.school_id, array_agg(DISTINCT cs.role) AS roles
FROM class_staff($2) cs
WHERE cs.person_id = $1
GROUP BY cs.class_id, cs.school_id
"""
