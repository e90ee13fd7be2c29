"""Opaque cursors for paginated lists: what a service hands out and reads back."""

from __future__ import annotations

import base64
import json
import re
import uuid
from datetime import datetime
from typing import Any

from backend.lib.clock import plausible_instant
from backend.problems.codes import Code
from backend.problems.errors import Invalid


def encode_cursor(*values: Any) -> str:
    raw = json.dumps([str(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


# What ``encode_cursor`` makes (unpadded base64url), as the OpenAPI document says;
# base64 decoding alone would skip other characters and take a cursor the document refuses.
_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,1000}")


def decode_cursor(cursor: str | None, arity: int) -> list[str] | None:
    if not cursor:
        return None
    if not _CURSOR.fullmatch(cursor):
        raise Invalid(Code.REQUEST_INVALID, field="cursor")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError) as exc:
        raise Invalid(Code.REQUEST_INVALID, field="cursor") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise Invalid(Code.REQUEST_INVALID, field="cursor")
    return [str(v) for v in values]


def cursor_instant(text: str) -> datetime:
    """The instant in a cursor; ValueError for one we cannot have made."""
    value = datetime.fromisoformat(text)
    if not plausible_instant(value):
        raise ValueError(f"cursor instant {text!r} out of range")
    return value


def decode_instant_cursor(cursor: str | None) -> tuple[datetime | None, uuid.UUID | None]:
    """The (instant, id) a list sorted newest first stopped at; (None, None) for the first
    page, 422 ``request.invalid`` for a cursor we cannot have made."""
    after = decode_cursor(cursor, 2)
    if after is None:
        return None, None
    try:
        return cursor_instant(after[0]), uuid.UUID(after[1])
    except ValueError as exc:
        raise Invalid(Code.REQUEST_INVALID, field="cursor") from exc
