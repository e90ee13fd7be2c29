"""Types shared across the wire contract."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

import msgspec

Locale = Annotated[Literal["nb", "nn", "en"], msgspec.Meta(description="nb, nn or en")]

# ``2026-2027``: a school year is two consecutive calendar years. The pattern names
# every one the service can compute with (as tight as ``first_year_of`` checks), so
# that a client generated from the document never sends one it refuses.
FIRST_SCHOOL_YEARS = range(2000, 2099)
SCHOOL_YEAR_PATTERN = "^(" + "|".join(f"{y}-{y + 1}" for y in FIRST_SCHOOL_YEARS) + ")$"
TimeOfDay = Annotated[
    str,
    msgspec.Meta(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="HH:MM, school-local"),
]


class Client(StrEnum):
    app = "app"
    web = "web"


class Role(StrEnum):
    guardian = "guardian"
    pupil = "pupil"
    teacher = "teacher"
    school_leader = "school_leader"
    system_admin = "system_admin"
    school_owner = "school_owner"


class Access(StrEnum):
    full = "full"
    read_only = "read_only"
