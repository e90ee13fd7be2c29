"""Benchmark: server memory under hostile bodies: many large request bodies at once.

    python tests/benchmarks/bench_memory.py [--parallel 32] [--rounds 3]

Starts the real service the way production does (``skolebro serve --demo``:
uvicorn, one worker, the embedded PostgreSQL in a temporary folder), then
sends ``--parallel`` requests at once, each a ~966 KB body of 330,000 empty
objects (``{"marks": [{}, {}, ...]}``, just under the old 1 MB body limit),
``--rounds`` times, to:

1. ``POST /api/v1/auth/logout`` without any token;
2. ``PUT /api/v1/classes/{3A}/attendance/{today}`` signed in as the class's
   contact teacher;
3. the same with a body just under the 64 KB limit (21,000 ``{}``), which is
   read and decoded, so the figure shows the decoding and not only the limit.

For each it prints the server's resident set size (RSS, of the service's own
process; PostgreSQL runs apart) before the burst, the peak while it runs
(sampled every 20 ms) and after, the rise (peak - before), and the status
codes the server answered. The goal is a rise below 50 MB for 32 at once.

Not a pytest test: ``tests/benchmarks/conftest.py`` ignores ``bench_*.py``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-23T06:00:00+00:00"  # Monday 07:00 in Oslo: a school day
TODAY = "2026-11-23"
EMPTY_OBJECTS = 330_000
# Just under the default 64 KB body limit: decoded, and refused at the first {}.
UNDER_LIMIT_OBJECTS = 21_000
MB = 1024 * 1024


def hostile_body(objects: int = EMPTY_OBJECTS) -> bytes:
    return b'{"marks":[' + b",".join([b"{}"] * objects) + b"]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RssSampler:
    """The peak RSS of one process while a burst runs, sampled in a thread."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss(self) -> int:
        return int(self.process.memory_info().rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)

    def __enter__(self) -> RssSampler:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


async def burst(
    base: str, method: str, path: str, headers: dict[str, str], n: int, body: bytes
) -> Counter[str]:
    import aiohttp

    statuses: Counter[str] = Counter()
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(timeout=timeout) as session:

        async def one() -> None:
            try:
                async with session.request(
                    method, base + path, data=body, headers={"Content-Type": "application/json", **headers}
                ) as r:
                    await r.read()
                    statuses[str(r.status)] += 1
            except aiohttp.ClientError as exc:
                # A server may close the connection on a refused body before reading it all.
                statuses[type(exc).__name__] += 1

        await asyncio.gather(*(one() for _ in range(n)))
    return statuses


async def wait_ready(base: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}")
            with contextlib.suppress(aiohttp.ClientError):
                async with session.get(base + "/ready") as r:
                    if r.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise RuntimeError("server not ready")


async def sign_in(base: str, username: str) -> str:
    import aiohttp

    async with aiohttp.ClientSession() as session:
        async with session.post(
            base + "/api/v1/auth/dev-login", json={"username": username, "client": "app"}
        ) as r:
            assert r.status == 200, await r.text()
            return str((await r.json())["access_token"])


async def measure(args: argparse.Namespace, base: str, pid: int, case: str) -> None:
    from backend.roster.demo import demo_id

    body = hostile_body(UNDER_LIMIT_OBJECTS if case == "attendance-under-limit" else EMPTY_OBJECTS)
    if case == "logout":
        name, method, path, headers = "logout (no token)", "POST", "/api/v1/auth/logout", {}
    else:
        token = await sign_in(base, "teacher.3a")
        name = "PUT attendance (teacher.3a)"
        if case == "attendance-under-limit":
            name = f"PUT attendance, {len(body) // 1024} KB"
        method = "PUT"
        path = f"/api/v1/classes/{demo_id('class:3A')}/attendance/{TODAY}"
        headers = {"Authorization": f"Bearer {token}"}
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    sampler = RssSampler(pid)
    before = sampler.rss()
    statuses: Counter[str] = Counter()
    with sampler:
        for _ in range(args.rounds):
            statuses += await burst(base, method, path, headers, args.parallel, body)
    await asyncio.sleep(1.0)
    after = sampler.rss()
    print(
        f"{name:30} load {load}  RSS before {before / MB:7.1f} MB  peak {sampler.peak / MB:7.1f} MB  "
        f"after {after / MB:7.1f} MB  rise {(sampler.peak - before) / MB:7.1f} MB  "
        f"answers {dict(statuses)}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parallel", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    body_size = len(hostile_body())
    print(f"body: {body_size:,} bytes ({EMPTY_OBJECTS:,} empty objects); {args.parallel} in parallel")
    # A fresh server per case, so the second does not start from the first one's heap.
    for case in ("logout", "attendance", "attendance-under-limit"):
        run_case(args, case)
    return 0


def run_case(args: argparse.Namespace, case: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory(prefix="skolebro-bench-memory-") as workdir:
        env = {
            **os.environ,
            "SKOLEBRO_ENV": "dev",
            "SKOLEBRO_DATA_DIR": str(Path(workdir) / "service"),
            "SKOLEBRO_NOW": NOW,
            "SKOLEBRO_LOG_LEVEL": "warning",
            "SKOLEBRO_AUTH_RATE_LIMIT": "1000000",
        }
        env.pop("DATABASE_URL", None)
        argv = [sys.executable, "-m", "backend.app.cli", "serve", "--demo", "--port", str(port)]
        argv += ["--no-scheduler", "--no-dispatcher"]
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        try:
            asyncio.run(wait_ready(base, proc))
            asyncio.run(measure(args, base, proc.pid, case))
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    sys.exit(main())
