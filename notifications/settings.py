"""Settings of the channels that reach people: push (FCM), SMS (Twilio) and e-mail (SMTP).

Plain dataclasses; ``metadata={"env": ...}`` names the environment variable that sets a
field (read by ``backend/lib/config.py``; ``notifications`` does not import ``backend``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class PushSettings:
    # "log" says pushes are only logged on purpose
    mode: str = field(default="", metadata={"env": "SKOLEBRO_PUSH"})
    fcm_credentials: str | None = field(default=None, metadata={"env": "SKOLEBRO_FCM_CREDENTIALS"})
    # a local FCM stand-in (tests, benchmarks), and the CA its certificate is signed by
    fcm_endpoint: str | None = field(default=None, metadata={"env": "SKOLEBRO_FCM_ENDPOINT"})
    fcm_ca_file: str | None = field(default=None, metadata={"env": "SKOLEBRO_FCM_CA_FILE"})
    # Messages per FCM chunk, and being sent at once by one dispatcher; the second is also
    # how many already-accepted pushes a killed dispatcher may send twice (README).
    chunk_size: int = field(default=50, metadata={"env": "SKOLEBRO_PUSH_CHUNK_SIZE", "parse": int})
    in_flight: int = field(default=100, metadata={"env": "SKOLEBRO_PUSH_IN_FLIGHT", "parse": int})
    # Web Push (RFC 8292): the P-256 signing key, PEM or base64url (32-byte raw or DER), or a
    # path to a PEM file; unset: dev and test generate one into the data folder, production
    # has no Web Push. The subject is who the push services may contact (mailto: or https:).
    vapid_private_key: str | None = field(default=None, metadata={"env": "SKOLEBRO_VAPID_PRIVATE_KEY"})
    vapid_subject: str = field(
        default="mailto:drift@skolebro.invalid", metadata={"env": "SKOLEBRO_VAPID_SUBJECT"}
    )


@dataclass(frozen=True, slots=True)
class SmsSettings:
    """Twilio's Messaging API (README: Reaching guardians)."""

    account_sid: str | None = field(default=None, metadata={"env": "SKOLEBRO_SMS_ACCOUNT_SID"})
    auth_token: str | None = field(default=None, metadata={"env": "SKOLEBRO_SMS_AUTH_TOKEN"})
    sender: str | None = field(default=None, metadata={"env": "SKOLEBRO_SMS_FROM"})
    # this service's /hooks/sms/twilio as Twilio calls it
    status_callback_url: str | None = field(
        default=None, metadata={"env": "SKOLEBRO_SMS_STATUS_CALLBACK_URL"}
    )
    # a local stand-in of api.twilio.com (tests, benchmarks)
    api_url: str | None = field(default=None, metadata={"env": "SKOLEBRO_SMS_API_URL"})


@dataclass(frozen=True, slots=True)
class MailSettings:
    """An SMTP server (README: Reaching guardians)."""

    smtp_url: str | None = field(default=None, metadata={"env": "SKOLEBRO_SMTP_URL"})
    sender: str | None = field(default=None, metadata={"env": "SKOLEBRO_MAIL_FROM"})
    # the CA a test SMTP server's certificate is signed by
    smtp_ca_file: str | None = field(default=None, metadata={"env": "SKOLEBRO_SMTP_CA_FILE"})
