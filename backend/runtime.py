"""What a running process shares: settings, clock, pool and token keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import asyncpg

from backend.auth.idp import IdentityVerifier
from backend.auth.tokens import AccessTokens
from backend.clock import Clock
from backend.ratelimit import SignInLimits
from backend.settings import Settings


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
