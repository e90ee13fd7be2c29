"""The roster's settings: the OneRoster provider the nightly sync reads, and where an
operator's export keeps guardians' national identity numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

from backend.lib.config import from_var
from backend.roster.oneroster.model import ReadOptions
from backend.signin.identity import national_id_hash


@dataclass(frozen=True, slots=True)
class RosterSettings:
    # The users column with guardians' national identity numbers ("identifier" or "metadata.x").
    national_id_column: str | None = field(
        default=None, metadata=from_var("SKOLEBRO_ROSTER_NATIONAL_ID_COLUMN")
    )
    oneroster_url: str | None = field(
        default=None, metadata=from_var("SKOLEBRO_ONEROSTER_URL", lambda raw: raw.rstrip("/") or None)
    )
    oneroster_token_url: str | None = field(default=None, metadata=from_var("SKOLEBRO_ONEROSTER_TOKEN_URL"))
    oneroster_client_id: str | None = field(default=None, metadata=from_var("SKOLEBRO_ONEROSTER_CLIENT_ID"))
    oneroster_client_secret: str | None = field(
        default=None, metadata=from_var("SKOLEBRO_ONEROSTER_CLIENT_SECRET")
    )
    oneroster_scope: str | None = field(default=None, metadata=from_var("SKOLEBRO_ONEROSTER_SCOPE"))

    @property
    def oneroster_configured(self) -> bool:
        return bool(self.oneroster_url and self.oneroster_token_url and self.oneroster_client_id)


def read_options(roster: RosterSettings, pepper: str) -> ReadOptions:
    """How this operator's exports are read: national identity numbers hashed with ``pepper``."""
    return ReadOptions(
        hash_national_id=lambda number: national_id_hash(number, pepper),
        national_id_column=roster.national_id_column,
    )
