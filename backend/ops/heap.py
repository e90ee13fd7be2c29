"""The Python heap of a long-running service."""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("skolebro.ops")


def freeze_startup_heap() -> None:
    """Keep what start-up built out of every later full garbage collection.

    The framework, the app and the pool are about a hundred megabytes of objects that
    live as long as the process. A full collection walked all of them, about 100 ms
    during which no request was answered (measured: the morning mix's p99 was the
    length of that pause). Frozen, a full collection walks only what requests left.
    """
    gc.collect()
    gc.freeze()
    log.info("start-up heap frozen: %d objects kept out of garbage collection", gc.get_freeze_count())
