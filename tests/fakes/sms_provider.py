"""A stand-in for Twilio's Programmable Messaging API on 127.0.0.1.

It speaks what Twilio speaks, so ``notifications.sms.TwilioSms`` runs against
it unchanged:

- ``POST /2010-04-01/Accounts/{AccountSid}/Messages.json``, form-encoded
  ``To``, ``From`` or ``MessagingServiceSid``, ``Body``, ``StatusCallback``;
  HTTP Basic auth with the account SID and auth token (401 otherwise).
  Answers 201 with a Message resource (``sid`` ``SM…``, ``status``
  ``queued``), or Twilio's error document (``code``, ``message``,
  ``more_info``, ``status``): 400/21211 for an invalid ``To``, 429/20429
  when told to, 500 when told to.
- Then, like Twilio, it POSTs status callbacks to ``StatusCallback``:
  ``MessageSid``, ``SmsSid``, ``MessageStatus``/``SmsStatus``, ``AccountSid``,
  ``From``, ``To``, ``ApiVersion`` and ``ErrorCode`` on failures, signed with
  ``X-Twilio-Signature`` (HMAC-SHA1 over the URL and the sorted parameters,
  keyed with the auth token).

What happens to a number is scripted with ``script(number, *reports)``;
by default a text is reported ``sent`` then ``delivered``. Each report is
``(delay_seconds, status, error_code | None)``. ``refuse(number, code)`` makes
the send itself fail. Every accepted text is recorded.

In-process (tests): ``with FakeTwilio() as sms: ...`` serves from a thread
with its own event loop. ``python -m tests.fakes.sms_provider`` serves as a
process for the benchmark and prints one JSON line describing itself.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import hmac
import json
import secrets
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from aiohttp import BasicAuth, ClientSession, ClientTimeout, web

Report = tuple[float, str, str | None]
DEFAULT_REPORTS: tuple[Report, ...] = ((0.2, "sent", None), (0.2, "delivered", None))

# Twilio error codes the fake can answer a send with: code -> (HTTP status, message)
SEND_ERRORS = {
    21211: (400, "The 'To' number is not a valid phone number."),
    21610: (400, "Attempt to send to unsubscribed recipient"),
    20429: (429, "Too Many Requests"),
    20500: (500, "Internal Server Error"),
}


def sign(auth_token: str, url: str, params: dict[str, str]) -> str:
    payload = url + "".join(k + params[k] for k in sorted(params))
    return base64.b64encode(hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


@dataclass
class Sent:
    sid: str
    to: str
    sender: str
    body: str
    callback: str | None
    at: float


@dataclass
class FakeTwilio:
    account_sid: str = "AC" + "0" * 30 + "01"
    auth_token: str = field(default_factory=lambda: secrets.token_hex(16))
    record: bool = True
    sent: list[Sent] = field(default_factory=list)
    reports_posted: list[tuple[str, str, int]] = field(default_factory=list)  # sid, status, our answer
    accepted: int = 0

    def __post_init__(self) -> None:
        self._scripts: dict[str, deque[Report]] = {}
        self._refuse: dict[str, int] = {}
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self.port = self._sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self.send_reports = True

    # --- configuration ---------------------------------------------------------

    def script(self, number: str, *reports: Report) -> None:
        """The status callbacks a text to ``number`` gets, in order, each after its delay."""
        with self._lock:
            self._scripts[number] = deque(reports)

    def refuse(self, number: str, code: int = 21211) -> None:
        if code not in SEND_ERRORS:
            raise ValueError(f"unknown Twilio error {code}")
        with self._lock:
            self._refuse[number] = code

    def to(self, number: str) -> list[Sent]:
        with self._lock:
            return [s for s in self.sent if s.to == number]

    # --- lifecycle -------------------------------------------------------------

    def start(self) -> FakeTwilio:
        self._thread = threading.Thread(target=self._serve, name="fake-twilio", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the fake Twilio server did not start")
        return self

    def close(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeTwilio:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _serve(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.serve_here(ready=self._ready))
        finally:
            loop.close()

    async def serve_here(self, ready: threading.Event | None = None) -> None:
        self._stop = asyncio.Event()
        app = web.Application()
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", self._create)
        app.router.add_get("/_stats", self._stats)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.SockSite(runner, self._sock)
        await site.start()
        self._session = ClientSession(timeout=ClientTimeout(total=10))
        if ready is not None:
            ready.set()
        try:
            await self._stop.wait()
        finally:
            for task in list(self._tasks):
                task.cancel()
            await self._session.close()
            await runner.cleanup()

    # --- HTTP ------------------------------------------------------------------

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response({"accepted": self.accepted, "reports": len(self.reports_posted)})

    async def _create(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        try:
            creds = BasicAuth.decode(auth)
        except ValueError:
            creds = None
        if (
            creds is None
            or creds.login != self.account_sid
            or creds.password != self.auth_token
            or request.match_info["sid"] != self.account_sid
        ):
            return _error(401, 20003, "Authenticate")
        form = {k: str(v) for k, v in (await request.post()).items()}
        to, body = form.get("To", ""), form.get("Body", "")
        sender = form.get("From") or form.get("MessagingServiceSid") or ""
        if not to.startswith("+") or not body or not sender:
            return _error(400, 21604 if not body else 21211, "A 'To', 'From' and 'Body' are required.")
        with self._lock:
            code = self._refuse.get(to)
            reports = tuple(self._scripts.get(to, DEFAULT_REPORTS))
        if code is not None:
            status, message = SEND_ERRORS[code]
            return _error(status, code, message)
        sid = "SM" + secrets.token_hex(16)
        self.accepted += 1
        callback = form.get("StatusCallback")
        if self.record:
            with self._lock:
                self.sent.append(Sent(sid, to, sender, body, callback, time.time()))
        if callback and self.send_reports:
            task = asyncio.create_task(self._report(sid, to, sender, callback, reports))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        return web.json_response(
            {
                "sid": sid,
                "account_sid": self.account_sid,
                "to": to,
                "from": sender,
                "body": body,
                "status": "queued",
                "num_segments": "1",
                "direction": "outbound-api",
                "api_version": "2010-04-01",
                "error_code": None,
                "error_message": None,
                "uri": f"/2010-04-01/Accounts/{self.account_sid}/Messages/{sid}.json",
            },
            status=201,
        )

    async def _report(self, sid: str, to: str, sender: str, url: str, reports: tuple[Report, ...]) -> None:
        for delay, status, error in reports:
            await asyncio.sleep(delay)
            params = {
                "AccountSid": self.account_sid,
                "ApiVersion": "2010-04-01",
                "From": sender,
                "MessageSid": sid,
                "MessageStatus": status,
                "SmsSid": sid,
                "SmsStatus": status,
                "To": to,
            }
            if error:
                params["ErrorCode"] = error
            headers = {"X-Twilio-Signature": sign(self.auth_token, url, params)}
            try:
                async with self._session.post(url, data=params, headers=headers) as r:
                    self.reports_posted.append((sid, status, r.status))
            except OSError:
                self.reports_posted.append((sid, status, 0))


def _error(status: int, code: int, message: str) -> web.Response:
    return web.json_response(
        {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        },
        status=status,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="a fake Twilio Messaging API on 127.0.0.1")
    parser.parse_args()
    fake = FakeTwilio(record=False)
    fake.send_reports = False
    print(
        json.dumps({"url": fake.url, "account_sid": fake.account_sid, "auth_token": fake.auth_token}),
        flush=True,
    )
    asyncio.run(fake.serve_here())


if __name__ == "__main__":
    main()
