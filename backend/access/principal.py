"""Who is calling."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: only the person and the client; roles come from the roster."""

    person_id: uuid.UUID
    client: str
