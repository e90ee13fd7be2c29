"""Bad input: every malformed or invalid request is a problem document and writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from litestar import Litestar, get
from litestar.testing import AsyncTestClient

from backend.edge.problem_handlers import exception_handlers
from backend.ops.request_log import request_log_middleware
from tests.support.demo import OLA
from tests.support.problems import assert_problem

URL = f"/api/v1/pupils/{OLA}/absence-reports"


async def written(db: Any) -> tuple[int, int]:
    return (
        await db.fetchval("SELECT count(*) FROM absence_reports"),
        await db.fetchval("SELECT count(*) FROM idempotency_keys"),
    )


@pytest.fixture
async def hansen(tokens):
    return {**await tokens.headers("guardian.hansen"), "Idempotency-Key": "bad-input"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"first_day": 20261123, "reason": "sick"}, "first_day"),
        ({"first_day": "2026-11-23", "reason": 3}, "reason"),
        ({"first_day": "2026-11-23", "reason": "sick", "note": ["a"]}, "note"),
        ({"first_day": "2026-11-23", "reason": "sick", "last_day": True}, "last_day"),
        ({"first_day": "2026-11-23", "reason": "flu"}, "reason"),
        ({"first_day": "2026-11-23", "reason": "SICK"}, "reason"),
        ({"first_day": "2026-11-23", "reason": "sick", "note": "n" * 501}, "note"),
        ({"first_day": "2026-02-30", "reason": "sick"}, "first_day"),
        ({"first_day": "2026-11-23", "last_day": "2026-13-01", "reason": "sick"}, "last_day"),
        ({"first_day": "23.11.2026", "reason": "sick"}, "first_day"),
        (
            {"first_day": "2026-11-23", "reason": "doctor", "from_time": "25:00", "to_time": "26:00"},
            "from_time",
        ),
        (
            {"first_day": "2026-11-23", "reason": "doctor", "from_time": "9:00", "to_time": "10:00"},
            "from_time",
        ),
        ({"first_day": "2026-11-23", "reason": "sick", "pupil": "x"}, "pupil"),
        ({"first_day": "2026-11-23", "reason": "sick", "late": False}, "late"),
        ({"reason": "sick"}, "first_day"),
        ({"first_day": "2026-11-23"}, "reason"),
        ({"first_day": None, "reason": "sick"}, "first_day"),
    ],
)
async def test_invalid_bodies_are_422_with_the_field(client, hansen, db, body, field):
    r = await client.post(URL, headers=hansen, json=body)
    problem = assert_problem(r, 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert await written(db) == (0, 0)


@pytest.mark.parametrize(
    "raw", [b"{not json", b'{"first_day": "2026-11-23",', b"\xff\xfe", b"[]", b'"sick"', b"null", b"0"]
)
async def test_garbage_bodies(client, hansen, db, raw):
    r = await client.post(URL, headers={**hansen, "content-type": "application/json"}, content=raw)
    assert r.status_code in (400, 422), r.text
    body = assert_problem(r, r.status_code)
    if raw.startswith(b"{") or raw == b"\xff\xfe":
        assert r.status_code == 400 and body["code"] == "request.malformed"
    assert await written(db) == (0, 0)


async def test_empty_body(client, hansen, db):
    r = await client.post(URL, headers={**hansen, "content-type": "application/json"}, content=b"")
    assert r.status_code in (400, 422)
    assert_problem(r, r.status_code)
    assert await written(db) == (0, 0)


async def test_huge_body_is_refused(client, hansen, db):
    body = json.dumps({"first_day": "2026-11-23", "reason": "sick", "note": "x" * 2_000_000})
    r = await client.post(URL, headers={**hansen, "content-type": "application/json"}, content=body.encode())
    assert_problem(r, 413, "request.too_large")
    assert await written(db) == (0, 0)


async def test_bad_query_parameters(client, hansen):
    for params in ({"from": "2026-02-30"}, {"to": "tomorrow"}, {"limit": "many"}, {"limit": -1}):
        problem = assert_problem(await client.get(URL, headers=hansen, params=params), 422)
        assert problem["errors"][0]["field"] in ("from", "to", "limit"), problem


async def test_bad_path_parameter_is_404(client, hansen):
    assert_problem(await client.get("/api/v1/pupils/ola/absence-reports", headers=hansen), 404)
    assert_problem(await client.delete(f"{URL}/not-a-uuid", headers=hansen), 404)


async def test_problem_text_follows_accept_language(client, hansen):
    body = {"first_day": "2026-11-20", "reason": "sick"}
    texts = {}
    for lang in ("nb", "nn", "en-GB,en;q=0.9"):
        r = await client.post(
            URL, headers={**hansen, "Accept-Language": lang, "Idempotency-Key": lang}, json=body
        )
        texts[lang] = assert_problem(r, 422, "absence.past_day")["title"]
    assert texts["en-GB,en;q=0.9"] == "Day has passed"
    assert len(set(texts.values())) >= 2


async def test_unknown_route_is_a_problem_document(client, hansen):
    assert_problem(await client.get("/api/v1/nothing-here", headers=hansen), 404, "not_found")
    assert_problem(await client.get("/nothing-here"), 404, "not_found")


async def test_wrong_method_is_405_problem(client, hansen):
    r = await client.put(URL, headers=hansen, json={})
    assert_problem(r, 405, "method_not_allowed")
    assert "allow" in {k.lower() for k in r.headers}


async def test_json_instead_of_form_on_token_endpoint(client, db):
    r = await client.post("/api/v1/auth/token", json={"grant_type": "refresh_token", "refresh_token": "x"})
    assert r.status_code in (400, 422)
    assert_problem(r, r.status_code)


async def test_unknown_fields_in_dev_login_are_422(client):
    r = await client.post("/api/v1/auth/dev-login", json={"username": "leader", "role": "x"})
    assert_problem(r, 422)


# --- unexpected failures ---------------------------------------------------------


@get("/boom")
async def boom() -> None:
    raise RuntimeError("secret internals: password=hunter2")


async def test_unexpected_exception_is_500_problem_with_request_id(caplog):
    app = Litestar(
        route_handlers=[boom], exception_handlers=exception_handlers(), debug=False, logging_config=None
    )
    app.asgi_handler = request_log_middleware(app.asgi_handler)  # as backend.app.factory does
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as c:
        r = await c.get("/boom", headers={"X-Request-ID": "req-12345"})
    body = assert_problem(r, 500, "internal")
    assert "req-12345" in body["detail"]
    assert r.headers["x-request-id"] == "req-12345"
    assert "hunter2" not in r.text and "Traceback" not in r.text and "RuntimeError" not in r.text
    # ...but the log has it, under the same request id, for whoever is on call
    logged = [rec for rec in caplog.records if "req-12345" in rec.getMessage()]
    assert logged and logged[0].exc_info is not None


@pytest.mark.parametrize(
    "body",
    [
        {"first_day": "2026-11-23", "reason": "sick", "note": "feber\u0000"},
    ],
)
async def test_characters_postgres_cannot_store_are_422(client, hansen, db, body):
    assert_problem(await client.post(URL, headers=hansen, json=body), 422)
    assert await written(db) == (0, 0)


async def test_nul_in_dev_login_username_is_422(client):
    assert_problem(await client.post("/api/v1/auth/dev-login", json={"username": "lead\u0000er"}), 422)


async def test_unstorable_text_from_any_route_is_422_not_500(db_dsn):
    # The safety net behind the schemas, for routes whose Struct forgot the pattern.
    import asyncpg

    @get("/store")
    async def store() -> None:
        conn = await asyncpg.connect(db_dsn)
        try:
            await conn.execute("CREATE TEMP TABLE t (x text)")
            await conn.execute("INSERT INTO t VALUES ($1)", "a\u0000b")
        finally:
            await conn.close()

    app = Litestar(route_handlers=[store], exception_handlers=exception_handlers())
    async with AsyncTestClient(app=app, raise_server_exceptions=False) as c:
        assert_problem(await c.get("/store"), 422, "request.invalid")


ODD_REQUESTS: list[tuple[str, str, dict[str, Any]]] = [
    (
        "POST",
        URL,
        {
            "content": b"first_day=2026-11-23&reason=sick",
            "headers": {"content-type": "application/x-www-form-urlencoded"},
        },
    ),
    ("POST", URL, {"content": b"<xml/>", "headers": {"content-type": "application/xml"}}),
    ("POST", URL, {"json": {"first_day": "2026-11-23", "reason": "sick", "note": None}}),
    ("POST", URL, {"json": {"first_day": "2026-11-23T08:00:00Z", "reason": "sick"}}),
    ("POST", URL, {"json": {"first_day": "0001-01-01", "reason": "sick"}}),
    ("POST", URL, {"json": {"first_day": "9999-12-31", "reason": "sick", "last_day": "9999-12-31"}}),
    (
        "POST",
        URL,
        {"json": {"first_day": "2026-11-23", "reason": "other", "from_time": "00:00", "to_time": "23:59"}},
    ),
    ("POST", URL, {"json": {"first_day": "2026-11-23", "reason": "sick", "note": "😷" * 500}}),
    ("GET", URL, {"params": {"from": "2026-12-01", "to": "2026-11-01"}}),
    ("GET", URL, {"params": {"cursor": ""}}),
    ("GET", URL, {"params": {"cursor": "=" * 10}}),
    ("GET", URL, {"params": {"cursor": "bnVsbA"}}),  # base64 of "null"
    ("GET", URL, {"params": {"limit": "99999999999999999999999"}}),
    ("GET", URL, {"params": {"from": "2026-11-23", "from ": "x"}}),
    ("DELETE", f"{URL}/00000000-0000-0000-0000-000000000000", {}),
    ("POST", "/api/v1/auth/token", {"data": {"grant_type": "refresh_token"}}),
    ("POST", "/api/v1/auth/token", {"data": {}}),
    (
        "POST",
        "/api/v1/auth/token",
        {
            "data": {
                "grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "subject_token": "x",
                "client": "tv",
            }
        },
    ),
    (
        "POST",
        "/api/v1/auth/token",
        {"content": b"\xff\xfe\x00", "headers": {"content-type": "application/x-www-form-urlencoded"}},
    ),
    ("POST", "/api/v1/auth/logout", {"json": {"refresh_token": "x" * 201}}),
    ("POST", "/api/v1/auth/logout", {"content": b"nope", "headers": {"content-type": "application/json"}}),
    ("POST", "/api/v1/auth/dev-login", {"json": {"username": "", "client": "app"}}),
    ("POST", "/api/v1/auth/dev-login", {"json": {"username": "leader", "client": "tv"}}),
    ("POST", "/api/v1/dev/clock", {"json": {"now": "yesterday"}}),
    ("GET", f"/api/v1/schools/{OLA}/audit-log", {}),
]


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    ODD_REQUESTS,
    ids=[f"{m} {p.rsplit('/', 1)[-1]} {i}" for i, (m, p, _) in enumerate(ODD_REQUESTS)],
)
async def test_odd_requests_never_500(client, tokens, db, method, path, kwargs):
    kwargs = dict(kwargs)  # the list is shared by every run
    headers = {**await tokens.headers("guardian.hansen"), **kwargs.pop("headers", {})}
    r = await client.request(method, path, headers=headers, **kwargs)
    assert r.status_code < 500, r.text
    if r.status_code >= 400:
        assert_problem(r, r.status_code)
