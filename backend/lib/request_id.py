"""The id of the request being handled, for every log line written meanwhile.

Set by the request middleware (backend/ops/request_log.py), read by the log filter
(backend/app/logs.py); services, queries and the push outbox need not pass it along.
"""

from __future__ import annotations

from contextvars import ContextVar

REQUEST_ID: ContextVar[str | None] = ContextVar("skolebro_request_id", default=None)
