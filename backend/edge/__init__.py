"""The HTTP edge: body decoding, dependencies, idempotency, pagination, rate limits,
OpenAPI and problem answers."""
