"""Long-running work beside the API: the scheduler and the push dispatcher."""

from __future__ import annotations

from backend.lifecycle import BackgroundTask


def background_tasks(*, scheduler: bool, dispatcher: bool) -> list[BackgroundTask]:
    tasks: list[BackgroundTask] = []
    if scheduler:
        from backend.jobs.scheduler import run_scheduler

        tasks.append(run_scheduler)
    return tasks
