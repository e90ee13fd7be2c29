"""The OpenAPI document says what the server accepts (the request side): closed
objects where unknown fields are refused, optional bodies optional, formats, enums
and patterns as tight as the checks, distinct examples; and a 422 about a field names it."""

from __future__ import annotations

import re
from typing import Any

import msgspec
import pytest

from backend.edge.openapi import _structs
from tests.support.demo import KARI
from tests.support.problems import assert_problem


@pytest.fixture
async def doc(client) -> dict[str, Any]:
    return (await client.get("/schema/openapi.json")).json()


def _component(doc: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"][name]
    return schema


async def test_every_strict_body_is_a_closed_object(doc):
    schemas = doc["components"]["schemas"]
    strict = {s.__name__ for s in _structs(msgspec.Struct) if s.__struct_config__.forbid_unknown_fields}
    documented = [n for n in strict if n in schemas and schemas[n].get("type") == "object"]
    assert len(documented) > 15
    assert [n for n in documented if schemas[n].get("additionalProperties") is not False] == []
    assert "additionalProperties" not in schemas["Me"]  # answers stay open to additions


async def test_logout_body_is_optional_and_device_id_a_uuid(doc):
    body = doc["paths"]["/api/v1/auth/logout"]["post"]["requestBody"]
    assert body["required"] is False
    device = _component(doc, "Logout")["properties"]["device_id"]
    assert {"type": "string", "format": "uuid"} in device["oneOf"]


async def test_enums_and_patterns(doc):
    grant = _component(doc, "TokenRequest")["properties"]["grant_type"]
    assert grant["enum"] == ["urn:ietf:params:oauth:grant-type:token-exchange", "refresh_token"]
    locale = _component(doc, "NotificationPreferences")["properties"]["locale"]
    assert locale["enum"] == ["nb", "nn", "en"]
    params = doc["paths"]["/api/v1/pupils/{pupil_id}/absence-summary"]["get"]["parameters"]
    pattern = next(p for p in params if p["name"] == "school_year")["schema"]["pattern"]
    assert re.match(pattern, "2026-2027") and not re.match(pattern, "2026-2028")
    # msgspec's ge=0 survives (Litestar drops a falsy bound).
    days = _component(doc, "SchoolSettingsUpdate")["properties"]["leave_teacher_max_days"]
    assert days["oneOf"][0].get("minimum", days.get("minimum")) == 0


async def test_examples_are_real_and_idempotency_keys_distinct(doc):
    problem = _component(doc, "Problem")
    assert problem["examples"][0]["status"] == 422
    assert problem["properties"]["status"]["maximum"] == 599
    keys = [
        p["example"]
        for item in doc["paths"].values()
        if "post" in item
        for p in item["post"]["parameters"]
        if p["name"] == "Idempotency-Key"
    ]
    assert len(keys) > 15 and len(set(keys)) == len(keys)
    assert all(len(k) <= 64 for k in keys)


async def test_422s_about_a_field_name_it(client, tokens):
    h = await tokens.headers("guardian.hansen")
    r = await client.get("/api/v1/threads?cursor=bm90LWEtY3Vyc29y", headers=h)
    assert_problem(r, 422, "request.invalid")
    assert r.json()["errors"][0]["field"] == "cursor"
    r = await client.get("/api/v1/threads?cursor=%25%25", headers=h)
    assert r.json()["errors"][0]["field"] == "cursor"
    r = await client.get(f"/api/v1/pupils/{KARI}/absence-summary?school_year=2026-2028", headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "school_year"


async def test_an_integral_float_is_an_integer(client, tokens):
    from tests.support.demo import SCHOOL

    h = await tokens.headers("leader")
    r = await client.put(
        f"/api/v1/schools/{SCHOOL}/settings", json={"leave_teacher_max_days": 4.0}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["leave_teacher_max_days"] == 4
    r = await client.put(
        f"/api/v1/schools/{SCHOOL}/settings", json={"leave_teacher_max_days": 4.5}, headers=h
    )
    assert_problem(r, 422, "request.invalid")


def test_every_invalid_raised_by_the_api_names_its_field():
    """``Invalid`` is a 422 about the request: it says which field (or lists ``errors``),
    so a client can point at the input. The portal's pages (backend/web) show theirs by
    the form field themselves."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "backend"
    missing = []
    for path in root.rglob("*.py"):
        if "web" in path.relative_to(root).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = getattr(node, "func", None)
            if isinstance(node, ast.Call) and getattr(name, "id", getattr(name, "attr", "")) == "Invalid":
                if not {k.arg for k in node.keywords} & {"field", "errors"}:
                    missing.append(f"{path.relative_to(root.parent)}:{node.lineno}")
    assert missing == [], "Invalid(...) without field=: " + ", ".join(missing)
