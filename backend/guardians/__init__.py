"""Guardians of a pupil: the school's decision about their access, kept apart from the roster's."""
