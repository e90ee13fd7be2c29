"""Sign-in (api.md: Auth)."""

from __future__ import annotations

import uuid
from typing import Annotated

import msgspec

from schemas.common import Client

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"


class TokenRequest(msgspec.Struct):
    """Form fields of ``POST /api/v1/auth/token``."""

    # A str, not an enum: another grant type is OAuth's 400 ``invalid_grant``, not a 422;
    # the document still names the two the service knows.
    grant_type: Annotated[
        str,
        msgspec.Meta(
            max_length=200, extra_json_schema={"extra": {"enum": [TOKEN_EXCHANGE, "refresh_token"]}}
        ),
    ]
    subject_token: Annotated[str, msgspec.Meta(max_length=16_000)] | None = None
    client: Client | None = None
    refresh_token: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    subject_token_type: Annotated[str, msgspec.Meta(max_length=200)] | None = None


class DevLogin(msgspec.Struct, forbid_unknown_fields=True):
    username: Annotated[str, msgspec.Meta(min_length=1, max_length=100, pattern=r"^[^\x00]+$")]
    client: Client = Client.app


class TokenResponse(msgspec.Struct):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class Logout(msgspec.Struct, forbid_unknown_fields=True):
    refresh_token: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    device_id: uuid.UUID | None = None
