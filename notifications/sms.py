"""SMS through Twilio's Programmable Messaging API, or only a log line.

Twilio (https://www.twilio.com/docs/messaging/api/message-resource) because
it has what the ladder needs and documents it precisely: one HTTPS request
per text (``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``,
form-encoded ``To``, ``From``, ``Body``, ``StatusCallback``; HTTP Basic auth
with the account SID and auth token), Norwegian numbers and alphanumeric
senders, and delivery reports POSTed to our ``StatusCallback`` URL as they
happen (``MessageSid``, ``MessageStatus`` = queued/sent/delivered/
undelivered/failed, ``ErrorCode``), each signed with ``X-Twilio-Signature``:
base64 HMAC-SHA1, keyed with the auth token, over the callback URL followed
by every POST parameter, sorted by name, name and value concatenated.

A send answers one of three ways: accepted (Twilio's sid, status
``queued``), refused for good (a 4xx such as 21211 "invalid To number"), or
worth another try (429, 5xx, a network error).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import aiohttp

from notifications.settings import SmsSettings

log = logging.getLogger("skolebro.sms")

TWILIO_API = "https://api.twilio.com"


class SendResult(StrEnum):
    accepted = "accepted"
    retry = "retry"
    failed = "failed"


@dataclass(frozen=True, slots=True)
class SmsOutcome:
    result: SendResult
    provider_id: str | None = None
    status: str = "queued"  # ours: queued or sent (the log transport has nothing to wait for)
    error: str | None = None


class SmsTransport(Protocol):
    name: str

    async def send(self, session: aiohttp.ClientSession | None, to: str, body: str) -> SmsOutcome:
        """Hand one text to the provider. Never raises."""


def number_hint(number: str) -> str:
    """Enough of a number to tell texts apart in logs, not enough to call it."""
    return f"…{number[-3:]}"


NOT_CONFIGURED = "not sent: no SMS provider is configured (SKOLEBRO_SMS_*)"


class LogSms:
    """No provider configured: the text is logged (never the number).

    In development it counts as sent, so the demo's cases show the ladder. In production
    it is recorded as failed: a case saying "sent" when nothing left the service would
    tell the class team a guardian had been texted, and nobody would call.
    """

    name = "log"

    def __init__(self, counts_as_sent: bool = True) -> None:
        self.counts_as_sent = counts_as_sent

    async def send(self, session: aiohttp.ClientSession | None, to: str, body: str) -> SmsOutcome:
        log.info("SMS (log transport) to %s, %d characters", number_hint(to), len(body))
        if not self.counts_as_sent:
            return SmsOutcome(SendResult.failed, error=NOT_CONFIGURED)
        return SmsOutcome(SendResult.accepted, None, "sent")


def twilio_signature(auth_token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's request signature (docs: Security, validating requests)."""
    payload = url + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def valid_twilio_signature(auth_token: str, url: str, params: Mapping[str, str], signature: str) -> bool:
    return hmac.compare_digest(twilio_signature(auth_token, url, params), signature or "")


# Twilio's MessageStatus -> ours. accepted/scheduled/queued/sending are all
# "on its way"; undelivered is as final as failed for a guardian.
TWILIO_STATUS = {
    "accepted": "queued",
    "scheduled": "queued",
    "queued": "queued",
    "sending": "queued",
    "sent": "sent",
    "delivered": "delivered",
    "read": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "canceled": "failed",
}


@dataclass
class TwilioSms:
    account_sid: str
    auth_token: str
    sender: str  # an E.164 number, a Messaging Service (MG…), or an alphanumeric sender id
    status_callback_url: str | None = None
    api_url: str = TWILIO_API
    timeout: float = 10.0
    name: str = "twilio"

    @property
    def messages_url(self) -> str:
        return f"{self.api_url.rstrip('/')}/2010-04-01/Accounts/{self.account_sid}/Messages.json"

    async def send(self, session: aiohttp.ClientSession | None, to: str, body: str) -> SmsOutcome:
        form = {"To": to, "Body": body}
        form["MessagingServiceSid" if self.sender.startswith("MG") else "From"] = self.sender
        if self.status_callback_url:
            form["StatusCallback"] = self.status_callback_url
        own = session is None
        client = session or aiohttp.ClientSession()
        try:
            async with client.post(
                self.messages_url,
                data=form,
                auth=aiohttp.BasicAuth(self.account_sid, self.auth_token),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            ) as response:
                answer: dict[str, Any] = {}
                try:
                    answer = await response.json(content_type=None)
                except ValueError:
                    answer = {}
                return _outcome(response.status, answer)
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            return SmsOutcome(SendResult.retry, error=f"{type(exc).__name__}: {exc}")
        finally:
            if own:
                await client.close()


def _outcome(status: int, answer: Mapping[str, Any]) -> SmsOutcome:
    if status in (200, 201) and answer.get("sid"):
        ours = TWILIO_STATUS.get(str(answer.get("status", "queued")), "queued")
        return SmsOutcome(SendResult.accepted, str(answer["sid"]), ours)
    error = f"HTTP {status}: {answer.get('code', '')} {answer.get('message', '')}".strip()
    if status == 429 or status >= 500 or status in (401, 403):
        # 401/403: credentials being rotated or a suspended account; worth
        # retrying while an operator fixes it, and loud in the log.
        return SmsOutcome(SendResult.retry, error=error)
    return SmsOutcome(SendResult.failed, error=error)


def build_sms(settings: SmsSettings, *, production: bool) -> SmsTransport:
    sid, token, sender = settings.account_sid, settings.auth_token, settings.sender
    if not (sid and token and sender):
        if production:
            log.error("SKOLEBRO_SMS_* is not set: no SMS can be sent; cases record every text as failed")
            return LogSms(counts_as_sent=False)
        log.warning("SKOLEBRO_SMS_* is not set: SMS are only logged (and still recorded on the case)")
        return LogSms()
    return TwilioSms(
        account_sid=sid,
        auth_token=token,
        sender=sender,
        status_callback_url=settings.status_callback_url,
        api_url=settings.api_url or TWILIO_API,
    )


__all__ = [
    "TWILIO_STATUS",
    "LogSms",
    "SendResult",
    "SmsOutcome",
    "SmsTransport",
    "TwilioSms",
    "build_sms",
    "number_hint",
    "twilio_signature",
    "valid_twilio_signature",
]
