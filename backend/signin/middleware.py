"""Bearer-token authentication for everything under /api/v1 but sign-in.

Mounted on the /api/v1 router only, so operations and web pages are untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from backend.access.principal import Principal
from backend.signin.tokens import InvalidToken

log = logging.getLogger("skolebro.auth")

# api.md: everything under /api/v1/auth/ goes without a bearer token. Logout reads
# one if it is there (auth/routes.py), else knows the caller by the refresh token.
EXCLUDE = [r"^/api/v1/auth/(token|dev-login|logout)$", r"^/api/v1/webpush/public-key$"]


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """``verify``: the process's access tokens checked at its clock's now (given by the
    factory); it raises ``InvalidToken``."""

    def __init__(self, app: ASGIApp, *, verify: Callable[[str], Principal], **options: Any) -> None:
        super().__init__(app, **options)
        self.verify = verify

    async def authenticate_request(self, connection: ASGIConnection) -> AuthenticationResult:
        header = connection.headers.get("authorization")
        if not header:
            raise NotAuthorizedException("missing token")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise NotAuthorizedException("missing token")
        try:
            principal = self.verify(token.strip())
        except InvalidToken as exc:
            log.info("access token refused on %s: %s", connection.url.path, exc)
            raise NotAuthorizedException("invalid token") from exc
        return AuthenticationResult(user=principal, auth=token)
