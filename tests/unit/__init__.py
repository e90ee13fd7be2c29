"""Tests without a database: pure rules, registries, the shape of the source."""
