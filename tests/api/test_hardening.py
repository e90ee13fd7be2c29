"""Hostile and odd input: limits, nesting, forged cursors, the dev
clock, media types, caching and token times. Every answer is a problem document."""

from __future__ import annotations

import base64
import json
import logging
import uuid
from typing import Any

import jwt
import pytest

from backend.roster.demo import demo_id
from tests.support.demo import CLASS_3A, KARI, OLA, person
from tests.support.problems import assert_problem
from tests.support.tokens import bearer, claims_for

HOSTILE = b'{"marks":[' + b",".join([b"{}"] * 330_000) + b"]}"  # ~966 KB of empty objects
TODAY = "2026-11-23"
HANSEN_ID = person("guardian.hansen")
MATHS_9B = demo_id("group:9B:matematikk")


def nested(depth: int) -> bytes:
    return b'{"note": ' + b"[" * depth + b"]" * depth + b"}"


# ---- item 1: body limits fit each route, and are checked before anything is decoded


async def test_a_hostile_body_to_logout_is_413_before_it_is_read(client):
    r = await client.post(
        "/api/v1/auth/logout", content=HOSTILE, headers={"content-type": "application/json"}
    )
    assert_problem(r, 413, "request.too_large")


async def test_logout_takes_a_few_kilobytes_at_most(client):
    body = json.dumps({"refresh_token": "x", "device_id": str(uuid.uuid4()), "pad": "p" * 5000})
    r = await client.post("/api/v1/auth/logout", content=body, headers={"content-type": "application/json"})
    assert_problem(r, 413, "request.too_large")


async def test_a_hostile_body_to_the_roll_call_is_413(client, tokens):
    h = await tokens.headers("teacher.3a")
    r = await client.put(
        f"/api/v1/classes/{CLASS_3A}/attendance/{TODAY}",
        content=HOSTILE,
        headers={**h, "content-type": "application/json"},
    )
    assert_problem(r, 413, "request.too_large")


async def test_a_body_is_not_validated_before_the_caller_is_known(client):
    r = await client.put(
        f"/api/v1/classes/{CLASS_3A}/attendance/{TODAY}",
        content=b'{"marks": [{}, {}]}',
        headers={"content-type": "application/json"},
    )
    assert_problem(r, 401, "auth.missing_token")


async def test_empty_objects_within_the_limit_stop_at_the_first(client, tokens, db):
    h = await tokens.headers("teacher.3a")
    body = b'{"marks":[' + b",".join([b"{}"] * 20_000) + b"]}"  # 60 KB, under the limit
    r = await client.put(
        f"/api/v1/classes/{CLASS_3A}/attendance/{TODAY}",
        content=body,
        headers={**h, "content-type": "application/json"},
    )
    problem = assert_problem(r, 422, "request.invalid")
    assert [e["field"] for e in problem["errors"]] == ["marks[0].pupil_id"]
    assert await db.fetchval("SELECT count(*) FROM attendance_marks") == 0


async def test_a_real_roll_call_still_fits(client, tokens, db):
    h = await tokens.headers("teacher.3a")
    pupils = [
        r["pupil_id"]
        for r in await db.fetch("SELECT pupil_id FROM class_enrollments WHERE class_id = $1", CLASS_3A)
    ]
    marks = [{"pupil_id": str(p), "status": "present"} for p in pupils]
    r = await client.put(f"/api/v1/classes/{CLASS_3A}/attendance/{TODAY}", headers=h, json={"marks": marks})
    assert r.status_code == 200, r.text


# ---- item 2: deep nesting, forged cursors, impossible instants, the dev clock

NESTED_ROUTES = [
    ("POST", "/api/v1/auth/logout"),
    ("POST", "/api/v1/auth/dev-login"),
    ("POST", f"/api/v1/pupils/{OLA}/absence-reports"),
    ("POST", "/api/v1/threads"),
    ("PUT", f"/api/v1/classes/{CLASS_3A}/attendance/{TODAY}"),
    ("PUT", "/api/v1/me/notification-preferences"),
    ("POST", "/api/v1/dev/clock"),
]


@pytest.mark.parametrize(("method", "path"), NESTED_ROUTES)
@pytest.mark.parametrize(
    "body", [nested(1000), b"[" * 1000 + b"]" * 1000, b'{"a":' * 1000 + b"1" + b"}" * 1000]
)
async def test_deeply_nested_json_is_a_problem_without_a_traceback(
    client, tokens, caplog, method, path, body
):
    h = await tokens.headers("leader")
    with caplog.at_level(logging.INFO):
        r = await client.request(
            method, path, content=body, headers={**h, "content-type": "application/json"}
        )
    assert r.status_code in (400, 413, 422), r.text
    assert_problem(r, r.status_code)
    assert not [rec for rec in caplog.records if rec.exc_info or "Traceback" in rec.getMessage()]
    assert "RecursionError" not in caplog.text


def forged_cursor(*values: str) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


LISTS = [
    ("/api/v1/threads", "guardian.hansen", "app"),
    ("/api/v1/me/notifications", "guardian.hansen", "app"),
    ("/api/v1/leave-requests", "guardian.hansen", "web"),
    ("/api/v1/missing-cases", "leader", "app"),
]


@pytest.mark.parametrize(("path", "user", "kind"), LISTS)
@pytest.mark.parametrize(
    "instant",
    [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01T00:00:00+00:00",
        "9999-12-31T23:59:59Z",
    ],
)
async def test_forged_cursor_instants_are_422(client, tokens, path, user, kind, instant):
    h = await tokens.headers(user, kind)
    r = await client.get(path, params={"cursor": forged_cursor(instant, str(uuid.uuid4()))}, headers=h)
    assert_problem(r, 422, "request.invalid")


async def test_publish_at_before_year_one_in_utc_is_422(client, tokens, db):
    group = MATHS_9B
    h = await tokens.headers("teacher.math9b")
    r = await client.post(
        f"/api/v1/groups/{group}/assessments",
        headers=h,
        json={
            "pupil_id": str(KARI),
            "kind": "formative",
            "comment": "Bra",
            "publish_at": "0001-01-01T00:00:00+14:00",
        },
    )
    problem = assert_problem(r, 422)
    assert "publish_at" in [e["field"] for e in problem["errors"]]
    assert await db.fetchval("SELECT count(*) FROM assessments") == 0


@pytest.mark.parametrize("user", ["pupil.ola", "pupil.kari", "guardian.hansen"])
async def test_only_staff_may_move_the_dev_clock(client, tokens, clock, user):
    before = clock.now()
    r = await client.post(
        "/api/v1/dev/clock", headers=await tokens.headers(user), json={"now": "2026-12-01T08:00:00+01:00"}
    )
    assert_problem(r, 403, "dev.staff_only")
    assert abs((clock.now() - before).total_seconds()) < 5


@pytest.mark.parametrize(
    "instant", ["0001-01-01T00:00:00+00:00", "9999-12-31T23:59:59Z", "1970-01-01T00:00:00Z"]
)
async def test_the_dev_clock_takes_a_sane_range_only(client, tokens, clock, instant):
    h = await tokens.headers("leader")
    before = clock.now()
    r = await client.post("/api/v1/dev/clock", headers=h, json={"now": instant})
    problem = assert_problem(r, 422, "dev.clock_range")
    assert problem["errors"][0]["field"] == "now"
    assert abs((clock.now() - before).total_seconds()) < 5
    # Everything still works, and /ready agrees.
    assert (await client.get("/api/v1/me", headers=h)).status_code == 200
    assert (await client.get("/ready")).status_code == 200


async def test_teacher_moves_the_dev_clock(client, tokens, clock):
    r = await client.post(
        "/api/v1/dev/clock",
        headers=await tokens.headers("teacher.3a"),
        json={"now": "2026-12-01T08:00:00+01:00"},
    )
    assert r.status_code == 200, r.text
    assert clock.now().isoformat().startswith("2026-12-01T07:00")


# ---- item 3: media type, caching, token times


async def test_json_sent_as_text_plain_is_415(client, tokens, db):
    h = await tokens.headers("guardian.hansen")
    body = json.dumps({"first_day": "2026-11-24", "reason": "sick"})
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports", content=body, headers={**h, "content-type": "text/plain"}
    )
    assert_problem(r, 415, "request.unsupported_media_type")
    assert await db.fetchval("SELECT count(*) FROM absence_reports") == 0


async def test_json_with_a_json_content_type_and_charset_is_accepted(client, tokens):
    h = await tokens.headers("guardian.hansen")
    body = json.dumps({"first_day": "2026-11-24", "reason": "sick"})
    r = await client.post(
        f"/api/v1/pupils/{OLA}/absence-reports",
        content=body,
        headers={**h, "content-type": "application/json; charset=utf-8"},
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("method", "path", "user"),
    [
        ("GET", "/api/v1/me", "guardian.hansen"),
        ("GET", f"/api/v1/pupils/{OLA}/absence-reports", "guardian.hansen"),
        ("GET", f"/api/v1/classes/{CLASS_3A}/attendance?date={TODAY}", "teacher.3a"),
        ("GET", f"/api/v1/pupils/{uuid.uuid4()}/absence-reports", "guardian.hansen"),  # 404
        ("GET", "/api/v1/me", None),  # 401
    ],
)
async def test_personal_answers_are_not_stored_by_caches(client, tokens, method, path, user):
    h = await tokens.headers(user) if user else {}
    r = await client.request(method, path, headers=h)
    assert r.headers["cache-control"] == "no-store", (r.status_code, r.headers)


async def test_dev_login_answer_is_not_stored(client):
    r = await client.post("/api/v1/auth/dev-login", json={"username": "guardian.hansen", "client": "app"})
    assert r.status_code == 200
    assert r.headers["cache-control"] == "no-store"


def own_token(runtime: Any, claims: dict[str, Any]) -> str:
    return jwt.encode(claims, runtime.tokens._key, algorithm="EdDSA")


async def test_a_token_not_yet_valid_by_the_service_clock_is_401(client, clock, runtime):
    now = clock.now().timestamp()
    token = own_token(runtime, claims_for(HANSEN_ID, now, nbf=int(now) + 600, exp=int(now) + 900))
    assert_problem(await client.get("/api/v1/me", headers=bearer(token)), 401, "auth.invalid_token")


async def test_nbf_is_read_on_the_service_clock_not_the_machines(client, clock, runtime):
    # The service clock runs in 2026; a token valid from then on works even though
    # the machine's own clock may be anywhere.
    now = clock.now().timestamp()
    token = own_token(runtime, claims_for(HANSEN_ID, now, nbf=int(now)))
    assert (await client.get("/api/v1/me", headers=bearer(token))).status_code == 200


async def test_a_token_issued_in_the_future_by_the_service_clock_is_401(client, clock, runtime):
    now = clock.now().timestamp()
    token = own_token(runtime, claims_for(HANSEN_ID, now + 60, exp=int(now) + 900))
    assert_problem(await client.get("/api/v1/me", headers=bearer(token)), 401, "auth.invalid_token")


@pytest.mark.parametrize("lifetime", [901, 3600, 86_400 * 365])
async def test_a_token_living_longer_than_15_minutes_is_401(client, clock, runtime, lifetime):
    now = int(clock.now().timestamp())
    token = own_token(runtime, claims_for(HANSEN_ID, now - 10, exp=now - 10 + lifetime))
    assert_problem(await client.get("/api/v1/me", headers=bearer(token)), 401, "auth.invalid_token")


# ---- item 4: validation messages in the reader's language


@pytest.mark.parametrize(
    ("body", "field", "nb", "nn"),
    [
        ({"first_day": "2026-11-24", "reason": "flu"}, "reason", "flu", "flu"),
        ({"first_day": 20261124, "reason": "sick"}, "first_day", "Forventet", "Venta"),
        (
            {"first_day": "2026-11-24", "reason": "sick", "note": "n" * 501},
            "note",
            "høyst 500 tegn",
            "høgst 500 teikn",
        ),
        ({"first_day": "2026-02-30", "reason": "sick"}, "first_day", "dato", "dato"),
        ({"reason": "sick"}, "first_day", "må være med", "må vere med"),
        ({"first_day": "2026-11-24", "reason": "sick", "pupil": "x"}, "pupil", "ikke kjent", "ikkje kjent"),
    ],
)
async def test_validation_messages_are_translated(client, tokens, body, field, nb, nn):
    h = await tokens.headers("guardian.hansen")
    english = {}
    for locale, expected in (("nb", nb), ("nn", nn), ("en", None)):
        r = await client.post(
            f"/api/v1/pupils/{OLA}/absence-reports", headers={**h, "Accept-Language": locale}, json=body
        )
        problem = assert_problem(r, 422, "request.invalid")
        errors = {e["field"]: e["message"] for e in problem["errors"]}
        assert field in errors, problem
        if expected is None:
            english = errors
        else:
            assert expected in errors[field], (locale, errors)
            for word in ("Invalid", "Expected", "Object", "missing", "unknown", "got"):
                assert word not in errors[field], (locale, errors)
    assert any(w in english[field] for w in ("Invalid", "Expected", "Object")), english


async def test_query_parameter_messages_are_translated(client, tokens):
    h = {**await tokens.headers("leader"), "Accept-Language": "nn"}
    r = await client.get("/api/v1/missing-cases?status=lost", headers=h)
    problem = assert_problem(r, 422)
    assert problem["errors"][0]["field"] == "status"
    assert "ikkje ein av" in problem["errors"][0]["message"]


@pytest.mark.parametrize(
    "media_type", ["text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded"]
)
async def test_json_routes_refuse_other_media_types(client, tokens, media_type):
    h = await tokens.headers("leader")
    r = await client.post(
        "/api/v1/dev/clock",
        content=b'{"now": "2026-11-23T07:00:00Z"}',
        headers={**h, "content-type": media_type},
    )
    assert_problem(r, 415, "request.unsupported_media_type")
