"""Process settings, read once from the environment."""

from __future__ import annotations

import ipaddress
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import platformdirs

if TYPE_CHECKING:
    from backend.roster.oneroster.model import ReadOptions

ENVIRONMENTS = ("dev", "test", "production")
PLAN_CACHE_MODES = ("none", "auto", "force_generic_plan", "force_custom_plan")


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


def from_var(name: str, parse: Callable[[str], Any] = str) -> dict[str, Any]:
    """Field metadata: the environment variable that sets the field, and how its text is read.

    Declare a setting once, as a field of ``Settings`` with its default and
    ``metadata=from_var(...)``; ``Settings.from_env`` reads exactly the fields so marked.
    """
    return {"env": name, "parse": parse}


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
    env: str = field(default="dev", metadata=from_var("SKOLEBRO_ENV"))
    database_url: str | None = field(default=None, metadata=from_var("DATABASE_URL"))
    data_dir: Path = field(
        default_factory=lambda: default_data_dir(), metadata=from_var("SKOLEBRO_DATA_DIR", Path)
    )
    now: str | None = field(default=None, metadata=from_var("SKOLEBRO_NOW"))
    fcm_credentials: str | None = field(default=None, metadata=from_var("SKOLEBRO_FCM_CREDENTIALS"))
    # a local FCM stand-in (tests, benchmarks), and the CA its certificate is signed by
    fcm_endpoint: str | None = field(default=None, metadata=from_var("SKOLEBRO_FCM_ENDPOINT"))
    fcm_ca_file: str | None = field(default=None, metadata=from_var("SKOLEBRO_FCM_CA_FILE"))
    # Messages per FCM chunk, and being sent at once by one dispatcher; the second is also
    # how many already-accepted pushes a killed dispatcher may send twice (README).
    push_chunk_size: int = field(default=50, metadata=from_var("SKOLEBRO_PUSH_CHUNK_SIZE", int))
    push_in_flight: int = field(default=100, metadata=from_var("SKOLEBRO_PUSH_IN_FLIGHT", int))
    signing_key_path: str | None = field(default=None, metadata=from_var("SKOLEBRO_SIGNING_KEY"))
    # names, not secrets
    token_issuer: str = field(default="skolebro", metadata=from_var("SKOLEBRO_TOKEN_ISSUER"))
    token_audience: str = field(default="skolebro-api", metadata=from_var("SKOLEBRO_TOKEN_AUDIENCE"))
    access_token_seconds: int = 900
    refresh_token_days: int = 30
    identity_providers: tuple[IdentityProvider, ...] = field(
        default=(), metadata=from_var("SKOLEBRO_IDENTITY_PROVIDERS", lambda raw: _parse_providers(raw))
    )
    pool_min_size: int = 2
    # 20, not 10: with 32 requests in flight, requests queueing for one of 10 connections
    # made the morning mix's p99 54-64 ms; with 16-32 connections it was 22-31 ms, at the
    # same throughput (tests/benchmarks/bench_api.py --pool-size, on 2 cores).
    pool_max_size: int = field(default=20, metadata=from_var("SKOLEBRO_POOL_SIZE", int))
    # Cookies are Secure in production (set from SKOLEBRO_ENV, not on its own).
    cookie_secure: bool = False
    auth_rate_limit_per_minute: int = field(default=60, metadata=from_var("SKOLEBRO_AUTH_RATE_LIMIT", int))
    # Refreshes per minute per refresh-token family (one signed-in device), apart from
    # sign-in's per-address limit, so a school behind one NAT address is not locked out.
    refresh_rate_limit_per_minute: int = field(
        default=20, metadata=from_var("SKOLEBRO_REFRESH_RATE_LIMIT", int)
    )
    web_oidc: tuple[WebOidcClient, ...] = field(
        default=(), metadata=from_var("SKOLEBRO_WEB_OIDC", lambda raw: _parse_web_oidc(raw))
    )
    # Reaching guardians: Twilio's Messaging API and an SMTP server (README: Reaching guardians).
    sms_account_sid: str | None = field(default=None, metadata=from_var("SKOLEBRO_SMS_ACCOUNT_SID"))
    sms_auth_token: str | None = field(default=None, metadata=from_var("SKOLEBRO_SMS_AUTH_TOKEN"))
    sms_from: str | None = field(default=None, metadata=from_var("SKOLEBRO_SMS_FROM"))
    # this service's /hooks/sms/twilio as Twilio calls it
    sms_status_callback_url: str | None = field(
        default=None, metadata=from_var("SKOLEBRO_SMS_STATUS_CALLBACK_URL")
    )
    # a local stand-in of api.twilio.com (tests, benchmarks)
    sms_api_url: str | None = field(default=None, metadata=from_var("SKOLEBRO_SMS_API_URL"))
    smtp_url: str | None = field(default=None, metadata=from_var("SKOLEBRO_SMTP_URL"))
    mail_from: str | None = field(default=None, metadata=from_var("SKOLEBRO_MAIL_FROM"))
    # the CA a test SMTP server's certificate is signed by
    smtp_ca_file: str | None = field(default=None, metadata=from_var("SKOLEBRO_SMTP_CA_FILE"))
    # A hung database must not hold requests: each request fails with 503 within
    # about acquire + command timeout (issue 10).
    db_connect_timeout_seconds: float = field(
        default=3.0, metadata=from_var("SKOLEBRO_DB_CONNECT_TIMEOUT", float)
    )
    db_acquire_timeout_seconds: float = field(
        default=1.5, metadata=from_var("SKOLEBRO_DB_ACQUIRE_TIMEOUT", float)
    )
    db_command_timeout_seconds: float = field(
        default=3.0, metadata=from_var("SKOLEBRO_DB_COMMAND_TIMEOUT", float)
    )
    # 0: not sent (set it on the role behind PgBouncer)
    db_statement_timeout_seconds: float = field(
        default=3.0, metadata=from_var("SKOLEBRO_DB_STATEMENT_TIMEOUT", float)
    )
    # asyncpg's prepared-statement cache; 0 behind PgBouncer in transaction mode.
    db_statement_cache_size: int = field(
        default=100, metadata=from_var("SKOLEBRO_DB_STATEMENT_CACHE_SIZE", int)
    )
    # PostgreSQL's plan_cache_mode for the request pool, sent at connect; "none" sends none
    # (behind PgBouncer, set it on the role). Generic plans by default: the access
    # policy's inlined queries cost 4-6 ms of database CPU to plan and 0.2 ms to run,
    # and "auto" plans some of them anew on every request (README: Configuration).
    db_plan_cache_mode: str = field(
        default="force_generic_plan", metadata=from_var("SKOLEBRO_DB_PLAN_CACHE_MODE")
    )
    # A direct (not pooled by PgBouncer) connection for LISTEN and the migration lock.
    direct_database_url: str | None = field(default=None, metadata=from_var("SKOLEBRO_DIRECT_DATABASE_URL"))
    # Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; any other peer is
    # the client itself. Strings: Litestar's signature model inspects Runtime's types.
    trusted_proxies: tuple[str, ...] = field(
        default=(), metadata=from_var("SKOLEBRO_TRUSTED_PROXIES", lambda raw: _parse_networks(raw))
    )
    # "log" says pushes are only logged on purpose
    push: str = field(default="", metadata=from_var("SKOLEBRO_PUSH"))
    identity_pepper: str | None = field(default=None, metadata=from_var("SKOLEBRO_IDENTITY_PEPPER"))
    # The users column with guardians' national identity numbers ("identifier" or "metadata.x").
    roster_national_id_column: str | None = field(
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
    def pepper(self) -> str:
        from backend.signin.identity import DEV_PEPPER

        return self.identity_pepper or DEV_PEPPER

    @property
    def oneroster_configured(self) -> bool:
        return bool(self.oneroster_url and self.oneroster_token_url and self.oneroster_client_id)

    def roster_read_options(self) -> ReadOptions:
        from backend.roster.oneroster.model import ReadOptions
        from backend.signin.identity import national_id_hash

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
    def from_env(cls, environ: Mapping[str, str] | None = None, *, check: bool = True) -> Settings:
        """Settings from the environment: each declared variable that is set and not
        empty overrides its field's default; nothing else is read. ``check=False`` skips
        production's demands (``skolebro migrate`` needs only the database)."""
        source = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            name = f.metadata.get("env")
            raw = source.get(name) if name else None
            if not raw:
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except (ValueError, TypeError) as exc:
                raise SettingsError(f"{name}={raw!r} cannot be read: {exc}") from exc
        name = values.get("env", "dev")
        if name not in ENVIRONMENTS:
            raise SettingsError(f"SKOLEBRO_ENV={name!r} is not known; use one of {', '.join(ENVIRONMENTS)}.")
        settings = cls(**values, cookie_secure=name == "production")
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
        if self.db_plan_cache_mode not in PLAN_CACHE_MODES:
            raise SettingsError(
                f"SKOLEBRO_DB_PLAN_CACHE_MODE={self.db_plan_cache_mode!r}: use force_generic_plan,"
                " auto, force_custom_plan, or none to send none (behind PgBouncer)."
            )
        if not 1 <= self.push_chunk_size <= 500:
            raise SettingsError("SKOLEBRO_PUSH_CHUNK_SIZE must be 1-500 (FCM's limit per batch).")
        if not self.push_chunk_size <= self.push_in_flight <= 2000:
            raise SettingsError(
                "SKOLEBRO_PUSH_IN_FLIGHT must be at least SKOLEBRO_PUSH_CHUNK_SIZE and at most 2000."
            )
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


def _build(kind: Callable[..., Any], item: dict[str, Any], **convert: Callable[[Any], Any]) -> Any:
    """One JSON object as ``kind``: the keys it names, the dataclass's defaults for the rest."""
    known = {f.name for f in fields(kind)}  # type: ignore[arg-type]
    return kind(**{k: convert[k](v) if k in convert else v for k, v in item.items() if k in known})


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
        return tuple(_build(IdentityProvider, i, algorithms=tuple) for i in items)
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
        return tuple(_build(WebOidcClient, {"label": i["name"], **i}) for i in items)
    except (ValueError, KeyError, TypeError) as exc:
        raise SettingsError(
            "SKOLEBRO_WEB_OIDC must be a JSON list of objects with name, issuer, "
            "authorize_url, token_url, jwks_url, client_id and redirect_uri "
            f"(client_secret, label, scope, subject_claim optional): {exc}"
        ) from exc
