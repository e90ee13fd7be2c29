"""The ``skolebro`` command line (api.md: Command line and environment)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from backend.app.settings import Settings, SettingsError

if TYPE_CHECKING:
    from datetime import datetime

    from backend.app.runtime import Runtime
    from backend.roster.importer import ImportSummary

T = TypeVar("T")

log = logging.getLogger("skolebro.cli")


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except SettingsError as exc:
        print(f"skolebro: {exc}", file=sys.stderr)
        raise SystemExit(2) from exc


async def _with_database(settings: Settings, work: Callable[[Runtime], Awaitable[T]]) -> T:
    from backend.app.factory import build_runtime
    from backend.app.lifecycle import open_database
    from backend.db.pool import close_pool

    rt = build_runtime(settings)
    await open_database(rt)
    try:
        return await work(rt)
    finally:
        if rt.pool is not None:
            await close_pool(rt.pool)


def _print_demo_users(host: str, port: int) -> None:
    from backend.roster.demo import DEMO_USERS

    print("\nDemo school: Vassenden skule. Sign in as any of these users:\n")
    for username, who in DEMO_USERS.items():
        print(f"  {username:<18} {who}")
    print(
        "\nGet a token and call the API:\n"
        f"  ACCESS_TOKEN=$(curl -s -X POST http://{host}:{port}/api/v1/auth/dev-login \\\n"
        "       -H 'content-type: application/json' \\\n"
        '       -d \'{"username": "guardian.hansen", "client": "app"}\' \\\n'
        "       | python3 -c 'import json, sys; print(json.load(sys.stdin)[\"access_token\"])')\n"
        f'  curl -H "Authorization: Bearer $ACCESS_TOKEN" http://{host}:{port}/api/v1/me\n'
        f"API docs: http://{host}:{port}/schema  (OpenAPI: /schema/openapi.json)\n"
        f"Web portal: http://{host}:{port}/\n",
        flush=True,
    )


async def _seed(rt: Runtime) -> bool:
    from backend.roster.demo import seed_demo

    async with rt.require_pool().acquire() as conn:
        return await seed_demo(conn, rt.clock.now(), rt.settings.identity.pepper)


def cmd_migrate(args: argparse.Namespace) -> int:
    # Only the database: a migrate Job (or an operator's shell) need not hold the
    # signing key, the identity providers or the FCM credentials.
    from backend.db.embedded import start_embedded
    from backend.db.migrate import apply_migrations

    try:
        settings = Settings.from_env(check=False)
    except SettingsError as exc:
        print(f"skolebro: {exc}", file=sys.stderr)
        return 2
    if settings.is_production and not settings.database.url:
        print("skolebro: set DATABASE_URL (production does not use the embedded database)", file=sys.stderr)
        return 2

    async def migrate() -> list[str]:
        import asyncpg

        dsn = settings.database.url or await asyncio.to_thread(start_embedded, settings.data_dir)
        conn = await asyncpg.connect(dsn)
        try:
            return await apply_migrations(conn)
        finally:
            await conn.close()

    applied = asyncio.run(migrate())
    print(f"migrations applied: {', '.join(applied)}" if applied else "migrations applied (none pending)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    settings = _settings()
    if settings.is_production:
        print("skolebro: the demo school is not seeded in production", file=sys.stderr)
        return 2
    seeded = asyncio.run(_with_database(settings, _seed))
    print("demo school seeded" if seeded else "demo school already present; nothing changed")
    _print_demo_users("127.0.0.1", 8000)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from backend.app.background import background_tasks
    from backend.app.factory import build_runtime, create_app

    settings = _settings()
    if not args.no_dispatcher:
        settings.check_push()
    if args.demo:
        if settings.is_production:
            print("skolebro: --demo is not available in production", file=sys.stderr)
            return 2
        seeded = asyncio.run(_with_database(settings, _seed))
        log.info("demo school %s", "seeded" if seeded else "already present")
    rt = build_runtime(settings)
    app = create_app(
        runtime=rt,
        background=background_tasks(scheduler=not args.no_scheduler, dispatcher=not args.no_dispatcher),
    )
    if args.demo:
        _print_demo_users(args.host, args.port)
    config = uvicorn_config(app, args.host, args.port)
    # uvicorn turns SIGTERM/SIGINT into a graceful shutdown (requests drain, the
    # lifespan closes the pool) and then re-raises the signal with the handler that
    # was installed before it. Without a Python handler SIGTERM would kill the
    # process there and skip pgserver's exit handler, leaving the embedded
    # PostgreSQL running; this one turns it into a normal exit.
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    uvicorn.Server(config).run()
    return 0


def uvicorn_config(app: Any, host: str, port: int) -> Any:
    """How ``skolebro serve`` runs the app (tests run it the same way)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
        loop="auto",
        http="auto",
        lifespan="on",
        # X-Forwarded-For is read by the service itself, from SKOLEBRO_TRUSTED_PROXIES
        # only (backend/ratelimit.py); uvicorn would believe it from 127.0.0.1.
        proxy_headers=False,
    )


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _roster_failed(exc: Exception) -> int:
    from backend.roster.oneroster.model import RosterError

    lines = exc.lines() if isinstance(exc, RosterError) else [str(exc)]
    print("skolebro: roster import failed, nothing was changed:", file=sys.stderr)
    if not lines:
        lines = [exc.__class__.__name__]
    for line in lines:
        print(f"  {line}", file=sys.stderr)
    return 1


def _stopwatch() -> Callable[[str], None]:
    """Progress lines for long roster work, each with the seconds since it started."""
    started = time.monotonic()

    def say(text: str) -> None:
        print(f"[{time.monotonic() - started:6.1f}s] {text}", flush=True)

    return say


def _run_roster_work(
    what: str,
    settings: Settings,
    work: Callable[[Runtime], Awaitable[ImportSummary]],
    say: Callable[[str], None],
) -> int:
    """Run an import or sync; a refusal is a short message and exit 1, never a traceback."""
    import asyncpg

    from backend.roster.oneroster.model import RosterError
    from backend.roster.rest import SyncError

    try:
        summary = asyncio.run(_with_database(settings, work))
    except (RosterError, SyncError) as exc:
        return _roster_failed(exc)
    except asyncpg.PostgresError as exc:
        # The transaction was rolled back; the operator gets the database's words, not a traceback.
        log.debug("roster %s refused by the database", what, exc_info=True)
        return _roster_failed(RuntimeError(f"the database refused the data ({type(exc).__name__}: {exc})"))
    except (OSError, TimeoutError) as exc:
        log.debug("roster %s could not finish", what, exc_info=True)
        return _roster_failed(RuntimeError(f"the database could not be used ({type(exc).__name__}: {exc})"))
    for line in summary.lines():
        print(line)
    say("done")
    return 0


def cmd_roster_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from backend.roster.importer import import_roster
    from backend.roster.oneroster.csv_reader import read_roster
    from backend.roster.oneroster.model import RosterError

    say = _stopwatch()
    settings = _settings()
    try:
        say(f"reading {args.folder}")
        roster = read_roster(
            Path(args.folder),
            progress=lambda name, n: say(f"read {n:,} rows ({name})"),
            options=settings.roster_read_options(),
        )
    except RosterError as exc:
        return _roster_failed(exc)
    except OSError as exc:
        log.debug("roster import could not finish", exc_info=True)
        return _roster_failed(RuntimeError(f"the database could not be used ({type(exc).__name__}: {exc})"))
    say(
        f"OneRoster {roster.version}: {len(roster.schools):,} schools, "
        f"{len(roster.classes):,} classes, {len(roster.users):,} users, "
        f"{len(roster.enrollments):,} enrollments"
    )

    async def work(rt: Runtime) -> ImportSummary:
        async with rt.require_pool().acquire() as conn:
            return await import_roster(conn, roster, dry_run=args.dry_run, progress=say, now=rt.clock.now())

    return _run_roster_work("import", settings, work, say)


def cmd_roster_sync(args: argparse.Namespace) -> int:
    from backend.roster.rest import sync_roster

    say = _stopwatch()
    settings = _settings()

    async def work(rt: Runtime) -> ImportSummary:
        async with rt.require_pool().acquire() as conn:
            return await sync_roster(
                conn,
                settings.roster,
                now=rt.clock.now(),
                full=args.full,
                dry_run=args.dry_run,
                progress=say,
                options=settings.roster_read_options(),
            )

    return _run_roster_work("sync", settings, work, say)


def cmd_calendar_import(args: argparse.Namespace) -> int:
    import uuid
    from pathlib import Path

    from backend.schools.ical import CalendarError, read_calendar
    from backend.schools.service import insert_closed_days

    try:
        school_id = uuid.UUID(args.school_id)
    except ValueError:
        print(f"skolebro: {args.school_id!r} is not a school id (a UUID)", file=sys.stderr)
        return 2
    try:
        calendar = read_calendar(Path(args.file).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, CalendarError) as exc:
        print(f"skolebro: cannot read {args.file}: {exc}", file=sys.stderr)
        return 1

    async def work(rt: Runtime) -> int | None:
        async with rt.require_pool().acquire() as conn, conn.transaction():
            if not await conn.fetchval("SELECT 1 FROM schools WHERE id = $1", school_id):
                return None
            added = await insert_closed_days(conn, school_id, calendar.days)
            if args.dry_run:
                raise _DryRun(len(added))
            return len(added)

    try:
        added = asyncio.run(_with_database(_settings(), work))
    except _DryRun as dry:
        added = dry.count
    if added is None:
        print(f"skolebro: no school with id {school_id}", file=sys.stderr)
        return 1
    print(
        f"{calendar.events} events: {len(calendar.days)} weekdays, {added} new closed days"
        f" ({len(calendar.days) - added} already closed); skipped {calendar.skipped_timed} timed"
        f" and {calendar.skipped_repeating} repeating events"
    )
    if args.dry_run:
        print("dry run: nothing was written")
    return 0


class _DryRun(Exception):
    """Rolls the calendar import back after counting."""

    def __init__(self, count: int) -> None:
        self.count = count


def cmd_jobs_run(args: argparse.Namespace) -> int:
    import json

    from backend.jobs.registry import job_names, run_job
    from backend.lib.clock import parse_instant

    if args.name not in job_names():
        print(f"skolebro: no job {args.name!r}; known: {', '.join(job_names())}", file=sys.stderr)
        return 2
    try:
        at = parse_instant(args.at) if args.at else None
    except ValueError as exc:
        print(f"skolebro: --at needs an RFC 3339 instant with an offset ({exc})", file=sys.stderr)
        return 2

    async def work(rt: Runtime) -> tuple[datetime, dict[str, object]]:
        from notifications.channels import configure

        # the sweep sends SMS and e-mail
        configure(
            rt.settings.sms,
            rt.settings.mail,
            production=rt.settings.is_production,
            public_url=rt.settings.web.public_url,
        )
        now = at or rt.clock.now()
        return now, await run_job(rt.require_pool(), args.name, now, rt.settings.roster_sync())

    now, effects = asyncio.run(_with_database(_settings(), work))
    print(json.dumps({"job": args.name, "ran_at": now.isoformat(), "effects": effects}))
    return 0


def cmd_retention_run(args: argparse.Namespace) -> int:
    from backend.lib.clock import parse_instant
    from backend.retention.service import run_retention

    try:
        at = parse_instant(args.at) if args.at else None
    except ValueError as exc:
        print(f"skolebro: --at needs an RFC 3339 instant with an offset ({exc})", file=sys.stderr)
        return 2
    settings = _settings()

    async def work(rt: Runtime) -> list[str]:
        now = at or rt.clock.now()
        report = await run_retention(
            rt.require_pool(), now, settings.retention, dry_run=args.dry_run, started_by="cli"
        )
        return report.lines()

    for line in asyncio.run(_with_database(settings, work)):
        print(line)
    if args.dry_run:
        print("dry run: nothing was erased")
    return 0


def cmd_archive_extract(args: argparse.Namespace) -> int:
    import uuid
    from pathlib import Path

    from backend.flows.archive_extract import ExtractError, write_extract

    try:
        school_id = uuid.UUID(args.school)
    except ValueError:
        print(f"skolebro: {args.school!r} is not a school id (a UUID)", file=sys.stderr)
        return 2

    async def work(rt: Runtime) -> list[str]:
        async with rt.require_pool().acquire() as conn:
            return await write_extract(conn, school_id, args.school_year, Path(args.out), rt.clock.now())

    try:
        lines = asyncio.run(_with_database(_settings(), work))
    except ExtractError as exc:
        print(f"skolebro: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    return 0


def cmd_dispatcher(args: argparse.Namespace) -> int:
    """Only the push dispatcher: for deployments that split API and push roles."""
    import signal

    from backend.app.background import push_dispatcher

    settings = _settings()
    settings.check_push()  # refuse before anything starts, not in a background task

    async def run(rt: Runtime) -> None:
        task = asyncio.create_task(push_dispatcher(rt))
        probes = None
        if args.metrics_port is not None:
            from backend.ops.probes import serve_probes

            probes = await serve_probes(
                lambda: rt.pool, rt.clock.now, lambda: not task.done(), args.metrics_host, args.metrics_port
            )
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # A graceful stop: claimed rows not yet sent go back to the queue,
            # answers in flight are recorded, the pool closes.
            loop.add_signal_handler(sig, task.cancel)
        try:
            await task
        except asyncio.CancelledError:
            log.info("dispatcher stopped by signal")
        finally:
            if probes is not None:
                probes.close()

    asyncio.run(_with_database(settings, run))
    return 0


def main(argv: list[str] | None = None) -> int:
    from backend.app.logs import configure_logging

    configure_logging()
    parser = argparse.ArgumentParser(prog="skolebro", description="Skolebro school–home service")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the API (with scheduler and dispatcher)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--demo", action="store_true", help="seed the demo school if missing")
    serve.add_argument("--no-scheduler", action="store_true")
    serve.add_argument("--no-dispatcher", action="store_true")
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="apply migrations and exit").set_defaults(func=cmd_migrate)
    sub.add_parser("demo", help="seed the demo school").set_defaults(func=cmd_demo)
    dispatcher = sub.add_parser("dispatcher", help="run only the push dispatcher")
    dispatcher.add_argument(
        "--metrics-port", type=int, default=None, help="serve /metrics, /health and /ready on this port"
    )
    dispatcher.add_argument("--metrics-host", default="127.0.0.1", help="address for --metrics-port")
    dispatcher.set_defaults(func=cmd_dispatcher)

    roster = sub.add_parser("roster", help="roster import").add_subparsers(
        dest="roster_command", required=True
    )
    imp = roster.add_parser("import", help="import OneRoster 1.1 or 1.2 CSV files")
    imp.add_argument("folder", help="folder or .zip with manifest.csv, orgs.csv, users.csv, ...")
    imp.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    imp.set_defaults(func=cmd_roster_import)
    syn = roster.add_parser("sync", help="pull from the OneRoster 1.2 REST provider (SKOLEBRO_ONEROSTER_*)")
    syn.add_argument(
        "--full", action="store_true", help="everything, not only what changed since the last run"
    )
    syn.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    syn.set_defaults(func=cmd_roster_sync)
    calendar = sub.add_parser("calendar", help="school calendars").add_subparsers(
        dest="calendar_command", required=True
    )
    cal = calendar.add_parser("import", help="add the all-day events of an .ics file as closed days")
    cal.add_argument("school_id", help="the school's id")
    cal.add_argument("file", help="an iCalendar (.ics) file, e.g. the municipality's skolerute")
    cal.add_argument("--dry-run", action="store_true", help="count, write nothing")
    cal.set_defaults(func=cmd_calendar_import)
    jobs = sub.add_parser("jobs", help="scheduled jobs").add_subparsers(dest="jobs_command", required=True)
    run = jobs.add_parser("run", help="run a scheduled job once, as if at --at (default: now)")
    from backend.jobs.registry import job_names

    # From the registry itself, so the help never names a job that is not there.
    run.add_argument("name", help="one of: " + ", ".join(job_names()))
    run.add_argument("--at", help="RFC 3339 instant, e.g. 2026-11-23T09:00:00+01:00")
    run.set_defaults(func=cmd_jobs_run)

    retention = sub.add_parser("retention", help="erase what has passed its retention period").add_subparsers(
        dest="retention_command", required=True
    )
    ret = retention.add_parser("run", help="erase (in short batches) and print per category what was erased")
    ret.add_argument("--dry-run", action="store_true", help="count what would be erased, erase nothing")
    ret.add_argument("--at", help="RFC 3339 instant to compute ages from (default: now)")
    ret.set_defaults(func=cmd_retention_run)
    archive = sub.add_parser("archive", help="the archive extract").add_subparsers(
        dest="archive_command", required=True
    )
    ext = archive.add_parser(
        "extract", help="write a school year's archive extract (docs/archive-extract.md)"
    )
    ext.add_argument("--school", required=True, help="the school's id")
    ext.add_argument("--school-year", required=True, help="YYYY-YYYY, e.g. 2026-2027")
    ext.add_argument("--out", required=True, help="folder to write (created; must be empty)")
    ext.set_defaults(func=cmd_archive_extract)

    args = parser.parse_args(argv)
    from backend.db.schema_files import SchemaError

    try:
        return int(args.func(args))
    except SettingsError as exc:
        print(f"skolebro: {exc}", file=sys.stderr)
        return 2
    except SchemaError as exc:  # every command that opens the database migrates first
        print(f"skolebro: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
