"""E-mail through SMTP (``SKOLEBRO_SMTP_URL``), or only a log line.

``smtp://user:pass@host:587`` speaks STARTTLS and refuses a server that does
not offer it (a guardian's address and a child's name do not travel in the
clear); ``smtps://user:pass@host:465`` is TLS from the first byte. Each
message has a plain-text and an HTML part.
"""

from __future__ import annotations

import logging
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from notifications.channel_texts import Email
from notifications.settings import MailSettings

log = logging.getLogger("skolebro.mail")


@dataclass(frozen=True, slots=True)
class MailOutcome:
    sent: bool
    retry: bool = False
    message_id: str | None = None
    error: str | None = None


class MailTransport(Protocol):
    name: str

    async def send(self, to: str, mail: Email) -> MailOutcome:
        """Hand one e-mail to the SMTP server. Never raises."""


def address_hint(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}…@{domain}"


NOT_CONFIGURED = "not sent: no SMTP server is configured (SKOLEBRO_SMTP_URL)"


class LogMail:
    """No SMTP server configured: logged; counts as sent outside production only (see
    ``notifications.sms.LogSms``)."""

    name = "log"

    def __init__(self, counts_as_sent: bool = True) -> None:
        self.counts_as_sent = counts_as_sent

    async def send(self, to: str, mail: Email) -> MailOutcome:
        log.info("e-mail (log transport) to %s: %s", address_hint(to), mail.subject)
        if not self.counts_as_sent:
            return MailOutcome(sent=False, error=NOT_CONFIGURED)
        return MailOutcome(sent=True)


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def parse(cls, url: str) -> SmtpConfig:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("SKOLEBRO_SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://…")
        implicit = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if implicit else 587),
            implicit_tls=implicit,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


@dataclass
class SmtpMail:
    config: SmtpConfig
    sender: str
    sender_name: str = "Skolebro"
    ca_file: str | None = None
    timeout: float = 15.0
    name: str = "smtp"

    def message(self, to: str, mail: Email) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = formataddr((self.sender_name, self.sender))
        msg["To"] = to
        msg["Subject"] = mail.subject
        msg["Message-ID"] = make_msgid(domain=self.sender.partition("@")[2] or None)
        # Automatic replies (holiday notices) should not answer an alert.
        msg["Auto-Submitted"] = "auto-generated"
        msg.set_content(mail.text)
        msg.add_alternative(mail.html, subtype="html")
        return msg

    async def send(self, to: str, mail: Email) -> MailOutcome:
        msg = self.message(to, mail)
        context = ssl.create_default_context(cafile=self.ca_file) if self.ca_file else None
        try:
            await aiosmtplib.send(
                msg,
                hostname=self.config.host,
                port=self.config.port,
                username=self.config.username,
                password=self.config.password,
                use_tls=self.config.implicit_tls,
                start_tls=False if self.config.implicit_tls else True,
                tls_context=context,
                timeout=self.timeout,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            return MailOutcome(sent=False, error=f"recipient refused: {exc}")
        except aiosmtplib.SMTPResponseException as exc:
            # 5xx is the server's final word about this message; 4xx means later.
            return MailOutcome(sent=False, retry=exc.code < 500, error=f"SMTP {exc.code}: {exc.message}")
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return MailOutcome(sent=False, retry=True, error=f"{type(exc).__name__}: {exc}")
        return MailOutcome(sent=True, message_id=str(msg["Message-ID"]))


def build_mail(settings: MailSettings, *, production: bool) -> MailTransport:
    url = settings.smtp_url
    if not url:
        if production:
            log.error("SKOLEBRO_SMTP_URL is not set: no e-mail can be sent; cases record every one as failed")
            return LogMail(counts_as_sent=False)
        log.warning("SKOLEBRO_SMTP_URL is not set: e-mails are only logged (and still recorded on the case)")
        return LogMail()
    return SmtpMail(
        SmtpConfig.parse(url),
        sender=settings.sender or "skolebro@localhost",
        ca_file=settings.smtp_ca_file,
    )


__all__ = ["LogMail", "MailOutcome", "MailTransport", "SmtpConfig", "SmtpMail", "build_mail"]
