"""Logs: every line written during a request carries its request id, the
access line has its duration as a field, and a developer's terminal gets text."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from backend.app.logs import JsonFormatter, RequestIdFilter, TextFormatter, log_format
from tests.support.demo import OLA


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The root logger's output as production writes it (JSON), for the test's duration."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


def _entries(out: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]


async def test_every_line_of_a_request_carries_its_id(client, tokens, log_lines):
    headers = {**await tokens.headers("guardian.hansen"), "X-Request-ID": "morning-42"}
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        json={"first_day": "2026-11-23", "reason": "sick"},
        headers=headers,
    )
    assert r.status_code == 201
    mine = [e for e in _entries(log_lines) if e.get("request_id") == "morning-42"]
    loggers = {e["logger"] for e in mine}
    # The service's own line (written deep in the absence rules) and the access line.
    assert "skolebro.absence" in loggers and "skolebro.http" in loggers, mine
    access = next(e for e in mine if e["logger"] == "skolebro.http")
    assert access["status"] == 201 and access["route"] == "/api/v1/pupils/{pupil_id}/absence-reports"
    assert isinstance(access["duration_ms"], float) and access["duration_ms"] > 0
    # Lines written outside any request have no id, not a stale one.
    logging.getLogger("skolebro.test").info("between requests")
    assert "request_id" not in _entries(log_lines)[-1]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_developer_terminal_gets_text_production_json():
    assert log_format({}, _Terminal()) == "text"
    assert log_format({}, io.StringIO()) == "json"  # piped into a collector
    assert log_format({"SKOLEBRO_ENV": "production"}, _Terminal()) == "json"
    assert log_format({"SKOLEBRO_LOG_FORMAT": "json"}, _Terminal()) == "json"
    record = logging.LogRecord(
        "skolebro.http", logging.INFO, "", 0, "GET %s -> %d", ("/api/v1/me", 200), None
    )
    record.request_id = "abc"
    record.duration_ms = 3.1
    line = TextFormatter().format(record)
    assert "GET /api/v1/me -> 200" in line and "request_id=abc" in line and "duration_ms=3.1" in line
    assert "\x1b[" not in line and not line.startswith("{")
