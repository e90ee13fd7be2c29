"""Every path of the application answers ``OPTIONS`` with an ``Allow`` naming all its
methods, the same list as its 405 answer (a path served by two controllers included);
and every POST under /api/v1 honours ``Idempotency-Key`` (api.md: Conventions)."""

from __future__ import annotations

import inspect
import re
import uuid

from litestar import Litestar
from litestar.routes import HTTPRoute

from backend.edge.idempotency import Idempotent

_PARAM = re.compile(r"\{(\w+):(\w+)\}")
_SAMPLE = {"uuid": str(uuid.uuid4()), "date": "2026-11-23", "str": "x", "path": "x", "int": "1"}


def _concrete(path: str) -> str:
    return _PARAM.sub(lambda m: _SAMPLE[m.group(2)], path)


def _routes(app: Litestar) -> list[HTTPRoute]:
    return [r for r in app.routes if isinstance(r, HTTPRoute)]


async def test_options_and_405_name_every_method_of_every_path(client):
    app: Litestar = client.app
    routes = _routes(app)
    assert len(routes) > 50
    wrong = []
    for route in routes:
        path = _concrete(route.path)
        expected = ", ".join(sorted(route.methods))
        r = await client.options(path)
        if r.status_code != 204 or r.headers.get("allow") != expected:
            wrong.append(f"OPTIONS {route.path}: {r.status_code} {r.headers.get('allow')!r} != {expected!r}")
        unused = next(m for m in ("PATCH", "PUT", "DELETE", "POST") if m not in route.methods)
        r = await client.request(unused, path)
        if r.status_code == 405 and set(r.headers["allow"].replace(" ", "").split(",")) != set(route.methods):
            wrong.append(f"{unused} {route.path}: 405 allows {r.headers['allow']!r}, not {expected!r}")
    assert wrong == [], "\n".join(wrong)


async def test_threads_allow_get_and_post(client):
    r = await client.options("/api/v1/threads")
    assert r.headers["allow"] == "GET, OPTIONS, POST"
    r = await client.options(f"/api/v1/schools/{uuid.uuid4()}/closed-days")
    assert r.headers["allow"] == "DELETE, GET, OPTIONS, POST"


# POSTs that take no ``once`` and why: sign-in claims the key once the credential names
# the person (backend/signin/service.py); the dev routes are dev/test tools whose work
# is idempotent as it stands (setting the clock) or meant to be repeated (running a job).
_KEY_HANDLED_ELSEWHERE = {
    "/api/v1/auth/token",
    "/api/v1/auth/logout",
    "/api/v1/auth/dev-login",
    "/api/v1/dev/clock",
    "/api/v1/dev/jobs/{job:str}/run",
}


async def test_every_api_post_runs_under_its_idempotency_key(client):
    app: Litestar = client.app
    missing = []
    for route in _routes(app):
        if not route.path.startswith("/api/v1/") or route.path in _KEY_HANDLED_ELSEWHERE:
            continue
        for handler in route.route_handlers:
            if "POST" in handler.http_methods:
                hints = inspect.signature(handler.fn).parameters
                if not any(p.annotation in (Idempotent, "Idempotent") for p in hints.values()):
                    missing.append(route.path)
    assert missing == [], f"POST without `once: Idempotent`: {missing}"


async def test_a_key_over_64_characters_is_refused_on_any_post(client, tokens):
    headers = {**await tokens.headers("leader"), "Idempotency-Key": "k" * 65}
    r = await client.post("/api/v1/dev/clock", json={"now": "2026-11-23T08:00:00+01:00"}, headers=headers)
    assert r.status_code == 422 and r.json()["code"] == "idempotency.key_too_long"
    assert r.json()["errors"][0]["field"] == "Idempotency-Key"
