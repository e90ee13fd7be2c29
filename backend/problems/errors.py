"""The errors a service raises: a problem code and its parameters, free of HTTP."""

from __future__ import annotations

from schemas.problem import FieldError


class DomainError(Exception):
    status = 400
    default_code = "request.invalid"

    def __init__(self, code: str | None = None, **params: object) -> None:
        self.code = code or self.default_code
        self.params = params
        super().__init__(self.code)


class NotFound(DomainError):
    status = 404
    default_code = "not_found"


class Forbidden(DomainError):
    status = 403
    default_code = "forbidden"


class Conflict(DomainError):
    status = 409


class Invalid(DomainError):
    """A rule of the contract refused the request (422).

    ``field`` names the request field at fault (or ``errors`` lists several); the
    answer's ``errors`` carries them so clients can point at the right input
    (api.md: validation errors add errors).
    """

    status = 422
    default_code = "request.invalid"

    def __init__(
        self,
        code: str | None = None,
        *,
        field: str = "",
        errors: list[FieldError] | None = None,
        **params: object,
    ) -> None:
        super().__init__(code, **params)
        self.field = field
        self.errors = errors


class Unauthorized(DomainError):
    status = 401
    default_code = "auth.invalid_token"
