"""Browser tests' shared parts: the real service on 127.0.0.1, Chromium, pages, axe-core.

Fixtures (``service``, ``browser``) are loaded by ``tests/browser/conftest.py``; the
helpers are imported by the tests. A screenshot of every page goes to
``$SKOLEBRO_ARTIFACTS`` (default: ``skolebro-artifacts`` in the system's temporary
folder), never into the checkout.

Needs Debian's Chromium (``apt-get install chromium``) at /usr/bin/chromium; without
it the tests are skipped, except under CI (env ``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from backend.app.factory import build_runtime, create_app
from backend.app.runtime import Runtime
from backend.app.settings import Settings
from backend.lib.clock import Clock
from tests.support.demo import DEFAULT_NOW

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("SKOLEBRO_ARTIFACTS") or Path(tempfile.gettempdir()) / "skolebro-artifacts")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
# A guardian's phone (api.md: mobile-first, 360–430 px wide).
PHONE = {"width": 390, "height": 844}
DESK = {"width": 1100, "height": 900}
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = (
        "Debian's Chromium is not installed at /usr/bin/chromium; enable the browser "
        "tests with: apt-get update && apt-get install -y chromium"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RunningService(str):
    """The service's base URL; ``.runtime`` is its runtime (clock, pool, settings)."""

    runtime: Runtime


@pytest.fixture
def service(settings: Settings, db_dsn: str) -> Iterator[RunningService]:
    """The real service on 127.0.0.1 (uvicorn in a thread) over this test's database."""
    require_chromium()
    rt = build_runtime(settings, dsn=db_dsn)
    rt.clock = Clock(DEFAULT_NOW)  # Monday 23 November 2026, 07:00 in Oslo
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(runtime=rt),
            host="127.0.0.1",
            port=port,
            log_config=None,
            access_log=False,
            lifespan="on",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.05)
    base = RunningService(f"http://127.0.0.1:{port}")
    base.runtime = rt
    yield base
    server.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
async def browser(service: str) -> AsyncIterator[Any]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


async def new_page(
    browser: Any, base: str, *, js: bool = False, phone: bool = False, locale: str = "nb-NO"
) -> Any:
    """A page in a new context: JavaScript off unless asked (the portal must work without it)."""
    context = await browser.new_context(
        base_url=base,
        java_script_enabled=js,
        locale=locale,
        viewport=PHONE if phone else DESK,
        has_touch=phone,
        is_mobile=phone,
    )
    return await context.new_page()


async def shot(page: Any, name: str) -> None:
    os.makedirs(ARTIFACTS, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


async def sign_in(page: Any, username: str, then: str = "/web/") -> None:
    """Signs in through the portal's dev sign-in form and lands on ``then``."""
    await page.goto(then)
    assert "/web/login" in page.url  # sent to sign in first
    await page.select_option("#username", username)
    await page.click("text=Logg inn >> nth=-1")
    await page.wait_for_load_state()
    assert "/web/login" not in page.url


async def assert_accessible(page: Any, *, scripted: bool = False) -> None:
    """No axe-core WCAG 2.1 A/AA violation on the page as the user sees it now.

    axe needs timers, which a page with scripts off does not run, so it checks a copy
    of the page's HTML in a scripted page of the same origin (the stylesheet loads as
    it did, and a form re-shown with its errors after a POST is checked as shown).
    ``scripted``: the page runs scripts itself (``new_page(..., js=True)``); checked as is.
    """
    from axe_playwright_python.async_playwright import Axe

    if scripted:
        results = await Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
        assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"
        return
    state = await page.context.storage_state()
    context = await page.context.browser.new_context(
        storage_state=state, java_script_enabled=True, viewport=page.viewport_size
    )
    try:
        target = await context.new_page()
        html = await page.content()
        await target.goto(page.url)
        await target.set_content(html)
        results = await Axe().run(target, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}})
    finally:
        await context.close()
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"
