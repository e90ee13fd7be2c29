"""Long-running work beside the API: the scheduler and the push dispatcher."""

from __future__ import annotations

import logging

from backend.app.lifecycle import BackgroundTask
from backend.app.runtime import Runtime

log = logging.getLogger("skolebro.push")


async def push_dispatcher(rt: Runtime) -> None:
    """Send queued pushes until the process stops (``skolebro serve`` or ``dispatcher``)."""
    from notifications.dispatcher import DispatcherConfig, run_dispatcher
    from notifications.transports import LogTransport, Transport, build_transport
    from notifications.webpush import load_vapid_key, with_web_push

    try:
        log_only = rt.settings.check_push() == "log"
        app: Transport = LogTransport() if log_only else build_transport(rt.settings.push)
        # Browsers' subscriptions go by Web Push beside FCM, through the same dispatcher.
        vapid = load_vapid_key(
            rt.settings.push.vapid_private_key,
            production=rt.settings.is_production,
            data_dir=rt.settings.data_dir,
        )
        transport = with_web_push(
            app, vapid, rt.settings.push.vapid_subject, log_only=rt.settings.push.mode == "log"
        )
    except Exception:
        # A background task's failure is otherwise silent until shutdown.
        log.exception(
            "push dispatcher not started: SKOLEBRO_FCM_CREDENTIALS (%s) is unusable",
            rt.settings.push.fcm_credentials,
        )
        raise
    from backend.app.lifecycle import direct_dsn

    # LISTEN needs a session of its own, so never through PgBouncer's transaction pooling.
    config = DispatcherConfig(
        chunk_size=rt.settings.push.chunk_size, max_in_flight=rt.settings.push.in_flight
    )
    await run_dispatcher(rt.require_pool(), transport, rt.clock.now, direct_dsn(rt), config)


async def run_scheduler(rt: Runtime) -> None:
    """The scheduler (backend/jobs/scheduler.py) with this process's pool, clock and settings."""
    from backend.jobs.scheduler import SchedulerContext
    from backend.jobs.scheduler import run_scheduler as run

    context = SchedulerContext(
        pool=rt.require_pool(),
        dsn=rt.dsn,
        database=rt.settings.database,
        now=lambda: rt.clock.now(),
        roster=rt.settings.roster_sync(),
    )
    await run(context)


def background_tasks(*, scheduler: bool, dispatcher: bool) -> list[BackgroundTask]:
    tasks: list[BackgroundTask] = []
    if scheduler:
        tasks.append(run_scheduler)
    if dispatcher:
        tasks.append(push_dispatcher)
    return tasks
