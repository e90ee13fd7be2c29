"""The deployment as an operator reads it: manifests that parse and carry
what a cluster needs, an image built from a lock file without the embedded PostgreSQL,
and a migrate command that needs nothing but the database."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import asyncpg
import yaml

from backend.app.settings import Settings
from backend.jobs.scheduler import JOBS_POOL_SIZE
from tests.support.database import with_database

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "infra" / "k8s"


def _documents() -> list[dict[str, Any]]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    return docs


def _pods(kind: str) -> list[tuple[str, dict[str, Any]]]:
    return [(d["metadata"]["name"], d["spec"]["template"]) for d in _documents() if d["kind"] == kind]


def test_every_pod_runs_non_root_read_only_without_escalation_on_a_pinned_image():
    pods = _pods("Deployment") + _pods("Job")
    assert {name for name, _ in pods} == {"skolebro-api", "skolebro-dispatcher", "skolebro-migrate"}
    for name, template in pods:
        spec = template["spec"]
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for container in spec["containers"]:
            sc = container["securityContext"]
            assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False, name
            assert sc["capabilities"]["drop"] == ["ALL"], name
            image = container["image"]
            assert re.search(r":\d+\.\d+\.\d+$|@sha256:[0-9a-f]{64}$", image), (name, image)


def test_deployments_have_startup_probes_budgets_and_scrape_annotations():
    budgets = {d["metadata"]["name"]: d for d in _documents() if d["kind"] == "PodDisruptionBudget"}
    for name, template in _pods("Deployment"):
        [container] = template["spec"]["containers"]
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert probe in container, (name, probe)
        assert container["readinessProbe"]["httpGet"]["path"] == "/ready"
        ports = {p["name"]: p["containerPort"] for p in container["ports"]}
        annotations = template["metadata"]["annotations"]
        assert annotations["prometheus.io/scrape"] == "true"
        assert int(annotations["prometheus.io/port"]) in ports.values(), name
        labels = template["metadata"]["labels"]
        assert budgets[name]["spec"]["selector"]["matchLabels"] == labels, name
        # A writable /tmp, since the root file system is read-only.
        assert any(m["mountPath"] == "/tmp" for m in container["volumeMounts"]), name  # noqa: S108
    [(_, dispatcher)] = [p for p in _pods("Deployment") if p[0] == "skolebro-dispatcher"]
    args = dispatcher["spec"]["containers"][0]["args"]
    assert args[:2] == ["skolebro", "dispatcher"] and "--metrics-port" in args


def test_the_migrate_job_gives_migrate_what_it_needs():
    [(_, job)] = _pods("Job")
    [container] = job["spec"]["containers"]
    assert container["args"] == ["skolebro", "migrate"]
    names = {e["name"] for e in container.get("env", [])}
    assert "DATABASE_URL" in names


async def test_migrate_in_production_needs_only_the_database(server_dsn, tmp_path):
    name = "skolebro_migrate_only"
    admin = await asyncpg.connect(server_dsn)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    dsn = with_database(server_dsn, name)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SKOLEBRO_") and k != "DATABASE_URL"} | {
        "SKOLEBRO_ENV": "production",
        "DATABASE_URL": dsn,
        "SKOLEBRO_DATA_DIR": str(tmp_path),
    }
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.app.cli", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "migrations applied" in done.stdout
    conn = await asyncpg.connect(dsn)
    try:
        assert await conn.fetchval("SELECT count(*) FROM schema_migrations") > 0
    finally:
        await conn.close()
    refused = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.app.cli", "migrate"],
        env={k: v for k, v in env.items() if k != "DATABASE_URL"},
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert refused.returncode == 2 and "DATABASE_URL" in refused.stderr


def _requirement_name(spec: str) -> str:
    return re.split(r"[\[<>=!;~ ]", spec, maxsplit=1)[0].lower().replace("_", "-")


def test_the_image_installs_the_lock_file_without_the_embedded_postgresql():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_requirement_name(d) for d in project["dependencies"]}
    assert "pgserver" not in runtime
    assert any("pgserver" in d for d in project["optional-dependencies"]["embedded"])
    assert "skolebro[embedded]" in project["optional-dependencies"]["test"]  # the quick start has it
    lock = (ROOT / "requirements.lock").read_text()
    pinned = {m.group(1).lower(): m.group(2) for m in re.finditer(r"^([A-Za-z0-9_.-]+)==(\S+)", lock, re.M)}
    assert runtime <= set(pinned), runtime - set(pinned)
    assert "pgserver" not in pinned and "pytest" not in pinned
    assert lock.count("--hash=sha256:") >= len(pinned)
    dockerfile = (ROOT / "infra" / "Dockerfile").read_text()
    assert "--require-hashes" in dockerfile and "requirements.lock" in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n?.*/health", dockerfile, re.M)
    assert re.search(r"^USER \d+", dockerfile, re.M)
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert ignore[ignore.index("*") :] and "!requirements.lock" in ignore and "!.venv" not in ignore


def test_compose_file_parses_and_the_dispatcher_has_its_probe_port():
    compose = yaml.safe_load((ROOT / "infra" / "compose.yaml").read_text())
    dispatcher = compose["services"]["dispatcher"]
    assert "--metrics-port" in dispatcher["command"] and "healthcheck" in dispatcher


# PostgreSQL's default max_connections, less superuser_reserved_connections.
CONNECTIONS = 100 - 3


def _pool_size(container: dict[str, Any]) -> int:

    for var in container.get("env", []):
        if var["name"] == "SKOLEBRO_POOL_SIZE":
            return int(var["value"])
    return Settings().database.pool_max_size


def test_the_deployments_fit_postgresqls_default_connections_during_a_rolling_update():
    used = 1  # the migrate job
    for doc in _documents():
        if doc["kind"] != "Deployment":
            continue
        replicas = doc["spec"]["replicas"]
        surge = -(-replicas // 4)  # Kubernetes' default maxSurge: 25 %, rounded up
        (container,) = doc["spec"]["template"]["spec"]["containers"]
        args = container["args"]
        # An API pod also ticks the scheduler on its own pool and LISTENs for the morning
        # overview on one more; a dispatcher LISTENs on one more.
        extra = JOBS_POOL_SIZE + 1 if "serve" in args else 1
        used += (replicas + surge) * (_pool_size(container) + extra)
    assert used <= CONNECTIONS, f"{used} connections at a rolling update's peak"
