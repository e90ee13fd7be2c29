"""The embedded PostgreSQL used when no ``DATABASE_URL`` is set.

pgserver starts a real server from a wheel, with data in a local folder and
a Unix socket only. A server left running by a killed process is found
through its ``postmaster.pid`` and reused.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger("skolebro.db")


def _forget_dead_handles(pgdata: Path) -> None:
    """Drop processes that died without saying goodbye from pgserver's handle list.

    pgserver stops the server when its last handle exits; a killed process stays
    on the list for ever, and then no later process would ever stop the server.
    """
    handles = pgdata / ".handle_pids.json"
    if not handles.exists():
        return
    import psutil

    try:
        pids = json.loads(handles.read_text())
    except ValueError:
        pids = []
    alive = [pid for pid in pids if isinstance(pid, int) and psutil.pid_exists(pid)]
    if alive != pids:
        log.info(
            "embedded PostgreSQL: forgetting handles of ended processes %s", sorted(set(pids) - set(alive))
        )
        handles.write_text(json.dumps(alive))


def start_embedded(data_dir: Path, database: str = "skolebro") -> str:
    """Start (or reuse) the embedded server and return a DSN for ``database``."""
    try:
        import pgserver
    except ImportError as exc:  # the production image leaves the extra out
        from backend.lib.config import SettingsError

        raise SettingsError(
            "No DATABASE_URL and no embedded PostgreSQL: set DATABASE_URL, "
            "or install the embedded one with pip install -e '.[embedded]'."
        ) from exc

    pgdata = data_dir / "pgdata"
    pgdata.mkdir(parents=True, exist_ok=True)
    _forget_dead_handles(pgdata)
    log.info("starting embedded PostgreSQL in %s", pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    info = server.get_postmaster_info()
    socket_dir = info.socket_dir
    existing = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")
    if "(1 row)" not in existing:
        server.psql(f'CREATE DATABASE "{database}";')
    port = info.port or 5432
    return f"postgresql://postgres@/{database}?host={quote(str(socket_dir))}&port={port}"
