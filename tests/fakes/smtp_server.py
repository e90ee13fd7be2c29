"""A real SMTP server on 127.0.0.1 (aiosmtpd) that demands STARTTLS and a login.

Messages it accepts are parsed and kept, so tests read what a guardian's
mail server would have received: envelope, headers, the plain-text and HTML
parts. Its certificate is signed by a throwaway CA (``ca_file``).
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import tempfile
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.fakes.fcm import _tls_material


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage
    tls: bool

    def part(self, subtype: str) -> str:
        for p in self.message.walk():
            if p.get_content_type() == f"text/{subtype}":
                return str(p.get_content())
        raise KeyError(subtype)


@dataclass
class FakeSmtp:
    username: str = "skolebro"
    password: str = "s3cret-pass"
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients answered 550

    def __post_init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="fake-smtp-")
        ca, cert, key = _tls_material(Path(self._dir.name))
        self.ca_file = str(ca)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self._lock = threading.Lock()
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            tls_context=context,
            require_starttls=True,
            auth_require_tls=True,
            authenticator=self._authenticate,
        )

    @property
    def url(self) -> str:
        return f"smtp://{self.username}:{self.password}@127.0.0.1:{self.port}"

    def _authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and data.login.decode() == self.username
            and data.password.decode() == self.password
        )
        return AuthResult(success=ok, handled=False)

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        with self._lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), message, session.ssl is not None)
            )
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if address in r.recipients]

    def __enter__(self) -> FakeSmtp:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
        self._dir.cleanup()
