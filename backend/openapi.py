"""OpenAPI helpers: the problem document on every documented error."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec

from schemas.problem import Problem

_DESCRIPTIONS = {
    400: "Malformed request (problem document)",
    401: "Missing, expired or forged access token",
    403: "Known object the caller may see but not change",
    404: "Not found, or not the caller's to see",
    409: "Conflicts with existing state",
    422: "Validation failed; `errors` names the fields",
    429: "Rate limited; see Retry-After",
    503: "Database unavailable",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS.get(status, "Problem"),
            media_type="application/problem+json",
        )
        for status in statuses
    }
