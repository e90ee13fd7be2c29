"""Skolebro backend: the HTTP API, the scheduler and the command line."""
