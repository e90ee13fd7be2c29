"""The service process: graceful SIGTERM stops the embedded PostgreSQL; a server
left behind by a killed process is found and reused by the next start."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def postmaster_pid(data_dir: Path) -> int | None:
    pidfile = data_dir / "pgdata" / "postmaster.pid"
    if not pidfile.exists():
        return None
    return int(pidfile.read_text().splitlines()[0])


def alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update({"SKOLEBRO_DATA_DIR": str(data_dir), "SKOLEBRO_ENV": "test", "SKOLEBRO_LOG_LEVEL": "warning"})
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backend.app.cli",
            "serve",
            "--port",
            str(port),
            "--no-scheduler",
            "--no-dispatcher",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/ready", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise AssertionError(f"serve exited: {err}")
        time.sleep(0.3)
    proc.kill()
    raise AssertionError("the service did not become ready within 60 s")


def wait_gone(pid: int | None, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.2)
    return False


@pytest.mark.restartable_postgres
def test_sigterm_stops_cleanly_and_a_killed_service_leaves_a_reusable_server(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()

    proc = start(data_dir, port)
    pg = postmaster_pid(data_dir)
    assert alive(pg)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert wait_gone(pg), "the embedded PostgreSQL outlived a graceful shutdown"

    proc = start(data_dir, port)
    pg = postmaster_pid(data_dir)
    proc.kill()
    proc.wait(timeout=10)
    assert alive(pg), "a killed service cannot stop its server; it must be left to reuse"

    proc = start(data_dir, port)
    assert postmaster_pid(data_dir) == pg, "the next start reuses the server left behind"
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert wait_gone(pg)
