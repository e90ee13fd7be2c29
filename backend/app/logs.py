"""Logs: one JSON object a line in production, readable text on a developer's terminal.

Every line written while a request is handled carries that request's id, from a
context variable the request middleware sets (so services, queries and the push
outbox need not pass it along); durations and counts go as fields, not only text.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import UTC, datetime

from backend.lib.request_id import REQUEST_ID

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def _fields(record: logging.LogRecord) -> dict[str, object]:
    return {
        key: value if isinstance(value, (str, int, float, bool)) or value is None else str(value)
        for key, value in record.__dict__.items()
        if key not in _STANDARD and not key.startswith("_")
    }


class RequestIdFilter(logging.Filter):
    """Stamps the current request's id on every record (unless the caller named one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            request_id = REQUEST_ID.get()
            if request_id is not None:
                record.request_id = request_id
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update(_fields(record))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """``12:03:04.512 INFO  skolebro.http  GET /api/v1/me -> 200 in 3.1 ms  request_id=…``"""

    def format(self, record: logging.LogRecord) -> str:
        ts = datetime.fromtimestamp(record.created).strftime("%H:%M:%S.%f")[:-3]
        fields = "  ".join(f"{k}={v}" for k, v in _fields(record).items())
        line = f"{ts} {record.levelname:<7} {record.name:<18} {record.getMessage()}"
        if fields:
            line += f"  {fields}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log_format(environ: dict[str, str] | None = None, stream: object = None) -> str:
    """``SKOLEBRO_LOG_FORMAT`` if set; else text on a terminal outside production, JSON otherwise."""
    env = os.environ if environ is None else environ
    chosen = env.get("SKOLEBRO_LOG_FORMAT")
    if chosen in ("json", "text"):
        return chosen
    isatty = getattr(stream if stream is not None else sys.stderr, "isatty", None)
    on_terminal = bool(isatty and isatty())
    return "text" if on_terminal and env.get("SKOLEBRO_ENV", "dev") != "production" else "json"


def configure_logging(level: str | None = None) -> None:
    level = (level or os.environ.get("SKOLEBRO_LOG_LEVEL", "info")).upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if log_format() == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("pgserver", "asyncio", "httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
