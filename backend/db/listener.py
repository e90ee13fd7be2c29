"""One LISTEN connection per process, fanned out in memory to many subscribers.

The morning overview's streams (``/web/morning/events``) each wait for "something at
my school changed". Giving every open stream its own connection, or letting each poll,
would cost the database a session or a query per browser tab; instead the process
holds ONE connection that LISTENs on a channel and wakes, in memory, the subscribers
of the key a notification names (a school's id). Notifications come from triggers
(migration 0051), so a change made by any replica, job or the CLI reaches every
replica's listeners.

LISTEN needs a session that stays open: the connection is made to the direct URL
(``SKOLEBRO_DIRECT_DATABASE_URL``), never through PgBouncer in transaction mode,
which would hand the session to someone else between transactions and lose the
LISTEN. When the connection is lost (PostgreSQL restarted, a failover, a network cut)
the listener reconnects with a growing pause and then wakes EVERY subscriber, since
notifications sent meanwhile are gone: each one looks again once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field

import asyncpg

log = logging.getLogger("skolebro.listener")


@dataclass(eq=False)
class Subscription:
    """What one subscriber waits on: set when any of its keys changed."""

    keys: frozenset[str]
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def wait(self, seconds: float) -> bool:
        """True once something changed (and clears it), False after ``seconds``."""
        try:
            await asyncio.wait_for(self.changed.wait(), seconds)
        except TimeoutError:
            return False
        self.changed.clear()
        return True


class Listener:
    """LISTEN on ``channel`` over one connection; wake the subscribers of each payload.

    Started by the first subscriber, so a process nobody watches opens no connection;
    ``close`` (at shutdown) ends it.
    """

    def __init__(
        self,
        channel: str,
        dsn: Callable[[], str | None],
        *,
        min_retry_seconds: float = 0.5,
        max_retry_seconds: float = 10.0,
    ) -> None:
        self.channel = channel
        self._dsn = dsn
        self._by_key: dict[str, set[Subscription]] = {}
        self._task: asyncio.Task[None] | None = None
        self._min_retry = min_retry_seconds
        self._max_retry = max_retry_seconds
        self.connected = asyncio.Event()
        self.connections_made = 0  # for tests and metrics: how often it (re)connected
        self.backend_pid: int | None = None

    @property
    def subscribers(self) -> int:
        return len({s for subs in self._by_key.values() for s in subs})

    @contextlib.asynccontextmanager
    async def subscribe(self, keys: Iterable[str]) -> AsyncIterator[Subscription]:
        """Wait on changes to ``keys`` for the life of the block (a stream's life)."""
        sub = Subscription(frozenset(keys))
        for key in sub.keys:
            self._by_key.setdefault(key, set()).add(sub)
        self._ensure_running()
        try:
            yield sub
        finally:
            # A closed stream leaves nothing behind.
            for key in sub.keys:
                subs = self._by_key.get(key)
                if subs is not None:
                    subs.discard(sub)
                    if not subs:
                        del self._by_key[key]

    def _ensure_running(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name=f"listen:{self.channel}")

    def _notified(self, _conn: object, _pid: int, _channel: str, payload: str) -> None:
        for sub in self._by_key.get(payload, ()):
            sub.changed.set()

    def _wake_all(self) -> None:
        for subs in self._by_key.values():
            for sub in subs:
                sub.changed.set()

    async def _run(self) -> None:
        pause = self._min_retry
        first = True
        while True:
            conn: asyncpg.Connection | None = None
            try:
                dsn = self._dsn()
                if dsn is None:
                    raise OSError("no database to listen to yet")
                lost = asyncio.Event()
                # No statement cache: the connection runs only LISTEN.
                conn = await asyncpg.connect(dsn, statement_cache_size=0)
                conn.add_termination_listener(lambda _c, lost=lost: lost.set())
                await conn.add_listener(self.channel, self._notified)
                self.backend_pid = conn.get_server_pid()
                self.connections_made += 1
                self.connected.set()
                if not first:
                    log.info("LISTEN %s: reconnected", self.channel)
                    self._wake_all()  # what changed while we were away is unknown
                first = False
                pause = self._min_retry
                await lost.wait()
                log.warning("LISTEN %s: connection closed; reconnecting", self.channel)
            except asyncio.CancelledError:
                raise
            except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                log.warning("LISTEN %s: cannot listen (%s); retrying in %.1f s", self.channel, exc, pause)
            finally:
                self.connected.clear()
                if conn is not None and not conn.is_closed():
                    with contextlib.suppress(Exception):
                        await asyncio.wait_for(conn.close(), 2)
            first = False
            await asyncio.sleep(pause)
            pause = min(pause * 2, self._max_retry)

    async def close(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._wake_all()
