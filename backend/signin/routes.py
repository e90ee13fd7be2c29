"""HTTP for sign-in (api.md: Auth)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

import asyncpg
from litestar import Controller, Request, post
from litestar.enums import RequestEncodingType
from litestar.params import Body

from backend.edge.bodies import SMALL_BODY_LIMIT, TOKEN_BODY_LIMIT
from backend.edge.deps import caller_address
from backend.edge.idempotency import sign_in_key
from backend.edge.openapi import problems
from backend.signin import service
from backend.signin.service import SignIn
from backend.signin.tokens import InvalidToken
from schemas.auth import DevLogin, Logout, TokenRequest, TokenResponse


class AuthController(Controller):
    path = "/auth"
    tags = ["auth"]

    @post(
        "/token",
        status_code=200,
        summary="Exchange an ID token or rotate a refresh token",
        responses=problems(400, 401, 422, 429, 503),
        request_max_body_size=TOKEN_BODY_LIMIT,
    )
    async def token(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        sign_in: SignIn,
        now: datetime,
        data: Annotated[TokenRequest, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> TokenResponse:
        retry = await sign_in_key(request)
        return await service.token(conn, sign_in, data, caller_address(request), now, retry)

    @post(
        "/logout",
        status_code=204,
        summary="Revoke the refresh-token family",
        responses=problems(400, 401, 422, 429),
        request_max_body_size=SMALL_BODY_LIMIT,
    )
    async def logout(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        sign_in: SignIn,
        now: datetime,
        data: Logout | None = None,
    ) -> None:
        await service.logout(
            conn,
            sign_in,
            _bearer_person(request, sign_in, now),
            data.refresh_token if data else None,
            data.device_id if data else None,
            caller_address(request),
            now,
            await sign_in_key(request),
        )


def _bearer_person(request: Request[Any, Any, Any], sign_in: SignIn, now: datetime) -> uuid.UUID | None:
    """The caller of a valid access token, or None (absent or expired) for logout."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        return sign_in.tokens.verify(token.strip(), now).person_id
    except InvalidToken:
        return None


class DevLoginController(Controller):
    path = "/auth"
    tags = ["dev"]

    @post(
        "/dev-login",
        status_code=200,
        summary="Dev/test only: sign in as a roster user",
        responses=problems(400, 401, 422),
        request_max_body_size=SMALL_BODY_LIMIT,
    )
    async def dev_login(
        self,
        request: Request[Any, Any, Any],
        conn: asyncpg.Connection,
        sign_in: SignIn,
        now: datetime,
        data: DevLogin,
    ) -> TokenResponse:
        return await service.dev_login(
            conn,
            sign_in,
            data.username,
            data.client.value,
            caller_address(request),
            now,
            await sign_in_key(request),
        )
