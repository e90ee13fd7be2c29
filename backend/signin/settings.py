"""Sign-in's settings: our access tokens, the identity providers we trust, rate limits."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field, fields
from typing import Any

from backend.lib.config import SettingsError, from_var
from backend.signin.identity import DEV_PEPPER


@dataclass(frozen=True, slots=True)
class IdentityProvider:
    """A trusted identity provider whose ID tokens are exchanged for ours.

    ``subject_claim`` names the ID-token claim that identifies the person;
    its value is looked up in the ``identities`` table under ``name``
    (filled by the roster import).
    """

    name: str
    issuer: str
    audience: str
    jwks_url: str
    subject_claim: str = "sub"
    algorithms: tuple[str, ...] = ("RS256", "ES256")


def _known(item: dict[str, Any], known: set[str]) -> dict[str, Any]:
    """The keys a provider has (the dataclass's defaults for the rest); algorithms as a tuple."""
    return {k: tuple(v) if k == "algorithms" else v for k, v in item.items() if k in known}


def parse_providers(raw: str | None) -> tuple[IdentityProvider, ...]:
    if not raw:
        return ()
    try:
        known = {f.name for f in fields(IdentityProvider)}
        items: list[dict[str, Any]] = json.loads(raw)
        return tuple(IdentityProvider(**_known(i, known)) for i in items)
    except (ValueError, KeyError, TypeError) as exc:
        raise SettingsError(
            "SKOLEBRO_IDENTITY_PROVIDERS must be a JSON list of objects with name, issuer, "
            f"audience and jwks_url: {exc}"
        ) from exc


def parse_networks(raw: str | None) -> tuple[str, ...]:
    if not raw:
        return ()
    try:
        return tuple(
            str(ipaddress.ip_network(part.strip(), strict=False)) for part in raw.split(",") if part.strip()
        )
    except ValueError as exc:
        raise SettingsError(
            f"SKOLEBRO_TRUSTED_PROXIES must be comma-separated addresses or CIDRs (10.0.0.0/8): {exc}"
        ) from exc


@dataclass(frozen=True, slots=True)
class TokenSettings:
    """Our access and refresh tokens."""

    # Ed25519 in PEM; dev and test generate one into the data folder
    signing_key_path: str | None = field(default=None, metadata=from_var("SKOLEBRO_SIGNING_KEY"))
    # names, not secrets
    issuer: str = field(default="skolebro", metadata=from_var("SKOLEBRO_TOKEN_ISSUER"))
    audience: str = field(default="skolebro-api", metadata=from_var("SKOLEBRO_TOKEN_AUDIENCE"))
    access_token_seconds: int = 900
    refresh_token_days: int = 30


@dataclass(frozen=True, slots=True)
class IdentitySettings:
    """The identity providers whose ID tokens are exchanged for ours."""

    providers: tuple[IdentityProvider, ...] = field(
        default=(), metadata=from_var("SKOLEBRO_IDENTITY_PROVIDERS", parse_providers)
    )
    # The key of national identity numbers' hashes (ID-porten subjects, roster exports).
    pepper_secret: str | None = field(default=None, metadata=from_var("SKOLEBRO_IDENTITY_PEPPER"))

    @property
    def pepper(self) -> str:
        return self.pepper_secret or DEV_PEPPER


@dataclass(frozen=True, slots=True)
class RateLimitSettings:
    """Sign-in's per-process limits (backend/edge/ratelimit.py)."""

    auth_per_minute: int = field(default=60, metadata=from_var("SKOLEBRO_AUTH_RATE_LIMIT", int))
    # Refreshes per minute per refresh-token family (one signed-in device), apart from
    # sign-in's per-address limit, so a school behind one NAT address is not locked out.
    refresh_per_minute: int = field(default=20, metadata=from_var("SKOLEBRO_REFRESH_RATE_LIMIT", int))
    # Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; any other peer is
    # the client itself. Strings: Litestar's signature model inspects Runtime's types.
    trusted_proxies: tuple[str, ...] = field(
        default=(), metadata=from_var("SKOLEBRO_TRUSTED_PROXIES", parse_networks)
    )
