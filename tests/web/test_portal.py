"""The web portal: sign-in, pages, escaping, CSRF, cookies, language and OIDC sign-in."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from litestar.testing import AsyncTestClient

from backend.app.factory import build_runtime, create_app
from backend.app.settings import Settings
from backend.lib.clock import Clock
from backend.web.settings import WebPortalSettings, parse_web_oidc
from tests.fakes.oidc_provider import FakeOidcProvider
from tests.support.demo import CLASS_3A, DEFAULT_NOW, KARI, OLA, person
from tests.support.web_portal import csrf_of, post, web_login

TUE, WED, THU = "2026-11-24", "2026-11-25", "2026-11-26"
REDIRECT_URI = "https://testserver.local/web/login/callback"


async def web_apply(client, csrf, pupil=OLA, first=TUE, last=WED, reason="Familietur"):
    return await post(
        client,
        "/web/leave",
        csrf_token=csrf,
        pupil_id=str(pupil),
        first_day=first,
        last_day=last,
        reason=reason,
    )


def request_row(html: str, request_id: str) -> str:
    match = re.search(rf'<tr id="request-{request_id}".*?</tr>', html, re.S)
    assert match, "the request is not on the page"
    return match.group(0)


async def test_pages_need_a_session_and_send_the_browser_to_sign_in(client):
    for path in ("/web/", "/web/leave", f"/web/classes/{CLASS_3A}/attendance", "/web/logout"):
        r = await client.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"].startswith("/web/login?next=")
    r = await post(client, "/web/leave", pupil_id=str(OLA), first_day=TUE, last_day=WED, reason="x")
    assert r.status_code == 303


async def test_norwegian_by_default_and_english_on_request(client):
    r = await client.get("/web/login")
    assert '<html lang="nb">' in r.text
    assert "Logg inn" in r.text
    r = await client.get("/web/login?lang=en")
    assert '<html lang="en">' in r.text
    assert "Sign in" in r.text
    assert "skolebro_lang=en" in r.headers["set-cookie"]
    # The choice is remembered by the cookie.
    r = await client.get("/web/login")
    assert '<html lang="en">' in r.text
    r = await client.get("/web/login?lang=nn")
    assert "Demobrukarar" in r.text


async def test_session_cookie_flags_in_dev(client):
    page = await client.get("/web/login")
    r = await post(client, "/web/login", csrf_token=csrf_of(page.text), username="guardian.hansen")
    set_cookie = r.headers["set-cookie"]
    assert "skolebro_session=" in set_cookie
    assert "HttpOnly" in set_cookie
    assert "SameSite=lax" in set_cookie or "SameSite=Lax" in set_cookie
    assert "Path=/web" in set_cookie
    assert "Secure" not in set_cookie


@pytest.fixture
async def secure_client(settings: Settings, db_dsn: str) -> AsyncIterator[AsyncTestClient[Any]]:
    rt = build_runtime(dataclasses.replace(settings, web=WebPortalSettings(cookie_secure=True)), dsn=db_dsn)
    rt.clock = Clock(DEFAULT_NOW)
    async with AsyncTestClient(
        app=create_app(runtime=rt), base_url="https://testserver.local", raise_server_exceptions=False
    ) as c:
        yield c


async def test_session_cookie_is_secure_outside_dev(secure_client):
    page = await secure_client.get("/web/login")
    assert "Secure" in page.headers["set-cookie"]  # the sign-in form's CSRF cookie
    r = await post(secure_client, "/web/login", csrf_token=csrf_of(page.text), username="guardian.hansen")
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("skolebro_session="))
    assert "Secure" in session and "HttpOnly" in session


async def test_forms_without_or_with_a_wrong_csrf_token_are_403(client, db):
    page = await client.get("/web/login")
    r = await post(client, "/web/login", username="guardian.hansen")
    assert r.status_code == 403
    r = await post(client, "/web/login", username="guardian.hansen", csrf_token="forged" * 8)
    assert r.status_code == 403
    assert "skolebro_session" not in r.headers.get("set-cookie", "")
    csrf = await web_login(client, "guardian.hansen")
    assert csrf != csrf_of(page.text)
    for token in (None, "wrong-token", csrf_of(page.text)):
        data = {"pupil_id": str(OLA), "first_day": TUE, "last_day": WED, "reason": "Tur"}
        if token:
            data["csrf_token"] = token
        r = await client.post("/web/leave", data=data, follow_redirects=False)
        assert r.status_code == 403, token
        assert "Skjemaet" in r.text
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 0
    r = await post(client, "/web/logout")
    assert r.status_code == 403
    assert (await client.get("/web/leave")).status_code == 200  # still signed in


async def test_guardian_applies_and_what_they_wrote_is_escaped(client, db):
    csrf = await web_login(client, "guardian.hansen")
    page = await client.get("/web/leave")
    assert "Ola Hansen (3A)" in page.text and "Kari Hansen (9B)" in page.text
    r = await web_apply(client, csrf, reason='<script>alert("x")</script> & <b>fet</b>')
    assert r.status_code == 303
    assert r.headers["location"] == "/web/leave?done=applied"
    page = await client.get("/web/leave?done=applied")
    assert "Søknaden er sendt." in page.text
    escaped = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;"
    assert escaped in page.text
    assert "<script>" not in page.text and "<b>fet" not in page.text
    assert "Venter på svar" in page.text
    assert "24.11.2026 – 25.11.2026 (2 skoledager)" in page.text
    row = await db.fetchrow("SELECT status, requested_by FROM leave_requests")
    assert row["status"] == "pending"
    assert row["requested_by"] == person("guardian.hansen")
    # The class team got the same push as from the API.
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notifications WHERE kind = 'leave_request' AND person_id = $1",
            person("teacher.3a"),
        )
        == 1
    )


async def test_roster_names_are_escaped_too(client, db):
    await db.execute("UPDATE people SET name = 'Ola <i>Hansen</i>' WHERE id = $1", OLA)
    await web_login(client, "guardian.hansen")
    page = await client.get("/web/leave")
    assert "Ola &lt;i&gt;Hansen&lt;/i&gt;" in page.text
    assert "<i>Hansen" not in page.text


async def test_rules_refused_on_the_form_are_shown_in_the_users_language(client, db):
    csrf = await web_login(client, "guardian.hansen")
    r = await web_apply(client, csrf, first="2026-11-20", last="2026-11-20")
    assert r.status_code == 422
    assert "Dagen er passert" in r.text or "har vært" in r.text
    assert 'value="2026-11-20"' in r.text  # what they typed is kept
    r = await web_apply(client, csrf, first="not-a-date")
    assert r.status_code == 422
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 0
    await client.get("/web/leave?lang=en")
    r = await web_apply(client, csrf, first="2026-11-20", last="2026-11-20")
    assert "passed" in r.text


async def test_read_only_guardian_cannot_apply_on_the_web(client, db):
    csrf = await web_login(client, "guardian.readonly")
    page = await client.get("/web/leave")
    assert "Kari Hansen (9B)" not in page.text  # not offered in the form
    r = await web_apply(client, csrf, pupil=KARI)
    assert r.status_code == 403
    assert "ikke søke om permisjon" in r.text
    assert await db.fetchval("SELECT count(*) FROM leave_requests") == 0


async def test_teacher_decides_on_the_web_and_the_guardian_sees_it(client, db):
    csrf = await web_login(client, "guardian.hansen")
    await web_apply(client, csrf, reason="Besteforeldre <3")
    request_id = str(await db.fetchval("SELECT id FROM leave_requests"))
    await post(client, "/web/logout", csrf_token=csrf)

    csrf = await web_login(client, "teacher.3a")
    page = await client.get("/web/leave")
    row = request_row(page.text, request_id)
    assert "Besteforeldre &lt;3" in row
    assert f'action="/web/leave/{request_id}/decision"' in row
    r = await post(
        client,
        f"/web/leave/{request_id}/decision",
        csrf_token=csrf,
        decision="approve",
        comment="Kos dere <3",
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/web/leave?done=decided"
    r = await post(client, f"/web/leave/{request_id}/decision", csrf_token=csrf, decision="reject")
    assert r.status_code == 409
    assert "allerede avgjort" in r.text
    await post(client, "/web/logout", csrf_token=csrf)

    await web_login(client, "guardian.hansen")
    row = request_row((await client.get("/web/leave")).text, request_id)
    assert "Innvilget" in row and "Kos dere &lt;3" in row and "Ingrid Lærar" in row
    assert (
        await db.fetchval(
            "SELECT count(*) FROM notifications WHERE kind = 'leave_decision' AND person_id = $1",
            person("guardian.hansen"),
        )
        == 1
    )


async def test_longer_leave_is_left_to_the_leader_on_the_web(client, db):
    csrf = await web_login(client, "guardian.hansen")
    await web_apply(client, csrf, first=TUE, last=THU)
    request_id = str(await db.fetchval("SELECT id FROM leave_requests"))
    await post(client, "/web/logout", csrf_token=csrf)
    csrf = await web_login(client, "teacher.3a")
    row = request_row((await client.get("/web/leave")).text, request_id)
    assert "Avgjøres av skoleledelsen" in row and "<form" not in row
    r = await post(client, f"/web/leave/{request_id}/decision", csrf_token=csrf, decision="approve")
    assert r.status_code == 403
    await post(client, "/web/logout", csrf_token=csrf)
    csrf = await web_login(client, "leader")
    row = request_row((await client.get("/web/leave")).text, request_id)
    assert "<form" in row
    r = await post(
        client, f"/web/leave/{request_id}/decision", csrf_token=csrf, decision="reject", comment="Ikke nå"
    )
    assert r.status_code == 303
    assert await db.fetchval("SELECT status FROM leave_requests") == "rejected"


async def test_board_roll_call_and_check_on_the_web(client, db):
    # Ola is reported sick; a classmate has approved leave today.
    classmate = await db.fetchval(
        "SELECT ce.pupil_id FROM class_enrollments ce JOIN people p ON p.id = ce.pupil_id"
        " WHERE ce.class_id = $1 AND p.id <> $2 ORDER BY p.name LIMIT 1",
        CLASS_3A,
        OLA,
    )
    await db.execute(
        "INSERT INTO absence_reports (id, school_id, pupil_id, first_day, last_day, reason,"
        " submitted_at, submitted_by, deadline, late) SELECT gen_random_uuid(), school_id,"
        " $1, '2026-11-23', '2026-11-23', 'sick', now(), $2, now(), false FROM classes"
        " WHERE id = $3",
        OLA,
        person("guardian.hansen"),
        CLASS_3A,
    )
    await db.execute(
        "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
        " reason, school_days, status, created_at) SELECT gen_random_uuid(), school_id, $1, $1,"
        " '2026-11-23', '2026-11-23', 'Tur', 1, 'approved', now() FROM classes WHERE id = $2",
        classmate,
        CLASS_3A,
    )
    csrf = await web_login(client, "teacher.3a")
    home = await client.get("/web/")
    assert f"/web/classes/{CLASS_3A}/attendance" in home.text
    page = await client.get(f"/web/classes/{CLASS_3A}/attendance")
    assert page.status_code == 200
    assert "Oppmøte 3A" in page.text
    assert re.search(rf'id="pupil-{OLA}".*?Meldt fravær.*?\(syk\)', page.text, re.S)
    assert re.search(rf'id="pupil-{classmate}".*?status-leave', page.text, re.S)
    assert "1 meldt, 1 permisjon, 0 fraværende uten melding, 18 ikke registrert" in page.text
    assert "Kontrollen er ikke fullført." in page.text

    pupils = re.findall(r'name="mark_([0-9a-f-]+)" value="present"', page.text)
    marks = {f"mark_{p}": "present" for p in pupils if p not in (str(OLA), str(classmate))}
    absent = next(iter(marks))
    marks[absent] = "absent"
    r = await post(client, f"/web/classes/{CLASS_3A}/attendance", csrf_token=csrf, date="2026-11-23", **marks)
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "Oppmøtet er lagret." in page.text
    assert "1 meldt, 1 permisjon, 1 fraværende uten melding, 0 ikke registrert" in page.text
    r = await post(client, f"/web/classes/{CLASS_3A}/attendance/complete", csrf_token=csrf, date="2026-11-23")
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    assert "Kontrollen ble fullført 07:00." in page.text
    r = await post(client, f"/web/classes/{CLASS_3A}/attendance", date="2026-11-23", **marks)
    assert r.status_code == 403


async def test_sign_out_ends_the_session_and_sessions_expire(client, clock):
    csrf = await web_login(client, "guardian.hansen")
    r = await post(client, "/web/logout", csrf_token=csrf)
    assert r.status_code == 303
    assert r.headers["location"] == "/web/login?out=1"
    assert "Du er logget ut." in (await client.get("/web/login?out=1")).text
    assert (await client.get("/web/leave", follow_redirects=False)).status_code == 303
    await web_login(client, "guardian.hansen")
    clock.set(clock.now() + timedelta(hours=9))
    assert (await client.get("/web/leave", follow_redirects=False)).status_code == 303


async def test_no_open_redirect_after_sign_in(client):
    page = await client.get("/web/login")
    r = await post(
        client,
        "/web/login",
        csrf_token=csrf_of(page.text),
        username="guardian.hansen",
        next="https://evil.example/",
    )
    assert r.headers["location"] == "/web/"


async def test_pages_forbid_scripts_and_framing(client):
    await web_login(client, "guardian.hansen")
    for path in ("/web/leave", "/web/login", f"/web/classes/{CLASS_3A}/attendance"):
        r = await client.get(path)
        csp = r.headers["content-security-policy"]
        assert (
            "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "frame-ancestors 'none'" in csp
        ), path
        assert r.headers["cache-control"] == "no-store"


async def test_static_css_is_served(client):
    r = await client.get("/web/static/web.css")
    assert r.status_code == 200
    assert "font" in r.text


# --- production sign-in: OpenID Connect against a local provider -------------


@pytest.fixture
def oidc_provider(clock: Clock) -> Iterator[FakeOidcProvider]:
    provider = FakeOidcProvider(
        client_id="skolebro-web",
        client_secret="web-secret",
        redirect_uri=REDIRECT_URI,
        subject_claim="pid",
        clock=lambda: clock.now().timestamp(),
    )
    yield provider
    provider.close()


@pytest.fixture
async def prod_client(
    settings: Settings, db_dsn: str, runtime, oidc_provider: FakeOidcProvider
) -> AsyncIterator[AsyncTestClient[Any]]:
    import json

    prod = dataclasses.replace(
        settings,
        env="production",
        web=WebPortalSettings(
            oidc=parse_web_oidc(json.dumps([oidc_provider.client_entry()])), cookie_secure=True
        ),
    )
    rt = build_runtime(prod, dsn=db_dsn)
    rt.clock = runtime.clock
    async with AsyncTestClient(
        app=create_app(runtime=rt), base_url="https://testserver.local", raise_server_exceptions=False
    ) as c:
        yield c


async def start_oidc(client: AsyncTestClient[Any], provider: FakeOidcProvider) -> str:
    """Click "sign in with ID-porten", let the provider answer; returns the callback path."""
    r = await client.get("/web/login/start/idporten?next=/web/leave", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith(f"{provider.base}/authorize?")
    async with httpx.AsyncClient() as browser:
        answer = await browser.get(r.headers["location"], follow_redirects=False)
    assert answer.status_code == 302
    back = urlsplit(answer.headers["location"])
    assert f"{back.scheme}://{back.netloc}{back.path}" == REDIRECT_URI
    return f"{back.path}?{back.query}"


async def test_production_sign_in_with_openid_connect(prod_client, oidc_provider, db):
    page = await prod_client.get("/web/login")
    assert "/web/login/start/idporten" in page.text
    assert 'name="username"' not in page.text  # no demo users in production
    oidc_provider.login_as = "01017012345"  # guardian.hansen's national id
    callback = await start_oidc(prod_client, oidc_provider)
    sent = oidc_provider.authorize_requests[-1]
    assert sent["code_challenge_method"] == "S256" and sent["code_challenge"]
    assert sent["nonce"] and sent["state"] and sent["scope"] == "openid"
    r = await prod_client.get(callback, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/web/leave"
    session = next(c for c in r.headers.get_list("set-cookie") if c.startswith("skolebro_session="))
    assert "Secure" in session and "HttpOnly" in session
    assert oidc_provider.token_requests[-1]["code_verifier"]
    page = await prod_client.get("/web/leave")
    assert "Innlogget som Kari Nordmann Hansen" in page.text
    # The code and the state were used once; a replay signs nobody in.
    prod_client.cookies.clear()
    prod_client.cookies.set(
        "skolebro_oidc_state",
        parse_qs(urlsplit(callback).query)["state"][0],
        domain="testserver.local",
        path="/web",
    )
    r = await prod_client.get(callback, follow_redirects=False)
    assert r.status_code == 400
    assert "skolebro_session" not in r.headers.get("set-cookie", "")
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 1


async def test_dev_login_form_does_not_exist_in_production(prod_client):
    page = await prod_client.get("/web/login")
    r = await post(prod_client, "/web/login", csrf_token=csrf_of_login(page), username="guardian.hansen")
    assert r.status_code == 404


def csrf_of_login(page: httpx.Response) -> str:
    cookie = page.cookies.get("skolebro_login_csrf")
    assert cookie
    return cookie


async def test_callback_in_another_browser_is_refused(prod_client, oidc_provider, db):
    oidc_provider.login_as = "01017012345"
    callback = await start_oidc(prod_client, oidc_provider)
    prod_client.cookies.clear()  # the state cookie lives in the browser that started
    r = await prod_client.get(callback, follow_redirects=False)
    assert r.status_code == 403
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 0


async def test_wrong_nonce_and_wrong_pkce_verifier_are_refused(prod_client, oidc_provider, db):
    oidc_provider.login_as = "01017012345"
    oidc_provider.wrong_nonce = True
    r = await prod_client.get(await start_oidc(prod_client, oidc_provider), follow_redirects=False)
    assert r.status_code == 400
    assert "Innloggingen mislyktes" in r.text
    oidc_provider.wrong_nonce = False
    callback = await start_oidc(prod_client, oidc_provider)
    await db.execute("UPDATE web_login_flows SET code_verifier = 'tampered-verifier'")
    r = await prod_client.get(callback, follow_redirects=False)
    assert r.status_code == 400
    assert oidc_provider.token_requests[-1]["code_verifier"] == "tampered-verifier"
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 0


async def test_unknown_person_and_denied_sign_in(prod_client, oidc_provider, db):
    oidc_provider.login_as = "99999999999"
    r = await prod_client.get(await start_oidc(prod_client, oidc_provider), follow_redirects=False)
    assert r.status_code == 403
    assert "finnes ikke i skolens register" in r.text
    oidc_provider.login_as = None  # the user cancels at the provider
    r = await prod_client.get(await start_oidc(prod_client, oidc_provider), follow_redirects=False)
    assert r.status_code == 400
    assert await db.fetchval("SELECT count(*) FROM web_sessions") == 0


async def test_unknown_provider_is_404(prod_client):
    r = await prod_client.get("/web/login/start/nope", follow_redirects=False)
    assert r.status_code == 404
