"""Rate limits for sign-in, where guessing and token stuffing would happen.

Per process (replicas each count on their own), in sliding one-minute windows:

- sign-in (token exchange, dev login) per client address;
- refresh per refresh-token family, one signed-in device, so that the pupils of
  a school behind one NAT address refresh without locking each other out; a
  refresh or logout that fails (an unknown or spent token) counts against the
  address like a sign-in, so guessing tokens is still limited per address.

The client address is the TCP peer, or, when the peer is one of
``SKOLEBRO_TRUSTED_PROXIES``, the rightmost ``X-Forwarded-For`` hop that is not
itself a trusted proxy: hops left of it are whatever the client chose to send.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from backend.problems.codes import Code
from backend.problems.errors import DomainError

WINDOW_SECONDS = 60.0
MAX_KEYS = 100_000  # bounded memory against a flood of distinct keys

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RateLimited(DomainError):
    default_code = Code.RATE_LIMITED

    def __init__(self, retry_after: float) -> None:
        super().__init__()
        self.retry_after = max(1, math.ceil(retry_after))


class SlidingWindow:
    """Hits per key in the last minute."""

    def __init__(self) -> None:
        self._hits: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        hits = self._hits.get(key)
        if hits is None:
            if len(self._hits) >= MAX_KEYS:
                self._forget_idle(now)
            hits = self._hits[key] = deque()
        while hits and hits[0] <= now - WINDOW_SECONDS:
            hits.popleft()
        return hits

    def _forget_idle(self, now: float) -> None:
        for key in [k for k, v in self._hits.items() if not v or v[-1] <= now - WINDOW_SECONDS]:
            del self._hits[key]
        while len(self._hits) >= MAX_KEYS:
            del self._hits[next(iter(self._hits))]  # the oldest key

    def check(self, key: str, limit: int, now: float | None = None) -> None:
        """RateLimited when ``key`` has used its ``limit`` this minute; counts nothing."""
        at = time.monotonic() if now is None else now
        hits = self._recent(key, at)
        if len(hits) >= limit:
            raise RateLimited(hits[0] + WINDOW_SECONDS - at)

    def hit(self, key: str, limit: int, now: float | None = None) -> None:
        """Count one use of ``key``; RateLimited (and not counted) past ``limit``."""
        at = time.monotonic() if now is None else now
        self.check(key, limit, at)
        self.record(key, at)

    def record(self, key: str, now: float | None = None) -> None:
        """Count one use of ``key`` whatever the limit (a failure already answered)."""
        at = time.monotonic() if now is None else now
        self._recent(key, at).append(at)


@dataclass
class SignInLimits:
    by_address: SlidingWindow = field(default_factory=SlidingWindow)  # sign-ins
    failures_by_address: SlidingWindow = field(default_factory=SlidingWindow)  # bad refresh tokens
    by_family: SlidingWindow = field(default_factory=SlidingWindow)  # refreshes


@lru_cache(maxsize=16)
def _networks(trusted: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(n, strict=False) for n in trusted)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(scope: Any, trusted_proxies: tuple[str, ...]) -> str:
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    networks = _networks(trusted_proxies)
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded: list[str] = []
    for name, value in scope.get("headers", []):
        if name.lower() == b"x-forwarded-for":
            forwarded += [h.strip() for h in value.decode("latin-1").split(",") if h.strip()]
    for hop in reversed(forwarded):
        if not _trusted(hop, networks):
            return hop
    return forwarded[0] if forwarded else peer
