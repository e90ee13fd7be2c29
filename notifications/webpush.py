"""Web Push beside FCM: browsers get the same pushes as the app (api.md: Web pages).

A browser's subscription is a device with ``platform = 'webpush'``: its
endpoint (the device's ``token``) and the keys ``p256dh``/``auth`` the
payload is encrypted to. Each push is one POST to the endpoint carrying

- ``Authorization: vapid t=<JWT>, k=<public key>`` (RFC 8292): an ES256 JWT
  with ``aud`` the endpoint's origin, ``exp`` 12 hours ahead and ``sub`` who
  the push service may contact, signed by the service's VAPID key;
- ``TTL`` and ``Urgency`` (RFC 8030), and ``Topic`` when a newer push about
  the same thing should replace one still waiting;
- an ``aes128gcm`` body (RFC 8291/8188): the same title and body as the
  FCM push (so never a health reason or a message body), the ids in
  ``data`` and the portal page to open.

pywebpush encrypts and posts (its aiohttp path ``send_async``, so no request
blocks the event loop; the encryption itself is one ECDH and one AES-GCM,
well under a millisecond); py_vapid signs, and a signed header is reused per
push service origin until an hour before it expires.

Answers: 201/202 sent; 404/410 the subscription is gone (the device is
removed at once, as for FCM's UNREGISTERED); 429 waits ``Retry-After``; 5xx,
401 and network errors are retried with backoff; anything else fails the
push.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import logging
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from notifications.transports import (
    Outcome,
    PushMessage,
    Result,
    Transport,
    _parse_retry_after,
    _webpush_topic,
)

log = logging.getLogger("skolebro.push")

PLATFORM = "webpush"
# A signed VAPID header lives this long, and is renewed this long before it ends.
VAPID_LIFETIME = 12 * 3600
VAPID_RENEW_BEFORE = 3600


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the VAPID key -----------------------------------------------------------


@dataclass(frozen=True)
class VapidKey:
    """The service's P-256 VAPID key pair."""

    private: ec.EllipticCurvePrivateKey

    @property
    def public_key(self) -> str:
        """The public key, uncompressed point in base64url: ``applicationServerKey`` in the browser."""
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(raw)

    def pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )


def parse_vapid_key(value: str) -> VapidKey:
    """A VAPID private key given as PEM text, a PEM file's path, or base64url (32-byte raw or DER)."""
    text = value.strip()
    if not text.startswith("-----") and len(text) < 1024 and Path(text).is_file():
        text = Path(text).read_text().strip()
    try:
        if text.startswith("-----"):
            key: Any = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            raw = b64url_decode(text)
            if len(raw) == 32:
                key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
            else:
                key = serialization.load_der_private_key(raw, password=None)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise ValueError(f"not a private key ({exc})") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("a VAPID key must be an EC P-256 (prime256v1) private key")
    return VapidKey(key)


def generate_vapid_key() -> VapidKey:
    return VapidKey(ec.generate_private_key(ec.SECP256R1()))


def load_vapid_key(value: str | None, *, production: bool, data_dir: Path) -> VapidKey | None:
    """The configured key; in dev and test one generated into ``data_dir`` the first time.

    Production without ``SKOLEBRO_VAPID_PRIVATE_KEY`` has no Web Push (a key
    that changed would silently orphan every browser's subscription, so it
    is never made up there).
    """
    if value:
        return parse_vapid_key(value)
    if production:
        return None
    path = data_dir / "vapid-key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process of this checkout made it meanwhile
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(generate_vapid_key().pem())
            log.info("generated a development VAPID key in %s", path)
    return parse_vapid_key(path.read_text())


# --- subscriptions -----------------------------------------------------------


def endpoint_allowed(endpoint: str, *, allow_loopback_http: bool) -> bool:
    """An https endpoint; plain http only to 127.0.0.1 and only when allowed (dev, test)."""
    try:
        url = urlsplit(endpoint)
        port = url.port  # raises for a port that is not a number
    except ValueError:
        return False
    del port
    if not url.hostname or url.username or url.password or len(endpoint) > 2048:
        return False
    if url.scheme == "https":
        return True
    return allow_loopback_http and url.scheme == "http" and url.hostname == "127.0.0.1"


def keys_valid(p256dh: str, auth: str) -> bool:
    """``p256dh`` a P-256 public key (65-byte uncompressed point), ``auth`` 16 bytes, both base64url."""
    try:
        point = b64url_decode(p256dh)
        secret = b64url_decode(auth)
        if len(point) != 65 or point[0] != 4 or len(secret) != 16:
            return False
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except (ValueError, binascii.Error):
        return False
    return True


@dataclass(frozen=True)
class WebPushConfig:
    """What the API and the portal need to know of Web Push in this process."""

    key: VapidKey | None = None
    allow_loopback_http: bool = False


_current = WebPushConfig()


def configure(config: WebPushConfig) -> WebPushConfig:
    global _current
    _current = config
    return _current


def web_push() -> WebPushConfig:
    return _current


# --- the payload -------------------------------------------------------------


def open_url(data: Mapping[str, str]) -> str:
    """The portal page a click on the notification opens."""
    if data.get("case_id"):
        return f"/web/cases/{data['case_id']}"
    if data.get("thread_id"):
        return f"/web/threads/{data['thread_id']}"
    return "/web/inbox"


def payload(m: PushMessage) -> bytes:
    """What the service worker shows: the inbox item's title and body (as FCM's), ids and a link."""
    return json.dumps(
        {"title": m.title, "body": m.body, "urgent": m.urgent, "url": open_url(m.data), "data": m.data},
        separators=(",", ":"),
        ensure_ascii=False,
    ).encode()


def _outcome(status: int, text: str, retry_after: str | None) -> Outcome:
    error = f"{status}: {text[:200]}".strip()
    if status in (200, 201, 202):
        return Outcome(Result.sent)
    if status in (404, 410):
        return Outcome(Result.token_gone, error)
    if status == 429:
        return Outcome(Result.rate_limited, error, _parse_retry_after(retry_after))
    if status >= 500 or status == 401:
        # Server trouble, or a VAPID JWT refused for its time: retry with backoff.
        return Outcome(Result.retry, error)
    return Outcome(Result.failed, error)


# --- the transport -----------------------------------------------------------


@dataclass
class WebPushTransport:
    """Posts each push to its subscription's endpoint (pywebpush over aiohttp)."""

    key: VapidKey
    subject: str
    timeout: float = 10.0
    max_connections: int = 100
    name: str = "webpush"
    _session: Any = field(init=False, default=None)
    _signed: dict[str, tuple[float, dict[str, str]]] = field(init=False, default_factory=dict)
    _vapid: Any = field(init=False, default=None)

    def __post_init__(self) -> None:
        from py_vapid import Vapid02

        self._vapid = Vapid02(self.key.private)

    def _authorization(self, endpoint: str) -> dict[str, str]:
        url = urlsplit(endpoint)
        audience = f"{url.scheme}://{url.netloc}"
        now = time.time()
        cached = self._signed.get(audience)
        if cached is not None and cached[0] - VAPID_RENEW_BEFORE > now:
            return cached[1]
        expires = int(now) + VAPID_LIFETIME
        headers: dict[str, str] = self._vapid.sign({"sub": self.subject, "aud": audience, "exp": expires})
        # py_vapid writes "t=…,k=…"; RFC 8292's own examples put a space after the comma.
        headers = {"Authorization": headers["Authorization"].replace(",k=", ", k=")}
        self._signed[audience] = (float(expires), headers)
        return headers

    async def prepare(self) -> None:
        return None

    def _http_session(self) -> Any:
        import aiohttp

        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.max_connections, ttl_dns_cache=300),
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
        return self._session

    async def send(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        if not messages:
            return []
        return list(await asyncio.gather(*(self._one(m) for m in messages)))

    async def _one(self, m: PushMessage) -> Outcome:
        import aiohttp
        from pywebpush import WebPusher, WebPushException

        if not m.p256dh or not m.auth:
            return Outcome(Result.token_gone, "the subscription has no keys")
        headers = {
            **self._authorization(m.token),
            "Urgency": "high" if m.urgent else "normal",
        }
        if m.collapse_key:
            headers["Topic"] = _webpush_topic(m.collapse_key)
        try:
            pusher = WebPusher(
                {"endpoint": m.token, "keys": {"p256dh": m.p256dh, "auth": m.auth}},
                aiohttp_session=self._http_session(),
            )
            response = await pusher.send_async(
                payload(m),
                headers,
                ttl=int(m.ttl.total_seconds()),
                content_encoding="aes128gcm",
                timeout=aiohttp.ClientTimeout(total=self.timeout),
            )
            text = await response.text()
            return _outcome(response.status, text, response.headers.get("Retry-After"))
        except (WebPushException, ValueError, binascii.Error) as exc:
            # A subscription whose keys cannot be used will never work.
            return Outcome(Result.token_gone, f"unusable subscription: {exc}")
        except (OSError, TimeoutError) as exc:
            return Outcome(Result.retry, f"{type(exc).__name__}: {exc}")
        except Exception as exc:  # aiohttp.ClientError and the like: worth another try
            return Outcome(Result.retry, f"{type(exc).__name__}: {exc}")

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


@dataclass
class PushRouter:
    """One transport for the dispatcher: Web Push subscriptions to ``web``, the rest to ``app``."""

    app: Transport
    web: Transport
    name: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.name = f"{self.app.name}+{self.web.name}"

    async def prepare(self) -> None:
        await self.app.prepare()
        await self.web.prepare()

    async def send(self, messages: Sequence[PushMessage]) -> list[Outcome]:
        to_web = [i for i, m in enumerate(messages) if m.platform == PLATFORM]
        web_set = set(to_web)
        to_app = [i for i in range(len(messages)) if i not in web_set]
        app_out, web_out = await asyncio.gather(
            self.app.send([messages[i] for i in to_app]) if to_app else _none(),
            self.web.send([messages[i] for i in to_web]) if to_web else _none(),
        )
        outcomes: list[Outcome | None] = [None] * len(messages)
        for i, o in zip(to_app, app_out, strict=True):
            outcomes[i] = o
        for i, o in zip(to_web, web_out, strict=True):
            outcomes[i] = o
        return [o if o is not None else Outcome(Result.retry, "no outcome") for o in outcomes]

    async def close(self) -> None:
        await self.app.close()
        await self.web.close()


async def _none() -> list[Outcome]:
    return []


def with_web_push(app: Transport, key: VapidKey | None, subject: str, *, log_only: bool) -> Transport:
    """The dispatcher's transport: ``app`` (FCM or log) and Web Push beside it.

    Without a VAPID key (production without one), or when pushes are only
    logged, Web Push subscriptions get the log transport too.
    """
    from notifications.transports import LogTransport

    if key is None or log_only:
        return PushRouter(app, LogTransport())
    return PushRouter(app, WebPushTransport(key, subject))
