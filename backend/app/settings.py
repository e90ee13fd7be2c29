"""Process settings, read once from the environment.

Each group is declared by the package that uses it (``backend/db/settings.py``,
``notifications/settings.py``, ``backend/roster/settings.py``, ``backend/signin/settings.py``,
``backend/web/settings.py``), every field with its default and environment variable;
here they are composed, read (``backend/lib/config.py``) and checked together.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs

from backend.db.settings import PLAN_CACHE_MODES, DatabaseSettings
from backend.lib.config import SettingsError, from_var, nested, read_group
from backend.retention.settings import RetentionSettings
from backend.roster.jobs import RosterSync
from backend.roster.oneroster.model import ReadOptions
from backend.roster.settings import RosterSettings, read_options
from backend.signin.settings import IdentitySettings, RateLimitSettings, TokenSettings
from backend.web.settings import WebPortalSettings
from notifications.settings import MailSettings, PushSettings, SmsSettings

ENVIRONMENTS = ("dev", "test", "production")

__all__ = ["ENVIRONMENTS", "PLAN_CACHE_MODES", "Settings", "SettingsError", "default_data_dir", "from_var"]


def default_data_dir() -> Path:
    """``.skolebro`` in the checkout the code runs from, else the per-user data folder.

    Two clones are two projects: each gets its own embedded database and dev keys
    rather than sharing (and migrating) one another's demo.
    """
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "backend").is_dir():
        return checkout / ".skolebro"
    return Path(platformdirs.user_data_dir("skolebro"))


@dataclass(frozen=True, slots=True)
class Settings:
    env: str = field(default="dev", metadata=from_var("SKOLEBRO_ENV"))
    data_dir: Path = field(
        default_factory=lambda: default_data_dir(), metadata=from_var("SKOLEBRO_DATA_DIR", Path)
    )
    now: str | None = field(default=None, metadata=from_var("SKOLEBRO_NOW"))
    database: DatabaseSettings = field(default_factory=DatabaseSettings, metadata=nested(DatabaseSettings))
    push: PushSettings = field(default_factory=PushSettings, metadata=nested(PushSettings))
    sms: SmsSettings = field(default_factory=SmsSettings, metadata=nested(SmsSettings))
    mail: MailSettings = field(default_factory=MailSettings, metadata=nested(MailSettings))
    tokens: TokenSettings = field(default_factory=TokenSettings, metadata=nested(TokenSettings))
    identity: IdentitySettings = field(default_factory=IdentitySettings, metadata=nested(IdentitySettings))
    limits: RateLimitSettings = field(default_factory=RateLimitSettings, metadata=nested(RateLimitSettings))
    roster: RosterSettings = field(default_factory=RosterSettings, metadata=nested(RosterSettings))
    web: WebPortalSettings = field(default_factory=WebPortalSettings, metadata=nested(WebPortalSettings))
    retention: RetentionSettings = field(
        default_factory=RetentionSettings, metadata=nested(RetentionSettings)
    )

    def roster_read_options(self) -> ReadOptions:
        return read_options(self.roster, self.identity.pepper)

    def roster_sync(self) -> RosterSync:
        return RosterSync(self.roster, self.identity.pepper)

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
        settings: Settings = read_group(cls, os.environ if environ is None else environ)
        if settings.env not in ENVIRONMENTS:
            raise SettingsError(
                f"SKOLEBRO_ENV={settings.env!r} is not known; use one of {', '.join(ENVIRONMENTS)}."
            )
        web = dataclasses.replace(settings.web, cookie_secure=settings.is_production)
        settings = dataclasses.replace(settings, web=web)
        if check:
            settings.check()
        return settings

    def check_push(self) -> str:
        """The push transport a dispatcher would use: ``fcm`` or ``log``.

        Without credentials the log transport marks every push as sent, so in
        production that must be asked for (``SKOLEBRO_PUSH=log``), not fallen into.
        """
        if self.push.mode not in ("", "fcm", "log"):
            raise SettingsError(f"SKOLEBRO_PUSH={self.push.mode!r}: use fcm or log.")
        if self.push.mode == "log":
            return "log"
        if self.push.fcm_credentials:
            return "fcm"
        if self.is_production:
            raise SettingsError(
                "Refusing to start the push dispatcher in production without FCM credentials; "
                "set SKOLEBRO_FCM_CREDENTIALS, or SKOLEBRO_PUSH=log to only log pushes."
            )
        return "log"

    def check(self) -> None:
        if self.database.plan_cache_mode not in PLAN_CACHE_MODES:
            raise SettingsError(
                f"SKOLEBRO_DB_PLAN_CACHE_MODE={self.database.plan_cache_mode!r}: use force_generic_plan,"
                " auto, force_custom_plan, or none to send none (behind PgBouncer)."
            )
        if not 1 <= self.push.chunk_size <= 500:
            raise SettingsError("SKOLEBRO_PUSH_CHUNK_SIZE must be 1-500 (FCM's limit per batch).")
        if not self.push.chunk_size <= self.push.in_flight <= 2000:
            raise SettingsError(
                "SKOLEBRO_PUSH_IN_FLIGHT must be at least SKOLEBRO_PUSH_CHUNK_SIZE and at most 2000."
            )
        if not re.match(r"^(mailto:[^@\s]+@[^@\s]+\.[^@\s]+|https://[^/\s]+\S*)$", self.push.vapid_subject):
            raise SettingsError(
                "SKOLEBRO_VAPID_SUBJECT must be mailto:someone@example.no or an https:// address"
                " (push services contact the operator there)."
            )
        self.retention.check()
        if self.mail.smtp_url and not self.mail.smtp_url.startswith(("smtp://", "smtps://")):
            raise SettingsError("SKOLEBRO_SMTP_URL must start with smtp:// (STARTTLS) or smtps:// (TLS).")
        if not self.is_production:
            return
        missing = self._missing_in_production()
        if missing:
            raise SettingsError("Refusing to start in production; set " + "; ".join(missing) + ".")

    def _missing_in_production(self) -> list[str]:
        missing = []
        if not self.tokens.signing_key_path:
            missing.append("SKOLEBRO_SIGNING_KEY (path to an Ed25519 private key in PEM)")
        if not self.identity.providers:
            missing.append("SKOLEBRO_IDENTITY_PROVIDERS (JSON list of issuer/audience/jwks_url)")
        if not self.database.url:
            missing.append("DATABASE_URL (production does not use the embedded database)")
        if self.now:
            missing.append("unset SKOLEBRO_NOW (the clock cannot be moved in production)")
        for client in self.web.oidc:
            if not client.redirect_uri.startswith("https://"):
                missing.append(f"an https redirect_uri for the web sign-in with {client.name}")
        if not self.identity.pepper_secret and any(p.name == "idporten" for p in self.identity.providers):
            missing.append(
                "SKOLEBRO_IDENTITY_PEPPER (a long random secret; ID-porten numbers are matched by it)"
            )
        if self.roster.oneroster_url and not self.roster.oneroster_url.startswith("https://"):
            missing.append("an https SKOLEBRO_ONEROSTER_URL")
        if self.push.vapid_private_key and self.push.vapid_subject.endswith(".invalid"):
            missing.append("SKOLEBRO_VAPID_SUBJECT (mailto: or https: where push services reach you)")
        if self.push.fcm_endpoint:
            missing.append("unset SKOLEBRO_FCM_ENDPOINT (pushes go to the real FCM in production)")
        if self.sms.api_url:
            missing.append("unset SKOLEBRO_SMS_API_URL (texts go to the real Twilio in production)")
        if self.sms.account_sid and not (self.sms.status_callback_url or "").startswith("https://"):
            missing.append("an https SKOLEBRO_SMS_STATUS_CALLBACK_URL (delivery reports)")
        return missing
