"""Absence follow-up: worrying absence found nightly, followed up by the contact teacher."""
