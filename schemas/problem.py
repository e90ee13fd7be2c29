"""RFC 9457 problem details, the body of every error answer."""

from __future__ import annotations

import msgspec


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[FieldError] | None = None
