"""A national identity provider on 127.0.0.1: a real JWKS endpoint and signed ID tokens."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm


class FakeIdentityProvider:
    def __init__(self, name: str, audience: str, subject_claim: str = "sub") -> None:
        self.name = name
        self.audience = audience
        self.subject_claim = subject_claim
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = f"{name}-key-1"
        self.jwks_requests = 0
        jwk = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "alg": "RS256"})
        self._jwks = json.dumps({"keys": [jwk]}).encode()
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/jwks":
                    self.send_error(404)
                    return
                provider.jwks_requests += 1
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(provider._jwks)))
                self.end_headers()
                self.wfile.write(provider._jwks)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.issuer = f"http://127.0.0.1:{self.port}/{name}"
        self.jwks_url = f"http://127.0.0.1:{self.port}/jwks"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def settings_entry(self) -> dict[str, str]:
        return {
            "name": self.name,
            "issuer": self.issuer,
            "audience": self.audience,
            "jwks_url": self.jwks_url,
            "subject_claim": self.subject_claim,
        }

    def id_token(
        self,
        subject: str,
        *,
        key: Any = None,
        kid: str | None = None,
        now: float | None = None,
        **claims: Any,
    ) -> str:
        issued = int(now if now is not None else time.time())
        body = {
            "iss": self.issuer,
            "aud": self.audience,
            "iat": issued,
            "exp": issued + 120,
            self.subject_claim: subject,
        }
        body.update(claims)
        return jwt.encode(body, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid})

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
