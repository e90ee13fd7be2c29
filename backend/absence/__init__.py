"""Absence reports from guardians and adult pupils."""
