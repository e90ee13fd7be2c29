"""The demo school as the tests know it: the service clock's start and the people and
classes the tests name."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from backend.roster.demo import demo_id

# Outsiders for the authorization matrix are demo users plus Fjellheim skule
# (tests/support/factories.py: leader.other, teacher.other, pupil.other, guardian.other).

# Monday 23 November 2026, 07:00 in Oslo: a school day before the 08:30 deadline.
DEFAULT_NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)


def person(username: str) -> uuid.UUID:
    return demo_id(f"person:{username}")


OLA = person("pupil.ola")
KARI = person("pupil.kari")
CLASS_3A = demo_id("class:3A")
CLASS_9B = demo_id("class:9B")
SCHOOL = demo_id("school")
