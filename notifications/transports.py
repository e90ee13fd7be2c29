"""How pushes leave the building: FCM, or only a log line.

``fcm`` is used when ``SKOLEBRO_FCM_CREDENTIALS`` names a service-account
JSON; ``log`` otherwise (development: the inbox still gets everything).

The FCM transport speaks FCM HTTP v1, one request per message:
firebase-admin builds and encodes each message and holds the credentials,
and our aiohttp pool of HTTP/1.1 connections posts the JSON, because
firebase-admin's own ``send_each_async`` (httpx, HTTP/2) is the measured
throughput limit (README: Configuring FCM). Two more choices, each for a
measured or documented reason:

- The OAuth access token is refreshed in a worker thread before it runs out
  (``prepare``), because google-auth refreshes synchronously inside the
  request and would block the event loop for a network round trip.
- For tests and benchmarks, the FCM endpoint and the CA to trust can be
  pointed at a local stand-in (``SKOLEBRO_FCM_ENDPOINT``,
  ``SKOLEBRO_FCM_CA_FILE``); the OAuth endpoint is the service account's
  own ``token_uri``, which google-auth honours.

firebase-admin's private API is used only in ``notifications.fcm_encoding``.
"""

from __future__ import annotations

import asyncio
import email.utils
import hashlib
import json
import logging
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

import msgspec

from notifications import fcm_encoding
from notifications.settings import PushSettings

log = logging.getLogger("skolebro.push")


@dataclass(frozen=True, slots=True)
class PushMessage:
    """One push to one device, built from an inbox row (never from a message body)."""

    delivery_id: int
    token: str
    title: str
    body: str
    data: dict[str, str]
    urgent: bool
    collapse_key: str | None
    ttl: timedelta
    # The device's kind; a Web Push subscription's endpoint is ``token`` and these
    # are the keys its payload is encrypted to (notifications/webpush.py).
    platform: str = "android"
    p256dh: str | None = None
    auth: str | None = None


class Result(StrEnum):
    sent = "sent"
    retry = "retry"  # transient: UNAVAILABLE, INTERNAL, transport errors
    rate_limited = "rate_limited"  # 429 QUOTA_EXCEEDED; wait ``retry_after``
    token_gone = "token_gone"
    failed = "failed"  # permanent for this message; not retried


@dataclass(frozen=True, slots=True)
class Outcome:
    result: Result
    error: str | None = None
    retry_after: float | None = None


class Transport(Protocol):
    name: str

    async def prepare(self) -> None:
        """Make the next send not block (e.g. refresh credentials ahead of expiry)."""

    async def send(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        """Send up to 500 messages; one outcome per message, in order. Never raises."""

    async def close(self) -> None: ...


def token_hint(token: str) -> str:
    """Enough of a token to tell devices apart in logs, not enough to use it."""
    return f"…{token[-6:]}"


class LogTransport:
    """Development: every push is logged (kind and ids, never the token) and counts as sent."""

    name = "log"

    async def prepare(self) -> None:
        return None

    async def send(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        for m in messages:
            log.info(
                "push (log transport) %s to device %s%s: %s",
                m.data.get("kind"),
                token_hint(m.token),
                " urgent" if m.urgent else "",
                m.title,
            )
        return [Outcome(Result.sent) for _ in messages]

    async def close(self) -> None:
        return None


# --- FCM ---------------------------------------------------------------------

# Refresh this long before google-auth would itself consider the token stale
# (it refreshes synchronously 3 min 45 s before expiry).
_REFRESH_MARGIN = timedelta(minutes=5)


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _apns_collapse_id(key: str) -> str:
    # APNs allows 64 bytes; a longer key is hashed to stay stable per case.
    return key if len(key.encode()) <= 64 else hashlib.sha256(key.encode()).hexdigest()[:64]


def _webpush_topic(key: str) -> str:
    # Web Push topics are at most 32 URL-safe characters.
    return hashlib.sha256(key.encode()).hexdigest()[:32]


FCM_URL = "https://fcm.googleapis.com/v1/projects/{project}/messages:send"


@dataclass
class FcmTransport:
    """FCM HTTP v1: firebase-admin's encoding, posted by our aiohttp HTTP/1.1 pool (README: why)."""

    credentials_path: str
    endpoint: str | None = None
    ca_file: str | None = None
    timeout: float = 10.0
    max_connections: int = 100
    name: str = "fcm"
    _credential: Any = field(init=False, default=None)
    _auth_request: Any = field(init=False, default=None)
    _url: str = field(init=False, default="")
    _refresh_lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)
    _session: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        import google.auth.transport.requests
        import requests
        from firebase_admin import credentials

        certificate = credentials.Certificate(self.credentials_path)
        self._credential = certificate.get_credential()
        session = requests.Session()
        if self.ca_file:
            session.verify = self.ca_file
        self._auth_request = google.auth.transport.requests.Request(session=session)
        project = certificate.project_id
        if self.endpoint:
            self._url = f"{self.endpoint.rstrip('/')}/v1/projects/{project}/messages:send"
        else:
            self._url = FCM_URL.format(project=project)
        log.info(
            "FCM transport ready: project %s, endpoint %s", project, self.endpoint or "fcm.googleapis.com"
        )

    def _token_fresh(self) -> bool:
        cred = self._credential
        if cred.token is None or cred.expiry is None:
            return cred.token is not None
        expiry = cred.expiry.replace(tzinfo=UTC) if cred.expiry.tzinfo is None else cred.expiry
        return expiry - datetime.now(UTC) > _REFRESH_MARGIN

    async def prepare(self) -> None:
        if self._token_fresh():
            return
        async with self._refresh_lock:
            if self._token_fresh():
                return
            started = time.monotonic()
            await asyncio.to_thread(self._credential.refresh, self._auth_request)
            log.info(
                "FCM access token refreshed in %.0f ms (valid until %s)",
                (time.monotonic() - started) * 1000,
                self._credential.expiry,
            )

    def _http_session(self) -> Any:
        import aiohttp

        if self._session is None or self._session.closed:
            context = (
                ssl.create_default_context(cafile=self.ca_file)
                if self.ca_file
                else ssl.create_default_context()
            )
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections, ssl=context, ttl_dns_cache=300),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def send(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        """One FCM v1 ``messages:send`` request per message, all of the chunk at once.

        The body is exactly what firebase-admin would send (its own encoder);
        only the HTTP client differs. Every failure becomes an outcome; nothing raises.
        """
        if not messages:
            return []
        try:
            await self.prepare()
        except Exception as exc:  # google-auth's RefreshError and friends: try again later
            return [Outcome(Result.retry, f"{type(exc).__name__}: {exc}") for _ in messages]
        session = self._http_session()
        headers = {
            "Authorization": f"Bearer {self._credential.token}",
            "Content-Type": "application/json; charset=UTF-8",
            **fcm_encoding.request_headers(),
        }

        async def one(m: PushMessage) -> Outcome:
            try:
                # msgspec writes the same JSON as json.dumps, several times faster.
                body = msgspec.json.encode({"message": fcm_encoding.encode(_fcm_message(m))})
            except (ValueError, TypeError) as exc:
                return Outcome(Result.failed, f"message not encodable: {exc}")
            try:
                async with session.post(self._url, data=body, headers=headers) as response:
                    text = await response.read()
                    return _outcome(response.status, text, response.headers.get("Retry-After"))
            except (OSError, TimeoutError) as exc:
                return Outcome(Result.retry, f"{type(exc).__name__}: {exc}")
            except Exception as exc:  # aiohttp.ClientError and the like: worth another try
                return Outcome(Result.retry, f"{type(exc).__name__}: {exc}")

        return list(await asyncio.gather(*(one(m) for m in messages)))

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


def _fcm_message(m: PushMessage) -> Any:
    """The firebase-admin ``messaging.Message`` for one push."""
    from firebase_admin import messaging

    expires = int(time.time() + m.ttl.total_seconds())
    apns_headers = {
        "apns-priority": "10" if m.urgent else "5",
        "apns-expiration": str(expires),
        "apns-push-type": "alert",
    }
    webpush_headers = {
        "Urgency": "high" if m.urgent else "normal",
        "TTL": str(int(m.ttl.total_seconds())),
    }
    if m.collapse_key:
        apns_headers["apns-collapse-id"] = _apns_collapse_id(m.collapse_key)
        webpush_headers["Topic"] = _webpush_topic(m.collapse_key)
    aps = messaging.Aps(
        sound="default",
        # iOS shows a time-sensitive alert through Focus modes.
        custom_data={"interruption-level": "time-sensitive"} if m.urgent else None,
    )
    return messaging.Message(
        token=m.token,
        notification=messaging.Notification(title=m.title, body=m.body),
        data=m.data,
        android=messaging.AndroidConfig(
            priority="high" if m.urgent else "normal",
            ttl=m.ttl,
            collapse_key=m.collapse_key,
            notification=messaging.AndroidNotification(
                channel_id="urgent" if m.urgent else "default",
                tag=m.collapse_key,
            ),
        ),
        apns=messaging.APNSConfig(headers=apns_headers, payload=messaging.APNSPayload(aps=aps)),
        webpush=messaging.WebpushConfig(headers=webpush_headers),
    )


def _outcome(status: int, raw: bytes, retry_after: str | None) -> Outcome:
    """An FCM v1 answer as an outcome (``google.rpc.Status`` with the ``FcmError`` detail)."""
    if status == 200:
        return Outcome(Result.sent)
    try:
        error = json.loads(raw or b"{}").get("error", {}) or {}
    except (ValueError, AttributeError):
        error = {}
    fcm_code = next(
        (
            d.get("errorCode")
            for d in error.get("details", []) or []
            if str(d.get("@type", "")).endswith("google.firebase.fcm.v1.FcmError")
        ),
        None,
    )
    text = f"{fcm_code or error.get('status') or status}: {error.get('message', '')}".strip()
    if fcm_code in ("UNREGISTERED", "SENDER_ID_MISMATCH") or status == 404:
        return Outcome(Result.token_gone, text)
    if status == 429 or fcm_code == "QUOTA_EXCEEDED":
        return Outcome(Result.rate_limited, text, _parse_retry_after(retry_after))
    if status == 400 or fcm_code == "INVALID_ARGUMENT":
        blamed = (
            any(
                v.get("field") == "message.token"
                for d in error.get("details", []) or []
                for v in d.get("fieldViolations", []) or []
            )
            or "registration token" in str(error.get("message", "")).lower()
        )
        return Outcome(Result.token_gone if blamed else Result.failed, text)
    if (
        status in (401, 403)
        or status >= 500
        or fcm_code in ("UNAVAILABLE", "INTERNAL", "THIRD_PARTY_AUTH_ERROR")
    ):
        # Server trouble, or credentials being fixed: retry with backoff.
        return Outcome(Result.retry, text)
    return Outcome(Result.failed, text)


def build_transport(settings: PushSettings) -> Transport:
    """``fcm`` when ``SKOLEBRO_FCM_CREDENTIALS`` is set; ``log`` otherwise."""
    if not settings.fcm_credentials:
        log.warning("SKOLEBRO_FCM_CREDENTIALS is not set: pushes are only logged")
        return LogTransport()
    return FcmTransport(
        settings.fcm_credentials,
        endpoint=settings.fcm_endpoint,
        ca_file=settings.fcm_ca_file,
    )
