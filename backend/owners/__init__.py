"""The school owner (the roster's district): aggregated absence statistics, never a person."""
