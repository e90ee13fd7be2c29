"""The process's SMS and e-mail transports, chosen once from the settings.

Jobs are called as ``job(pool, now)`` by the scheduler, the CLI and the dev
endpoint alike; the transports they send through are the process's, set up
with the app (``configure``) and the log ones until then.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from notifications.mail import LogMail, MailTransport, build_mail
from notifications.settings import MailSettings, SmsSettings
from notifications.sms import LogSms, SmsTransport, build_sms


@dataclass
class Channels:
    sms: SmsTransport = field(default_factory=LogSms)
    mail: MailTransport = field(default_factory=LogMail)
    # Twilio signs delivery reports with the auth token; None: reports are refused.
    sms_auth_token: str | None = None
    sms_status_callback_url: str | None = None
    # The portal's public address: texts link to ``<public_url>/web/cases/{id}``.
    public_url: str = "http://127.0.0.1:8000"

    def case_link(self, case_id: object) -> str:
        return f"{self.public_url.rstrip('/')}/web/cases/{case_id}"


_current = Channels()


def configure(
    sms: SmsSettings, mail: MailSettings, *, production: bool, public_url: str = "http://127.0.0.1:8000"
) -> Channels:
    global _current
    _current = Channels(
        sms=build_sms(sms, production=production),
        mail=build_mail(mail, production=production),
        sms_auth_token=sms.auth_token,
        sms_status_callback_url=sms.status_callback_url,
        public_url=public_url,
    )
    return _current


def channels() -> Channels:
    return _current


__all__ = ["Channels", "channels", "configure"]
