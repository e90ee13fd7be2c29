"""Metrics of the push path, jobs and cases, in Prometheus text from the API's
``/metrics`` and from ``skolebro dispatcher --metrics-port``."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from backend.app.cli import main as cli_main
from notifications.outbox import notify
from tests.support.demo import person
from tests.support.push import add_device, make_dispatcher
from tests.support.routine import run_job
from tests.support.waiting import eventually

ROOT = Path(__file__).resolve().parents[2]
HANSEN = person("guardian.hansen")
OLA = person("pupil.ola")


def value(text: str, name: str, **labels: str) -> float:
    """One sample's value (0 when the series is absent), whatever the label order."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if not m or m.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', m.group(2) or ""))
        if all(found.get(k) == v for k, v in labels.items()):
            return float(m.group(3))
    return 0.0


async def scrape(client) -> str:
    r = await client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return r.text


async def _queue_one(db, clock, *, urgent: bool) -> None:
    await notify(
        db,
        recipients=[HANSEN],
        kind="missing_pupil" if urgent else "still_sick",
        data={"pupil_id": OLA, "case_id": uuid.uuid4()},
        params={"pupil": "Ola", "subject": "Matematikk"},
        urgent=urgent,
        now=clock.now(),
    )


async def test_the_push_queue_and_its_oldest_due_delivery_are_gauges(client, db, clock):
    await add_device(db, HANSEN)
    empty = await scrape(client)
    assert value(empty, "skolebro_push_queue", status="pending", urgency="urgent") == 0
    assert value(empty, "skolebro_push_oldest_due_age_seconds") == 0
    await _queue_one(db, clock, urgent=True)
    await _queue_one(db, clock, urgent=False)
    await _queue_one(db, clock, urgent=False)
    clock.set(clock.now() + timedelta(seconds=90))
    text = await scrape(client)
    assert value(text, "skolebro_push_queue", status="pending", urgency="urgent") == 1
    assert value(text, "skolebro_push_queue", status="pending", urgency="normal") == 2
    assert 89 <= value(text, "skolebro_push_oldest_due_age_seconds") <= 120


async def test_push_outcomes_and_send_latency_are_counted(client, db, clock, pool, transport, fcm):
    before = await scrape(client)
    await add_device(db, HANSEN)
    await add_device(db, HANSEN, f"unregistered-{uuid.uuid4().hex}")
    await _queue_one(db, clock, urgent=True)
    await make_dispatcher(pool, transport, clock).run_once()
    after = await scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("skolebro_push_deliveries_total", outcome="sent") == 1
    assert delta("skolebro_push_deliveries_total", outcome="token_removed") == 1
    assert delta("skolebro_push_send_seconds_count") >= 1
    assert value(after, "skolebro_push_queue", status="pending", urgency="urgent") == 0


async def test_a_push_read_before_it_went_counts_as_dropped(client, db, clock, pool, transport, fcm):
    await add_device(db, HANSEN)
    await _queue_one(db, clock, urgent=False)
    await db.execute("UPDATE notifications SET read_at = $1", clock.now())
    before = value(await scrape(client), "skolebro_push_deliveries_total", outcome="dropped")
    await make_dispatcher(pool, transport, clock).run_once()
    after = value(await scrape(client), "skolebro_push_deliveries_total", outcome="dropped")
    assert after == before + 1 and not fcm.received()


async def test_job_runs_and_their_last_success_are_shown(client, tokens):
    before = value(await scrape(client), "skolebro_job_runs_total", job="missing-pupil-sweep", outcome="ok")
    await run_job(client, tokens, "missing-pupil-sweep")
    text = await scrape(client)
    assert value(text, "skolebro_job_runs_total", job="missing-pupil-sweep", outcome="ok") == before + 1
    assert value(text, "skolebro_job_last_success_timestamp_seconds", job="missing-pupil-sweep") > 1.7e9


async def test_open_missing_pupil_cases_by_status(client, db, clock):
    row = await db.fetchrow(
        "SELECT e.class_id, e.school_id FROM class_enrollments e WHERE e.pupil_id = $1", OLA
    )
    await db.execute(
        "INSERT INTO missing_cases (id, school_id, class_id, pupil_id, day, missing_from, status,"
        " opened_by, opened_at) VALUES ($1, $2, $3, $4, $5, '08:30', 'escalated', $6, $7)",
        uuid.uuid4(),
        row["school_id"],
        row["class_id"],
        OLA,
        clock.now().date(),
        person("teacher.3a"),
        clock.now(),
    )
    text = await scrape(client)
    assert value(text, "skolebro_missing_cases_open", status="escalated") == 1
    assert value(text, "skolebro_missing_cases_open", status="pending") == 0


async def test_process_metrics_come_along(client):
    text = await scrape(client)
    assert value(text, "process_resident_memory_bytes") > 1_000_000
    assert "# TYPE skolebro_http_request_seconds histogram" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_the_dispatcher_serves_metrics_health_and_ready(db, db_dsn, clock, fcm, tmp_path):
    await add_device(db, HANSEN)
    await _queue_one(db, clock, urgent=True)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_DATA_DIR": str(tmp_path),
        "SKOLEBRO_NOW": clock.now().isoformat(),
        "SKOLEBRO_FCM_CREDENTIALS": fcm.service_account(tmp_path / "sa.json"),
        "SKOLEBRO_FCM_ENDPOINT": fcm.endpoint,
        "SKOLEBRO_FCM_CA_FILE": fcm.ca_file,
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "backend.app.cli", "dispatcher", "--metrics-port", str(port)),
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as http:

            async def get(path: str) -> tuple[int, str]:
                try:
                    async with http.get(base + path) as r:
                        return r.status, await r.text()
                except aiohttp.ClientConnectionError:
                    return 0, ""

            await eventually(lambda: _ok(get("/health")), within=30)
            assert await get("/ready") == (200, '{"status": "ready"}')
            await eventually(lambda: len(fcm.received()) == 1, within=30)

            async def counted() -> bool:
                _, text = await get("/metrics")
                return value(text, "skolebro_push_deliveries_total", outcome="sent") == 1

            await eventually(counted, within=10)
            _, text = await get("/metrics")
            assert value(text, "skolebro_push_queue", status="pending", urgency="urgent") == 0
            assert value(text, "process_cpu_seconds_total") > 0
            assert (await get("/nothing"))[0] == 404
    finally:
        proc.terminate()
        await proc.wait()


async def _ok(response) -> bool:
    status, _ = await response
    return status == 200


def test_production_refuses_a_dispatcher_without_fcm_credentials(monkeypatch, tmp_path, capsys):
    key = tmp_path / "key.pem"
    monkeypatch.setenv("SKOLEBRO_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql://skolebro@127.0.0.1:1/skolebro")
    monkeypatch.setenv("SKOLEBRO_SIGNING_KEY", str(key))
    monkeypatch.setenv(
        "SKOLEBRO_IDENTITY_PROVIDERS",
        '[{"name": "feide", "issuer": "https://auth.dataporten.no", "audience": "x",'
        ' "jwks_url": "https://auth.dataporten.no/openid/jwks"}]',
    )
    monkeypatch.delenv("SKOLEBRO_FCM_CREDENTIALS", raising=False)
    monkeypatch.delenv("SKOLEBRO_PUSH", raising=False)
    monkeypatch.delenv("SKOLEBRO_NOW", raising=False)
    assert cli_main(["dispatcher"]) == 2
    assert "SKOLEBRO_PUSH=log" in capsys.readouterr().err
    assert cli_main(["serve"]) == 2
    assert "FCM credentials" in capsys.readouterr().err


@pytest.mark.parametrize("push", ["log"])
def test_production_may_ask_for_logged_pushes_explicitly(push, monkeypatch):
    from backend.app.settings import Settings
    from notifications.settings import PushSettings

    settings = Settings(env="production", push=PushSettings(mode=push))
    assert settings.check_push() == "log"
    assert (
        Settings(env="production", push=PushSettings(fcm_credentials="/run/secrets/fcm.json")).check_push()
        == "fcm"
    )
