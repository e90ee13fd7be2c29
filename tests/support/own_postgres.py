"""A PostgreSQL server of a test's own, to stop, freeze and thaw without touching the
session's shared one (tests/conftest.py). The same pgserver binaries, its own folder."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path
from urllib.parse import quote

import asyncpg
import psutil

from backend.db.migrate import apply_migrations
from backend.db.pool import _init_connection
from backend.roster.demo import seed_demo
from tests.support.factories import seed_other_school


class OwnPostgres:
    def __init__(self, folder: Path) -> None:
        import pgserver

        self.pgdata = folder / "pgdata"
        self.server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        info = self.server.get_postmaster_info()
        self.socket_dir = str(info.socket_dir)
        self.port = info.port or 5432
        self._user = self.server.system_user

    def dsn(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@/{database}?host={quote(self.socket_dir)}&port={self.port}"

    async def demo_database(self, name: str, now: object) -> str:
        admin = await asyncpg.connect(self.dsn())
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
        finally:
            await admin.close()
        conn = await asyncpg.connect(self.dsn(name))
        try:
            await _init_connection(conn)
            await apply_migrations(conn)
            await seed_demo(conn, now)  # type: ignore[arg-type]
            await seed_other_school(conn)
        finally:
            await conn.close()
        return self.dsn(name)

    def processes(self) -> list[psutil.Process]:
        # postmaster.pid, not pgserver's cached handle: the server may have been restarted.
        pid = int((self.pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        postmaster = psutil.Process(pid)
        return [postmaster, *postmaster.children(recursive=True)]

    def freeze(self) -> None:
        """SIGSTOP every server process: connections stay open and nothing answers."""
        for p in self.processes():
            os.kill(p.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for p in self.processes():
            os.kill(p.pid, signal.SIGCONT)

    def stop(self) -> None:
        """Stop at once, as a crash or a failover would (no checkpoint, connections cut)."""
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.pgdata, user=self._user, timeout=30)

    def start(self) -> None:
        """Start again on the same socket, so the service's DSN stays right."""
        from pgserver._commands import pg_ctl

        args = ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-o", f"-p {self.port}"]
        args += ["-l", str(self.pgdata / "restart.log"), "start"]
        pg_ctl(args, pgdata=self.pgdata, user=self._user, timeout=30)

    def close(self) -> None:
        try:
            self.thaw()
        except (OSError, ValueError, psutil.Error):
            pass
        self.server.cleanup()
        # pgserver stops only the postmaster it started; one started again by start()
        # would outlive the test session.
        if (self.pgdata / "postmaster.pid").exists():
            from pgserver._commands import pg_ctl

            with contextlib.suppress(subprocess.CalledProcessError):  # a stale pid file
                pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self._user, timeout=30)
