"""The errors a service raises: a problem code and its parameters, free of HTTP.

Which HTTP status each kind of error answers with is the edge's business
(backend/edge/problem_handlers.py).
"""

from __future__ import annotations

from typing import ClassVar

from backend.problems.codes import Code
from schemas.problem import FieldError


class DomainError(Exception):
    """The request cannot be done as asked (a plain DomainError is a bad request)."""

    default_code: ClassVar[Code] = Code.REQUEST_INVALID

    def __init__(self, code: Code | None = None, **params: object) -> None:
        self.code: Code = code or self.default_code
        self.params = params
        super().__init__(self.code)


class NotFound(DomainError):
    default_code = Code.NOT_FOUND


class Forbidden(DomainError):
    default_code = Code.FORBIDDEN


class Conflict(DomainError):
    pass


class Invalid(DomainError):
    """A rule of the contract refused the request.

    ``field`` names the request field at fault (or ``errors`` lists several); the
    answer's ``errors`` carries them so clients can point at the right input
    (api.md: validation errors add errors).
    """

    def __init__(
        self,
        code: Code | None = None,
        *,
        field: str = "",
        errors: list[FieldError] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code, **params)
        self.field = field
        self.errors = errors


class Unauthorized(DomainError):
    default_code = Code.AUTH_INVALID_TOKEN


class Unavailable(DomainError):
    """Something the service depends on could not be asked; the client should try again shortly."""

    default_code = Code.UNAVAILABLE
