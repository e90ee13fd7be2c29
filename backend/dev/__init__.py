"""Dev/test-only routes: never registered in production."""
