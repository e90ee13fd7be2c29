"""An OpenID Connect provider on 127.0.0.1 for the web portal's production sign-in.

Real HTTP: ``/authorize`` (signs in ``login_as`` at once and redirects back
with a code), ``/token`` (authorization code with PKCE S256 and client
authentication, one use per code) and ``/jwks``. It checks what a real
provider checks, so a client that skips PKCE, sends the wrong redirect URI
or reuses a code is refused here too.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class FakeOidcProvider:
    def __init__(
        self,
        *,
        client_id: str,
        client_secret: str,
        redirect_uri: str,
        subject_claim: str = "sub",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uri = redirect_uri
        self.subject_claim = subject_claim
        self.clock = clock
        self.login_as: str | None = None  # the person who signs in at /authorize
        self.wrong_nonce = False
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self._codes: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-oidc-1"
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        self._jwks = json.dumps({"keys": [jwk]}).encode()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                if url.path == "/jwks":
                    self._send(200, provider._jwks)
                elif url.path == "/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    status, location = provider._authorize(query)
                    self.send_response(status)
                    self.send_header("location", location)
                    self.send_header("content-length", "0")
                    self.end_headers()
                else:
                    self._send(404, b"{}")

            def do_POST(self) -> None:
                if urlsplit(self.path).path != "/token":
                    self._send(404, b"{}")
                    return
                length = int(self.headers.get("content-length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                status, body = provider._token(form, self.headers.get("authorization"))
                self._send(status, json.dumps(body).encode())

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.issuer = self.base
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def client_entry(self, name: str = "idporten", label: str = "ID-porten") -> dict[str, str]:
        """What SKOLEBRO_WEB_OIDC would hold for this provider."""
        return {
            "name": name,
            "label": label,
            "issuer": self.issuer,
            "authorize_url": f"{self.base}/authorize",
            "token_url": f"{self.base}/token",
            "jwks_url": f"{self.base}/jwks",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "redirect_uri": self.redirect_uri,
            "subject_claim": self.subject_claim,
        }

    def _authorize(self, q: dict[str, str]) -> tuple[int, str]:
        self.authorize_requests.append(q)
        if q.get("client_id") != self.client_id or q.get("redirect_uri") != self.redirect_uri:
            return 400, "about:blank"  # never redirect to an unregistered URI
        back = self.redirect_uri
        if (
            q.get("response_type") != "code"
            or "openid" not in q.get("scope", "").split()
            or q.get("code_challenge_method") != "S256"
            or not q.get("code_challenge")
            or not q.get("state")
            or not q.get("nonce")
        ):
            refused = {"error": "invalid_request", "state": q.get("state", "")}
            return 302, f"{back}?{urlencode(refused)}"
        if self.login_as is None:
            return 302, f"{back}?{urlencode({'error': 'access_denied', 'state': q['state']})}"
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = {
                "challenge": q["code_challenge"],
                "nonce": q["nonce"],
                "subject": self.login_as,
                "redirect_uri": q["redirect_uri"],
            }
        return 302, f"{back}?{urlencode({'code': code, 'state': q['state']})}"

    def _token(self, form: dict[str, str], authorization: str | None) -> tuple[int, dict[str, Any]]:
        self.token_requests.append(form)
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        if authorization != f"Basic {expected}":
            return 401, {"error": "invalid_client"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code is used once
        if grant is None or form.get("grant_type") != "authorization_code":
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri"}
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if base64.urlsafe_b64encode(digest).decode().rstrip("=") != grant["challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification"}
        issued = int(self.clock())
        claims = {
            "iss": self.issuer,
            "aud": self.client_id,
            "iat": issued,
            "exp": issued + 120,
            self.subject_claim: grant["subject"],
            "nonce": "not-the-nonce" if self.wrong_nonce else grant["nonce"],
        }
        id_token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        return 200, {
            "access_token": secrets.token_urlsafe(16),
            "id_token": id_token,
            "token_type": "Bearer",
            "expires_in": 120,
        }

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
