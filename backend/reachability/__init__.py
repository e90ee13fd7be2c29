"""Reachability before the emergency: who can be reached, and test alerts (api.md: Reachability)."""
