"""Operations: processes, logs, metrics, database outages, pooling and PgBouncer, rate limits,
deployment files."""
