"""The HTTP API per domain, against a real PostgreSQL: one or more files per domain, named after it."""
