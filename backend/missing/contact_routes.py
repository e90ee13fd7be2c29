"""HTTP for reaching guardians: the call list, logged calls, my contact points,
and the SMS provider's delivery reports (api.md: Missing-pupil cases, Me)."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any

import asyncpg
from litestar import Controller, Request, get, post
from litestar.status_codes import HTTP_204_NO_CONTENT

from backend.access.principal import Principal
from backend.edge.idempotency import Idempotent
from backend.edge.openapi import problems
from backend.missing import contacts
from backend.problems.codes import Code
from backend.problems.errors import Forbidden
from notifications.channels import channels
from notifications.sms import valid_twilio_signature
from schemas.reach import CallList, CallLogged, Contact, MyContact

log = logging.getLogger("skolebro.sms")


class CallListController(Controller):
    path = "/missing-cases"
    tags = ("missing-cases",)

    @get(
        "/{case_id:uuid}/call-list",
        summary="Guardians to call, not yet reached first (class team and leaders, open cases; audited)",
        responses=problems(401, 404),
    )
    async def call_list(
        self, conn: asyncpg.Connection, now: datetime, principal: Principal, case_id: uuid.UUID
    ) -> CallList:
        return await contacts.call_list(conn, principal.person_id, case_id, now)

    @post(
        "/{case_id:uuid}/contacts",
        status_code=201,
        summary="Log a phone call to a guardian (class team and leaders); reached marks the case reached",
        responses=problems(400, 401, 404, 409, 422),
    )
    async def log_call(
        self,
        once: Idempotent,
        conn: asyncpg.Connection,
        now: datetime,
        principal: Principal,
        case_id: uuid.UUID,
        data: CallLogged,
    ) -> Contact:
        return await once(201, contacts.log_call, conn, principal.person_id, case_id, data, now)


class MyContactController(Controller):
    path = "/me"
    tags = ("me",)

    @get(
        "/contact",
        summary="My contact points as the school holds them (what it would use in an emergency)",
        responses=problems(401),
    )
    async def contact(self, conn: asyncpg.Connection, principal: Principal) -> MyContact:
        return await contacts.my_contact(conn, principal.person_id)


class SmsHookController(Controller):
    """Twilio's status callbacks. No bearer token: Twilio signs each request instead."""

    path = "/hooks/sms"
    tags = ("sms",)

    @post(
        "/twilio",
        status_code=HTTP_204_NO_CONTENT,
        summary="Delivery reports from Twilio (X-Twilio-Signature checked)",
        responses=problems(400, 403),
    )
    async def twilio(self, request: Request[Any, Any, Any], conn: asyncpg.Connection, now: datetime) -> None:
        form = await request.form()
        params = {k: str(v) for k, v in form.items()}
        ch = channels()
        # The signature covers the URL Twilio called, as configured with it.
        url = ch.sms_status_callback_url or str(request.url)
        signature = request.headers.get("x-twilio-signature", "")
        if not ch.sms_auth_token or not valid_twilio_signature(ch.sms_auth_token, url, params, signature):
            log.warning("SMS delivery report refused: bad or missing signature")
            raise Forbidden(Code.SMS_BAD_SIGNATURE)
        sid = params.get("MessageSid") or params.get("SmsSid") or ""
        status = params.get("MessageStatus") or params.get("SmsStatus") or ""
        await contacts.delivery_report(conn, sid, status, params.get("ErrorCode"), now)


__all__ = ["CallListController", "MyContactController", "SmsHookController"]
