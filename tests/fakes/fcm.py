"""A stand-in for Firebase Cloud Messaging on 127.0.0.1, for tests and benchmarks.

It speaks what the real service speaks, so the real firebase-admin runs
against it unchanged:

- ``POST /v1/projects/{project}/messages:send`` over **HTTP/2 with TLS**
  (hypercorn, a throwaway CA and certificate made with ``cryptography``),
  FCM v1 request and response shapes; errors are ``google.rpc.Status``
  documents with the FCM error detail
  (``type.googleapis.com/google.firebase.fcm.v1.FcmError``) and, for 429,
  a ``Retry-After`` header.
- ``POST /token``: the OAuth 2.0 JWT-bearer grant a service account uses.
  The assertion's signature is checked against the service account's key,
  and FCM calls must carry an access token issued here.

Behaviour is chosen per registration token: by prefix (``unregistered-``,
``invalid-``, ``badmessage-``, ``ratelimit-``, ``unavailable-``,
``internal-``; anything else succeeds) or by a script of answers queued with
``script(token, ...)`` that is used up first. Every request is recorded.

In-process (tests): ``with FakeFCM() as fcm: ...`` serves from a thread with
its own event loop. As a process (benchmarks): ``python -m tests.fakes.fcm``
prints one JSON line describing itself and serves until killed;
``GET /_stats`` answers counts.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import ipaddress
import json
import logging
import os
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

FCM_ERROR_TYPE = "type.googleapis.com/google.firebase.fcm.v1.FcmError"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"

# errorCode -> (HTTP status, google.rpc status, message)
ERRORS: dict[str, tuple[int, str, str]] = {
    "UNREGISTERED": (404, "NOT_FOUND", "Requested entity was not found."),
    "INVALID_ARGUMENT": (
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
    ),
    "INVALID_MESSAGE": (
        400,
        "INVALID_ARGUMENT",
        "Invalid value at 'message.data' (type.googleapis.com/google.firebase.fcm"
        ".v1.Message.DataEntry.value)",
    ),
    "QUOTA_EXCEEDED": (429, "RESOURCE_EXHAUSTED", "Quota exceeded for quota metric"),
    "UNAVAILABLE": (503, "UNAVAILABLE", "The service is currently unavailable."),
    "INTERNAL": (500, "INTERNAL", "Internal error encountered."),
}

PREFIXES = {
    "unregistered-": "UNREGISTERED",
    "invalid-": "INVALID_ARGUMENT",
    "badmessage-": "INVALID_MESSAGE",
    "ratelimit-": "QUOTA_EXCEEDED",
    "unavailable-": "UNAVAILABLE",
    "internal-": "INTERNAL",
}


@dataclass
class Received:
    """One messages:send request as the server saw it."""

    token: str
    message: dict[str, Any]
    answer: str  # "ok" or the FCM errorCode answered
    at: float
    http_version: str


def _tls_material(folder: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it."""
    now = dt.datetime.now(dt.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Skolebro test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                key_cert_sign=True,
                crl_sign=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_file.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return ca_file, cert_file, key_file


def _listening_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


@dataclass
class FakeFCM:
    project: str = "skolebro-test"
    token_lifetime: int = 3600  # seconds an access token is valid
    retry_after: int = 30  # seconds in Retry-After on 429
    latency: float = 0.0  # seconds before each messages:send answer
    token_latency: float = 0.0  # seconds before each /token answer
    record: bool = True  # keep every Received (off for big benchmarks)
    requests: list[Received] = field(default_factory=list)
    token_requests: list[float] = field(default_factory=list)
    sent: Counter[str] = field(default_factory=Counter)  # token -> successful sends
    answers: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="fake-fcm-")
        folder = Path(self._dir.name)
        self.ca_file, self._cert_file, self._key_file = (str(p) for p in _tls_material(folder))
        self._sa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.client_email = f"firebase-adminsdk@{self.project}.iam.gserviceaccount.com"
        self._scripts: dict[str, deque[str]] = {}
        self._issued: dict[str, float] = {}
        self._lock = threading.Lock()
        self._tls_sock = _listening_socket()
        self._plain_sock = _listening_socket()
        self.port = self._tls_sock.getsockname()[1]
        self.plain_port = self._plain_sock.getsockname()[1]
        self.endpoint = f"https://127.0.0.1:{self.port}"
        self.token_uri = f"http://127.0.0.1:{self.plain_port}/token"
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self.paused = threading.Event()  # set: hold every answer until cleared
        self.first_send = threading.Event()  # set when a messages:send arrives

    # --- configuration ---------------------------------------------------------

    def service_account(self, path: str | Path | None = None) -> str:
        """Write a service-account JSON whose token_uri is this server; return its path."""
        target = Path(path) if path else Path(self._dir.name) / "service-account.json"
        pem = self._sa_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        target.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": self.project,
                    "private_key_id": uuid.uuid4().hex,
                    "private_key": pem,
                    "client_email": self.client_email,
                    "client_id": "1234567890",
                    "auth_uri": "https://accounts.google.com/o/oauth2/auth",
                    "token_uri": self.token_uri,
                }
            )
        )
        return str(target)

    def script(self, token: str, *answers: str) -> None:
        """Answer the next sends to ``token`` with these ("ok" or an FCM errorCode)."""
        for answer in answers:
            if answer != "ok" and answer not in ERRORS:
                raise ValueError(f"unknown answer {answer!r}")
        with self._lock:
            self._scripts.setdefault(token, deque()).extend(answers)

    def reset(self) -> None:
        """Forget everything seen and scripted (one server serves many tests)."""
        with self._lock:
            self.requests.clear()
            self.token_requests.clear()
            self.sent.clear()
            self.answers.clear()
            self._scripts.clear()
        self.paused.clear()
        self.first_send.clear()
        self.latency = self.token_latency = 0.0
        self.token_lifetime = 3600
        self.retry_after = 30

    def received(self, token: str | None = None) -> list[Received]:
        with self._lock:
            return [r for r in self.requests if token is None or r.token == token]

    def delivered(self, token: str) -> int:
        return self.sent[token]

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FakeFCM:
        self._thread = threading.Thread(target=self._serve, name="fake-fcm", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake FCM server did not start")
        return self

    def close(self) -> None:
        self.paused.clear()
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)
        self._dir.cleanup()

    def __enter__(self) -> FakeFCM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _config(self) -> Any:
        from hypercorn.config import Config

        config = Config()
        config.bind = [f"fd://{self._tls_sock.fileno()}"]
        config.insecure_bind = [f"fd://{self._plain_sock.fileno()}"]
        config.certfile = self._cert_file
        config.keyfile = self._key_file
        config.alpn_protocols = ["h2", "http/1.1"]
        config.accesslog = None
        config.errorlog = logging.getLogger("fake-fcm")
        config.keep_alive_timeout = 60
        # hypercorn closes a connection (GOAWAY) after 1,000 requests by
        # default, which FCM does not do that often; it would make every
        # benchmark run mostly about reconnecting.
        config.keep_alive_max_requests = 10**9
        return config

    def _serve(self) -> None:
        from hypercorn.asyncio import serve

        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        self._stop = asyncio.Event()
        loop.call_soon(self._ready.set)
        try:
            loop.run_until_complete(
                serve(self._app, self._config(), shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]
            )
        finally:
            loop.close()

    async def serve_here(self) -> None:
        """Serve in the current event loop until cancelled (the separate-process mode)."""
        from hypercorn.asyncio import serve

        self._stop = asyncio.Event()
        await serve(self._app, self._config(), shutdown_trigger=self._stop.wait)  # type: ignore[arg-type]

    async def serve_http1_here(self) -> None:
        """Serve HTTP/1.1 only, through uvicorn (httptools), until cancelled.

        hypercorn's pure-Python HTTP/1.1 answers about 1,800 sends/s here, less than a
        dispatcher sends: a benchmark against it measures the fake. The dispatcher's
        default transport speaks HTTP/1.1, so its throughput benchmark uses this.
        """
        import uvicorn

        def server(sock: socket.socket, tls: bool) -> tuple[uvicorn.Server, socket.socket]:
            config = uvicorn.Config(
                self._app,
                http="httptools",
                interface="asgi3",
                proxy_headers=False,
                loop="none",
                lifespan="off",
                access_log=False,
                log_level="warning",
                timeout_keep_alive=60,
                ssl_certfile=self._cert_file if tls else None,
                ssl_keyfile=self._key_file if tls else None,
            )
            return uvicorn.Server(config), sock

        servers = [server(self._tls_sock, True), server(self._plain_sock, False)]
        await asyncio.gather(*(s.serve(sockets=[sock]) for s, sock in servers))

    # --- HTTP ------------------------------------------------------------------

    async def _app(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                event = await receive()
                if event["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif event["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        path, method = scope["path"], scope["method"]
        if method == "POST" and path == "/token":
            status, headers, payload = await self._token(body)
        elif method == "POST" and path.startswith("/v1/projects/") and path.endswith("/messages:send"):
            status, headers, payload = await self._send(scope, path, body)
        elif method == "GET" and path == "/_stats":
            status, headers, payload = (
                200,
                {},
                {
                    "requests": sum(self.answers.values()),
                    "answers": dict(self.answers),
                    "delivered": sum(self.sent.values()),
                    "tokens": len(self.sent),
                    "duplicates": sum(n - 1 for n in self.sent.values() if n > 1),
                },
            )
        else:
            status, headers, payload = (
                404,
                {},
                {"error": {"code": 404, "status": "NOT_FOUND", "message": "no such endpoint"}},
            )
        raw = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json; charset=UTF-8"),
                    (b"content-length", str(len(raw)).encode()),
                    *((k.encode(), v.encode()) for k, v in headers.items()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": raw})

    async def _token(self, body: bytes) -> tuple[int, dict[str, str], dict[str, Any]]:
        if self.token_latency:
            await asyncio.sleep(self.token_latency)
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        if form.get("grant_type") != JWT_BEARER or "assertion" not in form:
            return 400, {}, {"error": "unsupported_grant_type"}
        try:
            # google-auth always addresses Google's token endpoint in the
            # assertion, whatever token_uri it posts it to.
            claims = jwt.decode(
                form["assertion"],
                self._sa_key.public_key(),
                algorithms=["RS256"],
                audience=[GOOGLE_TOKEN_AUDIENCE, self.token_uri],
            )
        except jwt.PyJWTError as exc:
            return 400, {}, {"error": "invalid_grant", "error_description": str(exc)}
        if claims.get("iss") != self.client_email:
            return 400, {}, {"error": "invalid_grant", "error_description": "wrong issuer"}
        access = f"ya29.fake-{uuid.uuid4().hex}"
        with self._lock:
            self._issued[access] = time.time() + self.token_lifetime
            self.token_requests.append(time.time())
        return 200, {}, {"access_token": access, "expires_in": self.token_lifetime, "token_type": "Bearer"}

    def _authorised(self, scope: dict[str, Any]) -> bool:
        for name, value in scope["headers"]:
            if name == b"authorization":
                token = value.decode().removeprefix("Bearer ")
                expires = self._issued.get(token)
                return expires is not None and expires > time.time()
        return False

    async def _send(
        self, scope: dict[str, Any], path: str, body: bytes
    ) -> tuple[int, dict[str, str], dict[str, Any]]:
        project = path.split("/")[3]
        if not self._authorised(scope):
            return _error(401, "UNAUTHENTICATED", "Request had invalid authentication credentials.", None)
        if project != self.project:
            return _error(403, "PERMISSION_DENIED", "Permission denied on the project.", "SENDER_ID_MISMATCH")
        try:
            message = json.loads(body)["message"]
            token = message["token"]
        except (ValueError, KeyError, TypeError):
            return _error(
                400, "INVALID_ARGUMENT", "Request contains an invalid argument.", "INVALID_ARGUMENT"
            )
        self.first_send.set()
        if self.latency:
            await asyncio.sleep(self.latency)
        # The test thread sets a threading.Event; poll it from this loop.
        while self.paused.is_set():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        with self._lock:
            script = self._scripts.get(token)
            answer = script.popleft() if script else None
        if answer is None:
            answer = next((code for prefix, code in PREFIXES.items() if token.startswith(prefix)), "ok")
        data = message.get("data", {})
        if answer == "ok" and not all(isinstance(v, str) for v in data.values()):
            answer = "INVALID_MESSAGE"  # FCM refuses data values that are not strings
        with self._lock:
            self.answers[answer] += 1
            if self.record:
                self.requests.append(
                    Received(token, message, answer, time.time(), scope.get("http_version", ""))
                )
            if answer == "ok":
                self.sent[token] += 1
        if answer == "ok":
            return 200, {}, {"name": f"projects/{self.project}/messages/{uuid.uuid4().int}"}
        status, rpc, text = ERRORS[answer]
        headers = {"retry-after": str(self.retry_after)} if status == 429 else {}
        code, payload = _error(status, rpc, text, answer.replace("INVALID_MESSAGE", "INVALID_ARGUMENT"))[::2]
        if answer == "INVALID_ARGUMENT":
            payload["error"]["details"].append(
                {
                    "@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [
                        {"field": "message.token", "description": "Invalid registration token"}
                    ],
                }
            )
        return code, headers, payload


def _error(
    status: int, rpc: str, message: str, fcm_code: str | None
) -> tuple[int, dict[str, str], dict[str, Any]]:
    details = [{"@type": FCM_ERROR_TYPE, "errorCode": fcm_code}] if fcm_code else []
    return status, {}, {"error": {"code": status, "message": message, "status": rpc, "details": details}}


def main() -> None:
    """Serve in this process; print where to reach it as one JSON line."""
    parser = argparse.ArgumentParser(description="fake FCM server (HTTP/2 over TLS)")
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument(
        "--server",
        choices=["hypercorn", "uvicorn"],
        default="hypercorn",
        help="hypercorn: HTTP/2 and HTTP/1.1 as FCM speaks; uvicorn: HTTP/1.1 only, faster",
    )
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    fake = FakeFCM(latency=args.latency, record=False)
    sa = fake.service_account()
    print(
        json.dumps(
            {
                "endpoint": fake.endpoint,
                "token_uri": fake.token_uri,
                "ca_file": fake.ca_file,
                "service_account": sa,
                "project": fake.project,
                "pid": os.getpid(),
            }
        ),
        flush=True,
    )
    try:
        asyncio.run(fake.serve_http1_here() if args.server == "uvicorn" else fake.serve_here())
    except KeyboardInterrupt:
        pass
    finally:
        fake._dir.cleanup()
    sys.exit(0)


if __name__ == "__main__":
    main()
