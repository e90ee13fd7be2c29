"""Process settings, read once from the environment."""

from __future__ import annotations

import ipaddress
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from backend.roster.oneroster import ReadOptions

ENVIRONMENTS = ("dev", "test", "production")


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the message names the fix."""


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


def default_data_dir() -> Path:
    """``.skolebro`` in the checkout the code runs from, else the per-user data folder.

    Two clones are two projects: each gets its own embedded database and dev keys
    rather than sharing (and migrating) one another's demo.
    """
    checkout = Path(__file__).resolve().parents[1]
    if (checkout / "pyproject.toml").is_file() and (checkout / "backend").is_dir():
        return checkout / ".skolebro"
    return Path(platformdirs.user_data_dir("skolebro"))


@dataclass(frozen=True, slots=True)
class Settings:
    env: str = "dev"
    database_url: str | None = None
    data_dir: Path = field(default_factory=lambda: default_data_dir())
    now: str | None = None
    fcm_credentials: str | None = None
    fcm_endpoint: str | None = None  # a local FCM stand-in (tests, benchmarks)
    fcm_ca_file: str | None = None  # the CA that stand-in's certificate is signed by
    fcm_http: str = "aiohttp"  # aiohttp (measured fastest), h2 (firebase-admin's own) or http1
    signing_key_path: str | None = None
    # names, not secrets
    token_issuer: str = "skolebro"
    token_audience: str = "skolebro-api"
    access_token_seconds: int = 900
    refresh_token_days: int = 30
    identity_providers: tuple[IdentityProvider, ...] = ()
    pool_min_size: int = 2
    pool_max_size: int = 10
    cookie_secure: bool = False
    auth_rate_limit_per_minute: int = 60
    # Refreshes per minute per refresh-token family (one signed-in device), apart from
    # sign-in's per-address limit, so a school behind one NAT address is not locked out.
    refresh_rate_limit_per_minute: int = 20
    web_oidc: tuple[WebOidcClient, ...] = ()
    # Reaching guardians: Twilio's Messaging API and an SMTP server (README: Reaching guardians).
    sms_account_sid: str | None = None
    sms_auth_token: str | None = None
    sms_from: str | None = None
    sms_status_callback_url: str | None = None  # this service's /hooks/sms/twilio as Twilio calls it
    sms_api_url: str | None = None  # a local stand-in of api.twilio.com (tests, benchmarks)
    smtp_url: str | None = None
    mail_from: str | None = None
    smtp_ca_file: str | None = None  # the CA a test SMTP server's certificate is signed by
    # A hung database must not hold requests: each request fails with 503 within
    # about acquire + command timeout (issue 10).
    db_connect_timeout_seconds: float = 3.0
    db_acquire_timeout_seconds: float = 1.5
    db_command_timeout_seconds: float = 3.0
    db_statement_timeout_seconds: float = 3.0  # 0: not sent (set it on the role behind PgBouncer)
    # asyncpg's prepared-statement cache; 0 behind PgBouncer in transaction mode.
    db_statement_cache_size: int = 100
    # A direct (not pooled by PgBouncer) connection for LISTEN and the migration lock.
    direct_database_url: str | None = None
    # Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; any other peer is
    # the client itself. Strings: Litestar's signature model inspects Runtime's types.
    trusted_proxies: tuple[str, ...] = ()
    push: str = ""  # SKOLEBRO_PUSH: "log" says pushes are only logged on purpose
    identity_pepper: str | None = None
    # The users column with guardians' national identity numbers ("identifier" or "metadata.x").
    roster_national_id_column: str | None = None
    oneroster_url: str | None = None
    oneroster_token_url: str | None = None
    oneroster_client_id: str | None = None
    oneroster_client_secret: str | None = None
    oneroster_scope: str | None = None

    @property
    def pepper(self) -> str:
        from backend.auth.identity import DEV_PEPPER

        return self.identity_pepper or DEV_PEPPER

    @property
    def oneroster_configured(self) -> bool:
        return bool(self.oneroster_url and self.oneroster_token_url and self.oneroster_client_id)

    def roster_read_options(self) -> ReadOptions:
        from backend.auth.identity import national_id_hash
        from backend.roster.oneroster import ReadOptions

        pepper = self.pepper
        return ReadOptions(
            hash_national_id=lambda number: national_id_hash(number, pepper),
            national_id_column=self.roster_national_id_column,
        )

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def dev_routes(self) -> bool:
        return self.env in ("dev", "test")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, *, check: bool = True) -> Settings:
        """The settings from the environment; ``check=False`` skips production's demands
        (``skolebro migrate`` needs only the database, not keys or identity providers)."""
        env = dict(os.environ if environ is None else environ)
        name = env.get("SKOLEBRO_ENV", "dev")
        if name not in ENVIRONMENTS:
            raise SettingsError(f"SKOLEBRO_ENV={name!r} is not known; use one of {', '.join(ENVIRONMENTS)}.")
        data_dir = env.get("SKOLEBRO_DATA_DIR")
        settings = cls(
            env=name,
            database_url=env.get("DATABASE_URL") or None,
            data_dir=Path(data_dir) if data_dir else default_data_dir(),
            now=env.get("SKOLEBRO_NOW") or None,
            fcm_credentials=env.get("SKOLEBRO_FCM_CREDENTIALS") or None,
            fcm_endpoint=env.get("SKOLEBRO_FCM_ENDPOINT") or None,
            fcm_ca_file=env.get("SKOLEBRO_FCM_CA_FILE") or None,
            fcm_http=env.get("SKOLEBRO_FCM_HTTP", "aiohttp"),
            signing_key_path=env.get("SKOLEBRO_SIGNING_KEY") or None,
            token_issuer=env.get("SKOLEBRO_TOKEN_ISSUER", "skolebro"),
            token_audience=env.get("SKOLEBRO_TOKEN_AUDIENCE", "skolebro-api"),
            identity_providers=_parse_providers(env.get("SKOLEBRO_IDENTITY_PROVIDERS")),
            pool_max_size=int(env.get("SKOLEBRO_POOL_SIZE", "10")),
            cookie_secure=name == "production",
            auth_rate_limit_per_minute=int(env.get("SKOLEBRO_AUTH_RATE_LIMIT", "60")),
            refresh_rate_limit_per_minute=int(env.get("SKOLEBRO_REFRESH_RATE_LIMIT", "20")),
            web_oidc=_parse_web_oidc(env.get("SKOLEBRO_WEB_OIDC")),
            sms_account_sid=env.get("SKOLEBRO_SMS_ACCOUNT_SID") or None,
            sms_auth_token=env.get("SKOLEBRO_SMS_AUTH_TOKEN") or None,
            sms_from=env.get("SKOLEBRO_SMS_FROM") or None,
            sms_status_callback_url=env.get("SKOLEBRO_SMS_STATUS_CALLBACK_URL") or None,
            sms_api_url=env.get("SKOLEBRO_SMS_API_URL") or None,
            smtp_url=env.get("SKOLEBRO_SMTP_URL") or None,
            mail_from=env.get("SKOLEBRO_MAIL_FROM") or None,
            smtp_ca_file=env.get("SKOLEBRO_SMTP_CA_FILE") or None,
            db_connect_timeout_seconds=float(env.get("SKOLEBRO_DB_CONNECT_TIMEOUT", "3")),
            db_acquire_timeout_seconds=float(env.get("SKOLEBRO_DB_ACQUIRE_TIMEOUT", "1.5")),
            db_command_timeout_seconds=float(env.get("SKOLEBRO_DB_COMMAND_TIMEOUT", "3")),
            db_statement_timeout_seconds=float(env.get("SKOLEBRO_DB_STATEMENT_TIMEOUT", "3")),
            db_statement_cache_size=int(env.get("SKOLEBRO_DB_STATEMENT_CACHE_SIZE", "100")),
            direct_database_url=env.get("SKOLEBRO_DIRECT_DATABASE_URL") or None,
            trusted_proxies=_parse_networks(env.get("SKOLEBRO_TRUSTED_PROXIES")),
            push=env.get("SKOLEBRO_PUSH", ""),
            identity_pepper=env.get("SKOLEBRO_IDENTITY_PEPPER") or None,
            roster_national_id_column=env.get("SKOLEBRO_ROSTER_NATIONAL_ID_COLUMN") or None,
            oneroster_url=(env.get("SKOLEBRO_ONEROSTER_URL") or "").rstrip("/") or None,
            oneroster_token_url=env.get("SKOLEBRO_ONEROSTER_TOKEN_URL") or None,
            oneroster_client_id=env.get("SKOLEBRO_ONEROSTER_CLIENT_ID") or None,
            oneroster_client_secret=env.get("SKOLEBRO_ONEROSTER_CLIENT_SECRET") or None,
            oneroster_scope=env.get("SKOLEBRO_ONEROSTER_SCOPE") or None,
        )
        if check:
            settings.check()
        return settings

    def check_push(self) -> str:
        """The push transport a dispatcher would use: ``fcm`` or ``log``.

        Without credentials the log transport marks every push as sent, so in
        production that must be asked for (``SKOLEBRO_PUSH=log``), not fallen into.
        """
        if self.push not in ("", "fcm", "log"):
            raise SettingsError(f"SKOLEBRO_PUSH={self.push!r}: use fcm or log.")
        if self.push == "log":
            return "log"
        if self.fcm_credentials:
            return "fcm"
        if self.is_production:
            raise SettingsError(
                "Refusing to start the push dispatcher in production without FCM credentials; "
                "set SKOLEBRO_FCM_CREDENTIALS, or SKOLEBRO_PUSH=log to only log pushes."
            )
        return "log"

    def check(self) -> None:
        if self.fcm_http not in ("aiohttp", "h2", "http1"):
            raise SettingsError(f"SKOLEBRO_FCM_HTTP={self.fcm_http!r}: use aiohttp, h2 or http1.")
        if self.smtp_url and not self.smtp_url.startswith(("smtp://", "smtps://")):
            raise SettingsError("SKOLEBRO_SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS).")
        if not self.is_production:
            return
        missing = []
        if not self.signing_key_path:
            missing.append("SKOLEBRO_SIGNING_KEY (path to an Ed25519 private key in PEM)")
        if not self.identity_providers:
            missing.append("SKOLEBRO_IDENTITY_PROVIDERS (JSON list of issuer/audience/jwks_url)")
        if not self.database_url:
            missing.append("DATABASE_URL (production does not use the embedded database)")
        if self.now:
            missing.append("unset SKOLEBRO_NOW (the clock cannot be moved in production)")
        for client in self.web_oidc:
            if not client.redirect_uri.startswith("https://"):
                missing.append(f"an https redirect_uri for the web sign-in with {client.name}")
        if not self.identity_pepper and any(p.name == "idporten" for p in self.identity_providers):
            missing.append(
                "SKOLEBRO_IDENTITY_PEPPER (a long random secret; ID-porten numbers are matched by it)"
            )
        if self.oneroster_url and not self.oneroster_url.startswith("https://"):
            missing.append("an https SKOLEBRO_ONEROSTER_URL")
        if self.fcm_endpoint:
            missing.append("unset SKOLEBRO_FCM_ENDPOINT (pushes go to the real FCM in production)")
        if self.sms_api_url:
            missing.append("unset SKOLEBRO_SMS_API_URL (texts go to the real Twilio in production)")
        if self.sms_account_sid and not (self.sms_status_callback_url or "").startswith("https://"):
            missing.append("an https SKOLEBRO_SMS_STATUS_CALLBACK_URL (delivery reports)")
        if missing:
            raise SettingsError("Refusing to start in production; set " + "; ".join(missing) + ".")


def _parse_networks(raw: str | None) -> tuple[str, ...]:
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


def _parse_providers(raw: str | None) -> tuple[IdentityProvider, ...]:
    if not raw:
        return ()
    try:
        items = json.loads(raw)
        return tuple(
            IdentityProvider(
                name=i["name"],
                issuer=i["issuer"],
                audience=i["audience"],
                jwks_url=i["jwks_url"],
                subject_claim=i.get("subject_claim", "sub"),
                algorithms=tuple(i.get("algorithms", ("RS256", "ES256"))),
            )
            for i in items
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise SettingsError(
            "SKOLEBRO_IDENTITY_PROVIDERS must be a JSON list of objects with name, issuer, "
            f"audience and jwks_url: {exc}"
        ) from exc


def _parse_web_oidc(raw: str | None) -> tuple[WebOidcClient, ...]:
    if not raw:
        return ()
    try:
        items = json.loads(raw)
        return tuple(
            WebOidcClient(
                name=i["name"],
                label=i.get("label", i["name"]),
                issuer=i["issuer"],
                authorize_url=i["authorize_url"],
                token_url=i["token_url"],
                jwks_url=i["jwks_url"],
                client_id=i["client_id"],
                redirect_uri=i["redirect_uri"],
                client_secret=i.get("client_secret"),
                scope=i.get("scope", "openid"),
                subject_claim=i.get("subject_claim", "sub"),
            )
            for i in items
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise SettingsError(
            "SKOLEBRO_WEB_OIDC must be a JSON list of objects with name, issuer, "
            "authorize_url, token_url, jwks_url, client_id and redirect_uri "
            f"(client_secret, label, scope, subject_claim optional): {exc}"
        ) from exc
