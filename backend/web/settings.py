"""The web portal's settings: the identity providers it signs in with, its cookies."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from backend.lib.config import SettingsError, from_var


@dataclass(frozen=True, slots=True)
class WebOidcClient:
    """The web portal as an OpenID Connect client of one identity provider.

    Sign-in is the authorization-code flow with PKCE, state and nonce. The
    ID token is verified against ``issuer``/``jwks_url`` with ``client_id``
    as audience, and ``subject_claim`` is looked up in ``identities`` under
    ``name`` (``idporten`` for guardians, ``feide`` for staff and pupils).
    ``redirect_uri`` is this service's ``/web/login/callback`` as registered
    with the provider.
    """

    name: str
    label: str
    issuer: str
    authorize_url: str
    token_url: str
    jwks_url: str
    client_id: str
    redirect_uri: str
    client_secret: str | None = None
    scope: str = "openid"
    subject_claim: str = "sub"


def parse_web_oidc(raw: str | None) -> tuple[WebOidcClient, ...]:
    if not raw:
        return ()
    try:
        known = {f.name for f in fields(WebOidcClient)}
        return tuple(
            WebOidcClient(**{k: v for k, v in {"label": i["name"], **i}.items() if k in known})
            for i in json.loads(raw)
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise SettingsError(
            "SKOLEBRO_WEB_OIDC must be a JSON list of objects with name, issuer, "
            "authorize_url, token_url, jwks_url, client_id and redirect_uri "
            f"(client_secret, label, scope, subject_claim optional): {exc}"
        ) from exc


@dataclass(frozen=True, slots=True)
class WebPortalSettings:
    oidc: tuple[WebOidcClient, ...] = field(
        default=(), metadata=from_var("SKOLEBRO_WEB_OIDC", parse_web_oidc)
    )
    # Cookies are Secure in production (set from SKOLEBRO_ENV, not on its own).
    cookie_secure: bool = False
    # Where people reach the portal: links sent outside it (the case link in a
    # missing-pupil SMS and e-mail, ``<public_url>/web/cases/{id}``) start here.
    public_url: str = field(default="http://127.0.0.1:8000", metadata=from_var("SKOLEBRO_PUBLIC_URL"))


@dataclass(frozen=True, slots=True)
class PortalSignIn:
    """What the portal's sign-in pages need of the process."""

    web: WebPortalSettings
    dev_routes: bool
    pepper: str
    # The identity providers' signing keys, fetched once and shared by every request.
    jwks: dict[str, Any]
