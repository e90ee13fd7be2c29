"""What a newcomer meets first: the README's token example works as written,
``/`` leads to the portal's sign-in, the job names agree everywhere, and each checkout
keeps its own data folder."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from backend.app.settings import Settings
from backend.jobs.registry import job_names
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def served(db_dsn, tmp_path):
    """``skolebro serve`` on a free port, against the test's seeded database."""
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_DATA_DIR": str(tmp_path),
        "SKOLEBRO_NOW": "2026-11-23T07:00:00+01:00",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "backend.app.cli", "serve", "--port", str(port), "--no-scheduler", "--no-dispatcher"),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"

    async def up() -> bool:
        try:
            async with aiohttp.ClientSession() as s, s.get(base + "/health") as r:
                return r.status == 200
        except aiohttp.ClientConnectionError:
            return False

    try:
        await eventually(up, within=60)
        yield port
    finally:
        proc.terminate()
        await proc.wait()


def _quick_start_snippet() -> str:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    [snippet] = [b for b in blocks if "ACCESS_TOKEN=" in b]
    return snippet


async def test_the_readme_token_example_works_as_written(served):
    snippet = _quick_start_snippet().replace("127.0.0.1:8000", f"127.0.0.1:{served}")
    out = await asyncio.to_thread(
        subprocess.run,
        ["bash", "-euo", "pipefail", "-c", snippet],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    me = json.loads(out.stdout)
    assert me["name"] and {c["name"] for c in me["children"]} >= {"Ola Hansen", "Kari Hansen"}


async def test_the_root_and_unknown_portal_pages_lead_to_sign_in(client):
    for path in ("/", "/web", "/web/no-such-page", "/web/leave/extra/parts"):
        r = await client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].split("?")[0] == "/web/login", path
    page = await client.get("/", follow_redirects=True)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    # The API and the portal's assets keep their 404s: a client must see the error.
    assert (await client.get("/api/v1/no-such-thing")).status_code == 404
    assert (await client.get("/web/static/no-such.css")).status_code == 404
    assert (await client.post("/web/no-such-page")).status_code in (404, 405)


def test_the_job_names_agree_in_the_cli_the_readme_and_the_registry():
    names = job_names()
    assert "missing-pupil-sweep" in names and "absence-check-reminders" in names
    help_text = subprocess.run(
        [sys.executable, "-m", "backend.app.cli", "jobs", "run", "--help"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env={**os.environ, "COLUMNS": "1000"},  # argparse would wrap inside a name
    ).stdout
    listed = re.search(r"one of: ([a-z, -]+)$", help_text, re.M)
    assert listed and [n.strip() for n in listed.group(1).split(",")] == names
    paragraph = README[README.index("skolebro jobs run NAME") :].split("), or")[0]
    assert sorted(re.findall(r"`([a-z]+(?:-[a-z]+)*)`", paragraph)) == names


def test_each_checkout_has_its_own_data_folder():
    assert Settings.from_env({}).data_dir == ROOT / ".skolebro"
    assert Settings.from_env({"SKOLEBRO_DATA_DIR": "/srv/x"}).data_dir == Path("/srv/x")
    ignored = (ROOT / ".gitignore").read_text().splitlines()
    assert ".skolebro/" in ignored
