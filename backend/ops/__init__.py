"""Operations: health, readiness, metrics, request logging."""
