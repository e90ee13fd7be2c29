"""The Python heap of a long-running service."""

from __future__ import annotations

import gc
import logging

log = logging.getLogger("skolebro.ops")


def freeze_startup_heap() -> None:
    """Keep what start-up built out of every later full garbage collection.

    The framework, the app, the pool and their caches are some 125,000 objects that live
    as long as the process. A full collection walked all of them: 94-119 ms during which
    no request was answered, which set the morning mix's p99. Frozen, a full collection
    walks only what requests left behind (none took over 10 ms in the same benchmark).
    """
    gc.collect()
    gc.freeze()
    log.info("start-up heap frozen: %d objects kept out of garbage collection", gc.get_freeze_count())
