"""Waiting for something another task or process does, without a fixed sleep."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


async def eventually(check: Callable[[], Awaitable[bool] | bool], within: float = 10.0) -> float:
    """Wait until ``check`` holds; return the seconds it took (fails after ``within``)."""
    started = time.monotonic()
    for _ in range(int(within / 0.01)):
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return time.monotonic() - started
        await asyncio.sleep(0.01)
    raise AssertionError(f"not within {within} s")
