"""The OpenAPI document as a client generator reads it: openapi-python-client
turns it into a package without a single warning, the package imports, and its typed
calls work against the service; plus the details generators depend on, and the docs page."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

GENERATOR = Path(sys.executable).with_name("openapi-python-client")


@pytest.fixture
async def spec(client) -> dict[str, Any]:
    r = await client.get("/schema/openapi.json")
    assert r.status_code == 200
    return r.json()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "delete", "patch")
    ]


@pytest.fixture
def generated(spec, tmp_path) -> Any:
    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(spec))
    out = subprocess.run(
        [
            str(GENERATOR),
            "generate",
            "--path",
            str(document),
            "--output-path",
            str(tmp_path / "skolebro_client"),
            "--meta",
            "none",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        # The generator formats its output with ruff, found on PATH: the one in this
        # virtualenv, which `.venv/bin/python -m pytest` does not put on PATH.
        env={**os.environ, "PATH": f"{GENERATOR.parent}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert out.returncode == 0, out.stdout + out.stderr
    # The generator prints "Warning(s) encountered" and skips the response of any
    # operation it cannot model; a client missing answers is what the issue saw.
    assert "warning" not in (out.stdout + out.stderr).lower(), out.stdout + out.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("skolebro_client")
        for module in pkgutil.walk_packages(package.__path__, "skolebro_client."):
            importlib.import_module(module.name)
        yield package
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n == "skolebro_client" or n.startswith("skolebro_client.")]:
            del sys.modules[name]


async def test_a_generated_python_client_compiles_and_calls_the_service(generated, client, tokens):
    # The generated client talks through the test client (an httpx.AsyncClient), so
    # every call goes through the real application and the real database.
    from skolebro_client import AuthenticatedClient
    from skolebro_client.api.me import api_v1_me_me, api_v1_me_notifications_list_notifications
    from skolebro_client.models import Me, NotificationPage, Problem

    headers = await tokens.headers("guardian.hansen")
    api = AuthenticatedClient(base_url="http://testserver", token=headers["Authorization"].split()[1])
    # A client handed in keeps its own headers: the token goes on it, as the generated
    # client would put it on the one it builds.
    client.headers.update(headers)
    api.set_async_httpx_client(client)
    me = await api_v1_me_me.asyncio(client=api)
    assert isinstance(me, Me) and me.name and {c.name for c in me.children} >= {"Ola Hansen", "Kari Hansen"}
    page = await api_v1_me_notifications_list_notifications.asyncio(client=api, limit=0)
    # An invalid page size comes back as the problem document, typed, not as None.
    assert isinstance(page, Problem) and page.status == 422 and page.code == "request.invalid"
    page = await api_v1_me_notifications_list_notifications.asyncio(client=api)
    assert isinstance(page, NotificationPage)


async def test_sign_in_needs_no_bearer_and_documents_its_rate_limit(spec):
    for path, _method, op in _operations(spec):
        if path.startswith("/api/v1/auth/"):
            assert op["security"] == [], path
            limited = op["responses"]["429"]
            assert "application/problem+json" in limited["content"], path
            assert limited["headers"]["Retry-After"]["schema"]["type"] == "integer", path
        elif path == "/api/v1/webpush/public-key":
            assert op["security"] == [], path  # what a browser asks before anyone signs in
        elif path.startswith("/api/v1/"):
            assert op.get("security", spec.get("security")) == [{"bearer": []}], path


async def test_no_operation_documents_the_frameworks_own_error_shape(spec):
    for path, method, op in _operations(spec):
        if not path.startswith("/api/"):
            continue  # /ready's 503 is its own small JSON body (api.md: Operations)
        for status, response in op["responses"].items():
            if int(status) >= 400:
                assert list(response.get("content", {})) == ["application/problem+json"], (method, path)
        if "400" in op["responses"]:
            assert "422" in op["responses"], (method, path)


async def test_every_post_takes_an_idempotency_key(spec):
    posts = [(path, op) for path, method, op in _operations(spec) if method == "post"]
    assert posts
    for path, op in posts:
        header = [p for p in op.get("parameters", []) if p["name"] == "Idempotency-Key"]
        assert header and header[0]["in"] == "header" and header[0]["schema"]["maxLength"] == 64, path


async def test_starting_a_thread_documents_its_403(spec):
    assert "403" in spec["paths"]["/api/v1/threads"]["post"]["responses"]


async def test_notification_kinds_are_an_enum_and_examples_are_meaningful(spec):
    schemas = spec["components"]["schemas"]
    kind = schemas["Notification"]["properties"]["kind"]
    kind = schemas[kind["$ref"].rsplit("/", 1)[1]] if "$ref" in kind else kind
    assert {"missing_pupil", "message", "absence_check_reminder", "test_alert"} <= set(kind["enum"])
    assert schemas["Problem"]["examples"][0]["code"] == "request.invalid"
    create = schemas["AbsenceReportCreate"]["examples"][0]
    assert create["reason"] in schemas["AbsenceReason"]["enum"]


async def test_the_docs_page_is_served_without_a_cdn(client):
    page = await client.get("/schema")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "https://" not in page.text and "http://" not in page.text
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        r = await client.get(asset)
        assert r.status_code == 200 and len(r.content) > 100, asset
    init = await client.get("/schema/docs-init.js")
    assert "/schema/openapi.json" in init.text
