"""A real PgBouncer in transaction mode in front of the test PostgreSQL (Debian's
``pgbouncer`` package; .ci/run installs it), on 127.0.0.1 and a free port."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgBouncer:
    def __init__(self, server_dsn: str) -> None:
        binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
        if not Path(binary).exists():
            raise RuntimeError("pgbouncer is not installed: apt-get install -y pgbouncer (see .ci/run)")
        parts = urlsplit(server_dsn)
        query = parse_qs(parts.query)
        host = query.get("host", [parts.hostname or "127.0.0.1"])[0]
        server_port = query.get("port", [str(parts.port or 5432)])[0]
        user = parts.username or "postgres"
        self.port = _free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="skolebro-pgbouncer-"))
        self.folder.chmod(0o755)
        config = self.folder / "pgbouncer.ini"
        config.write_text(
            "[databases]\n"
            # Every database name of the server, so each test's own copy works too.
            f"* = host={host} port={server_port} user={user}\n"
            "[pgbouncer]\n"
            "listen_addr = 127.0.0.1\n"
            f"listen_port = {self.port}\n"
            "unix_socket_dir =\n"
            "auth_type = any\n"
            "pool_mode = transaction\n"
            "max_client_conn = 200\n"
            "default_pool_size = 10\n"
            "ignore_startup_parameters = extra_float_digits\n"
            "server_reset_query =\n"
        )
        config.chmod(0o644)
        argv = [binary, str(config)]
        if os.geteuid() == 0:
            # PgBouncer refuses to run as root; pgserver made this user for PostgreSQL.
            argv[1:1] = ["-u", "pgserver"]
        self.log = open(self.folder / "pgbouncer.log", "wb")
        self.process = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"pgbouncer exited: {(self.folder / 'pgbouncer.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def dsn(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
