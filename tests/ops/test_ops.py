"""Operations: health, readiness through a real database outage, metrics, request ids,
the OpenAPI document, and the ``skolebro migrate`` / ``skolebro demo`` commands."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from litestar.testing import AsyncTestClient

from backend.app.factory import build_runtime, create_app
from backend.db.migrate import migration_files
from tests.support.database import with_database
from tests.support.demo import DEFAULT_NOW, OLA
from tests.support.problems import assert_problem
from tests.support.tokens import bearer


async def test_health(client):
    r = await client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


async def test_ready(client):
    r = await client.get("/ready")
    assert r.status_code == 200 and r.json()["status"] == "ready"


async def test_not_ready_while_migrations_are_pending(client, db):
    await db.execute("DELETE FROM schema_migrations WHERE name = $1", migration_files()[-1][0])
    r = await client.get("/ready")
    assert r.status_code == 503 and r.json()["reason"] == "migrations pending"


# --- a real outage: a PostgreSQL of our own, stopped and started again --------------


class Postgres:
    """A second embedded server the test may stop, unlike the session's shared one."""

    def __init__(self) -> None:
        import pgserver

        self.dir = Path(tempfile.mkdtemp(prefix="skolebro-outage-"))
        self.dir.chmod(0o777)  # pgserver runs postgres as its own system user
        self.server = pgserver.get_server(self.dir / "pgdata", cleanup_mode="delete")
        self.socket_dir = self.server.get_postmaster_info().socket_dir

    def dsn(self) -> str:
        return str(self.server.get_uri())

    def _pg_ctl(self, *args: str) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(list(args), pgdata=self.server.pgdata, user=self.server.system_user)

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        # the same socket as before, so the service's DSN finds it again
        self._pg_ctl("-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.server.log), "start")

    def close(self) -> None:
        self.server.cleanup()


@pytest.fixture
def outage_server() -> Iterator[Postgres]:
    pg = Postgres()
    yield pg
    pg.close()


async def _ready_status(c: Any) -> int:
    return (await c.get("/ready")).status_code


@pytest.mark.restartable_postgres
async def test_ready_follows_the_database_down_and_back_up(settings, outage_server):
    rt = build_runtime(settings, dsn=outage_server.dsn())
    token = rt.tokens.issue(uuid.uuid4(), "app", rt.clock.now())
    async with AsyncTestClient(app=create_app(runtime=rt), raise_server_exceptions=False) as c:
        assert await _ready_status(c) == 200  # migrated at start-up
        await asyncio.to_thread(outage_server.stop)
        assert await _ready_status(c) == 503
        assert await _ready_status(c) == 503
        # requests that need the database say so, as a problem document, not a crash
        r = await c.get("/api/v1/me", headers=bearer(token))
        body = assert_problem(r, 503, "unavailable")
        assert "Traceback" not in body["detail"] and r.headers["retry-after"]
        assert (await c.get("/health")).status_code == 200  # the process itself is fine
        await asyncio.to_thread(outage_server.start)
        for _ in range(20):  # nobody restarts the service: it recovers by itself
            if await _ready_status(c) == 200:
                break
            await asyncio.sleep(0.25)
        assert await _ready_status(c) == 200
        # a person unknown to this empty roster: 401, i.e. the database answered
        assert_problem(await c.get("/api/v1/me", headers=bearer(token)), 401)


# --- metrics and request ids -------------------------------------------------------


def _count(text: str, pattern: str) -> int:
    m = re.search(pattern + r" (\d+)", text)
    return int(m.group(1)) if m else 0


async def test_metrics_count_refusals_by_their_real_status(client):
    unauthorized = r'skolebro_http_requests_total\{method="GET",route="/api/v1/me",status="401"\}'
    unmatched = r'skolebro_http_requests_total\{method="GET",route="unmatched",status="404"\}'
    before = (await client.get("/metrics")).text
    await client.get("/api/v1/me")
    await client.get("/no/such/route")
    after = (await client.get("/metrics")).text
    assert _count(after, unauthorized) == _count(before, unauthorized) + 1
    assert _count(after, unmatched) == _count(before, unmatched) + 1


async def test_metrics_in_prometheus_text(client, tokens):
    await client.get(f"/api/v1/pupils/{OLA}/absence-reports", headers=await tokens.headers("guardian.hansen"))
    await client.get("/health")
    await client.get("/api/v1/me")
    r = await client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert "# TYPE skolebro_http_requests_total counter" in text
    assert re.search(
        r'skolebro_http_requests_total\{method="GET",route="/health",status="200"\}'
        r" \d+",
        text,
    )
    assert re.search(r'status="401"\} \d+', text)
    assert "skolebro_http_request_seconds_bucket" in text
    assert re.search(r"^skolebro_db_pool_size \d+", text, re.M)
    sample = re.compile(r'[a-z_]+(\{([a-z_]+="[^"]*",?)*\})? [0-9.e+-]+')
    for line in text.strip().splitlines():  # every sample line is "name{labels} number"
        assert line.startswith("#") or sample.fullmatch(line), line


async def test_request_id_is_echoed_or_made(client):
    r = await client.get("/health", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    made = (await client.get("/health")).headers["x-request-id"]
    assert re.fullmatch(r"[0-9a-f]{32}", made)
    other = (await client.get("/health")).headers["x-request-id"]
    assert other != made
    # errors raised before any handler runs carry it too
    r = await client.get("/api/v1/me", headers={"X-Request-ID": "err-7"})
    assert r.status_code == 401 and r.headers["x-request-id"] == "err-7"
    r = await client.get("/no/such/route", headers={"X-Request-ID": "err-8"})
    assert r.status_code == 404 and r.headers["x-request-id"] == "err-8"
    r = await client.post("/health", headers={"X-Request-ID": "err-9"})
    assert r.status_code == 405 and r.headers["x-request-id"] == "err-9"


# --- the OpenAPI document --------------------------------------------------------


@pytest.fixture
async def spec(client) -> dict[str, Any]:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][name]
    return schema


async def test_openapi_documents_every_route(client, spec):
    app = client.app
    for route in app.routes:
        # The web portal's HTML pages are not part of the JSON API document.
        if route.path.startswith(("/schema", "/web")):
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        assert path in spec["paths"], path
        for method in route.methods - {"OPTIONS", "HEAD"}:
            assert method.lower() in spec["paths"][path], (method, path)


async def test_openapi_documents_errors_as_problem_documents(spec):
    public = {"/api/v1/auth/token", "/api/v1/auth/dev-login", "/api/v1/webpush/public-key"}
    for path, ops in spec["paths"].items():
        if not path.startswith("/api/v1"):
            continue
        for method, op in ops.items():
            errors = {int(s): r for s, r in op["responses"].items() if int(s) >= 400}
            assert errors, (method, path)
            if path not in public:
                assert 401 in errors, (method, path)
            for status, response in errors.items():
                assert "application/problem+json" in response.get("content", {}) or status == 400, (
                    method,
                    path,
                    status,
                )
            if "{pupil_id}" in path or "{school_id}" in path:
                assert 404 in errors, (method, path)


async def test_openapi_shows_request_constraints(spec):
    post = spec["paths"]["/api/v1/pupils/{pupil_id}/absence-reports"]["post"]
    assert {"201", "403", "404", "409", "422"} <= post["responses"].keys()
    body = _resolve(spec, post["requestBody"]["content"]["application/json"]["schema"])
    props = body["properties"]
    assert props["note"]["maxLength"] == 500
    assert sorted(_resolve(spec, props["reason"])["enum"]) == [
        "dentist",
        "doctor",
        "funeral",
        "hospital",
        "other",
        "sick",
    ]
    assert props["from_time"]["pattern"] and props["to_time"]["pattern"]
    assert set(body["required"]) == {"first_day", "reason"}
    get = spec["paths"]["/api/v1/pupils/{pupil_id}/absence-reports"]["get"]
    limit = next(p for p in get["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 200 and limit["schema"]["minimum"] == 1
    assert any(p["name"] == "from" for p in get["parameters"])
    token = spec["paths"]["/api/v1/auth/token"]["post"]
    assert "application/x-www-form-urlencoded" in token["requestBody"]["content"]
    assert "503" in spec["paths"]["/ready"]["get"]["responses"]
    assert spec["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


# --- the command line -----------------------------------------------------------


def _skolebro() -> list[str]:
    script = Path(sys.executable).with_name("skolebro")
    return [str(script)] if script.exists() else [sys.executable, "-m", "backend.app.cli"]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_skolebro(), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.fixture
async def fresh_database(server_dsn: str) -> Any:
    name = f"cli_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    yield with_database(server_dsn, name)
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


async def _counts(dsn: str) -> tuple[int, ...]:
    conn = await asyncpg.connect(dsn)
    try:
        return tuple(
            [
                await conn.fetchval(f"SELECT count(*) FROM {t}")
                for t in (
                    "schema_migrations",
                    "schools",
                    "people",
                    "classes",
                    "guardian_relations",
                    "staff_assignments",
                )
            ]
        )
    finally:
        await conn.close()


async def test_cli_migrate_and_demo_are_repeatable(fresh_database, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database,
        "SKOLEBRO_ENV": "dev",
        "SKOLEBRO_DATA_DIR": str(tmp_path),
        "SKOLEBRO_NOW": DEFAULT_NOW.isoformat(),
    }
    for _ in range(2):
        done = await asyncio.to_thread(_run, env, "migrate")
        assert done.returncode == 0, done.stderr
        assert "migrations applied" in done.stdout
    assert (await _counts(fresh_database))[0] == len(migration_files())

    first = await asyncio.to_thread(_run, env, "demo")
    assert first.returncode == 0, first.stderr
    assert "demo school seeded" in first.stdout and "guardian.hansen" in first.stdout
    seeded = await _counts(fresh_database)
    # Vassenden skule (1A–10B) and Sunnfjord vidaregåande skule (VG1A).
    assert seeded[1] == 2 and seeded[3] == 21 and seeded[2] > 400

    second = await asyncio.to_thread(_run, env, "demo")
    assert second.returncode == 0, second.stderr
    assert "already present" in second.stdout
    assert await _counts(fresh_database) == seeded


async def test_cli_refuses_production_without_settings(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SKOLEBRO_", "DATABASE_"))}
    env.update({"SKOLEBRO_ENV": "production", "SKOLEBRO_DATA_DIR": str(tmp_path)})
    done = await asyncio.to_thread(_run, env, "serve")
    assert done.returncode == 2
    assert "SKOLEBRO_SIGNING_KEY" in done.stderr and "Traceback" not in done.stderr
    # migrate needs only the database, so that is all it asks for
    done = await asyncio.to_thread(_run, env, "migrate")
    assert done.returncode == 2
    assert "DATABASE_URL" in done.stderr and "SIGNING_KEY" not in done.stderr


def test_skolebro_now_starts_the_clock_there(tmp_path, signing_key):
    from backend.app.settings import Settings

    settings = Settings.from_env(
        {
            "SKOLEBRO_ENV": "test",
            "SKOLEBRO_DATA_DIR": str(tmp_path),
            "SKOLEBRO_SIGNING_KEY": signing_key,
            "SKOLEBRO_NOW": "2026-11-23T08:29:00+01:00",
        }
    )
    rt = build_runtime(settings, dsn="postgresql://unused/")
    assert abs(rt.clock.now().timestamp() - DEFAULT_NOW.timestamp() - 89 * 60) < 5
