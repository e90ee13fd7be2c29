"""Database access: the pool, the embedded server and migrations."""
