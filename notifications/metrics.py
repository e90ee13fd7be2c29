"""The push path's Prometheus families, fed by small hooks in the dispatcher.

The process-wide default registry holds them, next to the HTTP and job families
(backend/ops/metrics.py) and prometheus-client's process collector, so one
``/metrics`` shows everything a process does.
"""

from __future__ import annotations

from typing import Protocol

from prometheus_client import Counter, Histogram

OUTCOMES = ("sent", "retried", "rate_limited", "token_removed", "failed", "dropped")

DELIVERIES = Counter(
    "skolebro_push_deliveries",
    "Push deliveries by outcome: sent, retried (back in the queue), rate_limited (FCM 429), "
    "token_removed (device unregistered), failed (for good), dropped (read before it was pushed).",
    ["outcome"],
)
SEND_SECONDS = Histogram(
    "skolebro_push_send_seconds",
    "Time FCM took to answer one chunk of pushes.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
_BY_OUTCOME = {name: DELIVERIES.labels(name) for name in OUTCOMES}


class _Stats(Protocol):
    sent: int
    retried: int
    rate_limited: int
    tokens_removed: int
    failed: int


def count(outcome: str, n: int = 1) -> None:
    if n:
        _BY_OUTCOME[outcome].inc(n)


def count_recorded(after: _Stats, before: _Stats) -> None:
    """What one chunk's record added to the round's stats."""
    count("sent", after.sent - before.sent)
    count("retried", after.retried - before.retried)
    count("rate_limited", after.rate_limited - before.rate_limited)
    count("token_removed", after.tokens_removed - before.tokens_removed)
    count("failed", after.failed - before.failed)
