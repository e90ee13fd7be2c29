"""Types shared across the wire contract."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import msgspec

Locale = Annotated[str, msgspec.Meta(pattern="^(nb|nn|en)$", description="nb, nn or en")]
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
