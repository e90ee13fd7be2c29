"""The check every refusal passes: an RFC 9457 problem document."""

from __future__ import annotations

from typing import Any

PROBLEM_TYPE = "application/problem+json"


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """The answer is an RFC 9457 problem document with this status (and code)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_TYPE), response.headers
    body = response.json()
    assert body["status"] == status
    assert body["title"] and body["detail"] and body["type"]
    if code is not None:
        assert body["code"] == code, body
    if status == 422:
        assert body["errors"], body
        for e in body["errors"]:
            assert set(e) == {"field", "message"} and e["message"]
    if status == 401:
        assert response.headers["www-authenticate"].lower().startswith("bearer")
    return body
