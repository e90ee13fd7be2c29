"""Rate limits for sign-in, where guessing and token stuffing would happen."""

from __future__ import annotations

from litestar.middleware.rate_limit import RateLimitConfig

from backend.settings import Settings


def sign_in_rate_limit(settings: Settings) -> RateLimitConfig:
    """Per client address and process; replicas each count on their own."""
    return RateLimitConfig(rate_limit=("minute", settings.auth_rate_limit_per_minute))
