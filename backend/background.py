"""Long-running work beside the API: the scheduler and the push dispatcher."""

from __future__ import annotations

from backend.lifecycle import BackgroundTask
from backend.runtime import Runtime


async def push_dispatcher(rt: Runtime) -> None:
    """Send queued pushes until the process stops (``skolebro serve`` or ``dispatcher``)."""
    from notifications.dispatcher import run_dispatcher
    from notifications.transports import build_transport

    await run_dispatcher(rt.require_pool(), build_transport(rt.settings), rt.clock.now, rt.dsn)


def background_tasks(*, scheduler: bool, dispatcher: bool) -> list[BackgroundTask]:
    tasks: list[BackgroundTask] = []
    if dispatcher:
        tasks.append(push_dispatcher)
    return tasks
