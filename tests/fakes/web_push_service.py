"""A Web Push service (what a browser vendor runs) on 127.0.0.1, for tests.

It plays both ends a real one hides: it makes subscriptions as a browser
would (a P-256 key pair and a 16-byte auth secret per subscription, the
endpoint ``http://127.0.0.1:<port>/push/<id>``), and it accepts pushes to
them only as RFC 8030/8291/8292 say:

- ``Authorization: vapid t=<JWT>, k=<key>``: the JWT must be ES256-signed by
  the key ``k``, with ``aud`` this service's origin, ``exp`` in the future
  and at most 24 hours away, and a ``sub`` (else 401/403);
- a ``TTL`` header (else 400), ``Content-Encoding: aes128gcm``;
- a body that decrypts with the subscription's private key and auth secret
  (else 400).

What each accepted push said is kept, decrypted, in ``received()``. Answers
can be scripted per subscription (``script(sub, 410)``, ``script(sub, 503,
201)``...): used up first, after the checks. Unknown subscriptions get 404.
``with FakeWebPushService() as service:`` serves from a thread with its own
event loop.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import http_ece
import jwt
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from multidict import CIMultiDict


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Subscription:
    id: str
    endpoint: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @property
    def p256dh(self) -> str:
        return _b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def as_json(self) -> dict[str, Any]:
        """What ``PushSubscription.toJSON()`` gives in a browser."""
        return {
            "endpoint": self.endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": _b64url(self.auth)},
        }


@dataclass
class Received:
    subscription_id: str
    status: int
    headers: CIMultiDict[str]  # as sent, any case
    claims: dict[str, Any] = field(default_factory=dict)
    vapid_key: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    error: str = ""


class FakeWebPushService:
    def __init__(self) -> None:
        self._subscriptions: dict[str, Subscription] = {}
        self._scripts: dict[str, deque[int]] = {}
        self._received: list[Received] = []
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- control -------------------------------------------------------------

    def subscribe(self) -> Subscription:
        sub_id = uuid.uuid4().hex
        sub = Subscription(
            sub_id, f"{self.origin}/push/{sub_id}", ec.generate_private_key(ec.SECP256R1()), os.urandom(16)
        )
        with self._lock:
            self._subscriptions[sub_id] = sub
        return sub

    def script(self, sub: Subscription, *statuses: int) -> None:
        with self._lock:
            self._scripts.setdefault(sub.id, deque()).extend(statuses)

    def received(self, sub: Subscription | None = None, *, delivered_only: bool = True) -> list[Received]:
        with self._lock:
            return [
                r
                for r in self._received
                if (sub is None or r.subscription_id == sub.id) and (not delivered_only or r.status == 201)
            ]

    def reset(self) -> None:
        with self._lock:
            self._subscriptions.clear()
            self._scripts.clear()
            self._received.clear()

    # --- the service ---------------------------------------------------------

    def _check_vapid(self, header: str) -> tuple[dict[str, Any], str]:
        scheme, _, params = header.partition(" ")
        if scheme.lower() != "vapid":
            raise PermissionError(401, "not a vapid authorization")
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        if "t" not in parts or "k" not in parts:
            raise PermissionError(401, "vapid needs t= and k=")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _b64url_decode(parts["k"]))
        try:
            claims: dict[str, Any] = jwt.decode(
                parts["t"],
                key=public,
                algorithms=["ES256"],
                audience=self.origin,
                options={"require": ["exp", "aud", "sub"]},
            )
        except jwt.PyJWTError as exc:
            raise PermissionError(403, f"bad VAPID JWT: {exc}") from exc
        if claims["exp"] - time.time() > 24 * 3600:
            raise PermissionError(403, "VAPID exp more than 24 hours ahead")
        if not str(claims["sub"]).startswith(("mailto:", "https:")):
            raise PermissionError(403, "VAPID sub must be mailto: or https:")
        return claims, parts["k"]

    async def _push(self, request: web.Request) -> web.Response:
        sub_id = request.match_info["sub"]
        headers = CIMultiDict(request.headers)
        body = await request.read()
        with self._lock:
            sub = self._subscriptions.get(sub_id)
        if sub is None:
            return self._record(Received(sub_id, 404, headers, error="no such subscription"))
        try:
            claims, key = self._check_vapid(request.headers.get("Authorization", ""))
        except PermissionError as exc:
            status, why = exc.args
            return self._record(Received(sub_id, status, headers, error=why))
        except ValueError as exc:
            return self._record(Received(sub_id, 401, headers, error=f"bad k=: {exc}"))
        if "TTL" not in request.headers:
            return self._record(Received(sub_id, 400, headers, claims, key, error="TTL missing"))
        if request.headers.get("Content-Encoding") != "aes128gcm":
            return self._record(Received(sub_id, 400, headers, claims, key, error="not aes128gcm"))
        try:
            plain = http_ece.decrypt(
                body, private_key=sub.private_key, auth_secret=sub.auth, version="aes128gcm"
            )
            payload = json.loads(plain)
        except Exception as exc:
            return self._record(Received(sub_id, 400, headers, claims, key, error=f"cannot decrypt: {exc}"))
        with self._lock:
            script = self._scripts.get(sub_id)
            status = script.popleft() if script else 201
        return self._record(Received(sub_id, status, headers, claims, key, payload))

    def _record(self, received: Received) -> web.Response:
        with self._lock:
            self._received.append(received)
        extra = {"Retry-After": "30"} if received.status == 429 else {}
        if received.status == 201:
            extra["Location"] = f"{self.origin}/message/{uuid.uuid4().hex}"
        return web.Response(status=received.status, text=received.error, headers=extra)

    # --- running -------------------------------------------------------------

    def __enter__(self) -> FakeWebPushService:
        started = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            app = web.Application()
            app.router.add_post("/push/{sub}", self._push)
            self._runner = web.AppRunner(app, access_log=None)
            loop.run_until_complete(self._runner.setup())
            site = web.TCPSite(self._runner, "127.0.0.1", 0)
            loop.run_until_complete(site.start())
            server = site._server
            assert server is not None
            self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            started.set()
            loop.run_forever()
            loop.run_until_complete(self._runner.cleanup())
            loop.close()

        self._thread = threading.Thread(target=run, name="fake-web-push", daemon=True)
        self._thread.start()
        if not started.wait(10):
            raise RuntimeError("the fake Web Push service did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(5)
