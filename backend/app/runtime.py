"""What a running process shares: settings, clock, pool and token keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from backend.app.settings import Settings
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

    def require_pool(self) -> asyncpg.Pool:
        if self.pool is None:
            raise RuntimeError("the database pool is not open")
        return self.pool

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
