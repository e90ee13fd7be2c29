"""What a running process shares: settings, clock, pool and token keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from backend.app.settings import Settings
from backend.db.listener import Listener
from backend.edge.ratelimit import SignInLimits
from backend.lib.clock import Clock
from backend.signin.idp import IdentityVerifier
from backend.signin.service import SignIn
from backend.signin.tokens import AccessTokens


@dataclass
class Runtime:
    settings: Settings
    clock: Clock
    tokens: AccessTokens
    identity: IdentityVerifier
    pool: asyncpg.Pool | None = None
    dsn: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    limits: SignInLimits = field(default_factory=SignInLimits)
    # The process's LISTEN connections, one a channel (backend/db/listener.py), closed at shutdown.
    listeners: dict[str, Listener] = field(default_factory=dict)

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not open")
        return self.pool

    def listener(self, channel: str) -> Listener:
        """The one listener of ``channel`` in this process, over the direct connection:
        LISTEN needs a session of its own, never PgBouncer's transaction pooling."""
        found = self.listeners.get(channel)
        if found is None:
            found = self.listeners[channel] = Listener(
                channel, lambda: self.settings.database.direct_url or self.dsn
            )
        return found

    @property
    def sign_in(self) -> SignIn:
        """The sign-in service's share of the process (backend/signin/service.py)."""
        return SignIn(
            tokens=self.tokens,
            identity=self.identity,
            limits=self.limits,
            rates=self.settings.limits,
            refresh_token_days=self.settings.tokens.refresh_token_days,
            pepper=self.settings.identity.pepper,
        )
