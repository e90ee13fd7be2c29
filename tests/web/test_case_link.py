"""The missing-pupil SMS and e-mail carry the case link, ``SKOLEBRO_PUBLIC_URL/web/cases/{id}``
(api.md), in every language, still one SMS segment; against the local Twilio stand-in
and the SMTP server (STARTTLS) of tests/fakes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from backend.app.settings import Settings
from notifications.channel_texts import email_message, is_gsm7, segments, sms_text
from notifications.settings import MailSettings, SmsSettings
from tests.fakes.sms_provider import FakeTwilio
from tests.fakes.smtp_server import FakeSmtp
from tests.support.demo import CLASS_3A, OLA, person
from tests.support.routine import MONDAY, oslo, pupil_row, roll_call, run_job
from tests.support.web_portal import csrf_of, post

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

PUBLIC = "https://skolebro.kommune.no"
HANSEN, NILSEN = "+4740000001", "+4740000002"


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture(scope="module")
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as fake:
        yield fake


@pytest.fixture
def settings(settings: Settings, twilio: FakeTwilio, smtp: FakeSmtp) -> Any:
    twilio.sent.clear()
    smtp.received.clear()
    return dataclasses.replace(
        settings,
        sms=SmsSettings(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token,
            sender="Skolebro",
            api_url=twilio.url,
        ),
        mail=MailSettings(smtp_url=smtp.url, sender="varsel@skolebro.no", smtp_ca_file=smtp.ca_file),
        web=dataclasses.replace(settings.web, public_url=PUBLIC + "/"),
    )


async def test_the_sms_and_email_link_to_the_case_page(client, tokens, db, clock, twilio, smtp):
    await db.execute("UPDATE people SET locale = 'en' WHERE id = $1", person("guardian.nilsen"))
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    case_id = pupil_row(r.json(), OLA)["missing_case_id"]
    clock.set(oslo(MONDAY, 8, 46))  # nobody reached for five minutes: SMS and e-mail
    effects = await run_job(client, tokens, "missing-pupil-sweep")
    assert effects["sms_sent"] == 2 and effects["emails_sent"] == 2
    link = f"{PUBLIC}/web/cases/{case_id}"
    for number, words in ((HANSEN, "Svar her: "), (NILSEN, "Answer here: ")):
        (sms,) = twilio.to(number)
        assert sms.body.endswith(words + link), sms.body
        assert is_gsm7(sms.body) and segments(sms.body) == 1
        assert "+4757000000" in sms.body  # the office phone is still there
    mail = smtp.to("hansen@example.no")[0]
    assert link in mail.part("plain")
    assert f'<a href="{link}">{link}</a>' in mail.part("html")
    assert link in smtp.to("nilsen@example.no")[0].part("plain")

    # The link itself: sign-in first, then the case (as a phone's browser follows it).
    client.cookies.clear()
    path = link.removeprefix(PUBLIC)
    r = await client.get(path, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/web/login?next={path}"
    login = await client.get(r.headers["location"])
    r = await post(
        client, "/web/login", csrf_token=csrf_of(login.text), username="guardian.hansen", next=path
    )
    assert r.headers["location"] == path
    page = await client.get(path)
    assert page.status_code == 200 and 'id="answer"' in page.text
    assert await db.fetchval("SELECT reached_at FROM missing_cases WHERE id = $1::uuid", case_id) is not None


@pytest.mark.parametrize("locale", ["nb", "nn", "en"])
@pytest.mark.parametrize("stage", ["sought", "escalated"])
def test_texts_with_the_link_stay_one_segment_where_they_can(locale, stage):
    link = f"{PUBLIC}/web/cases/0b6f0f0e-6f0e-4c8a-9a39-3f2b1f1c2d3e"
    text = sms_text(stage, locale, "Ola Hansen", "Vassenden skule", "+4757000000", link)
    assert text.endswith(link) and "+4757000000" in text and segments(text) == 1, text
    # A long name and a long address: the link goes last, the first segment has the rest.
    long_name = "Kristoffer Alexander Bjørnstad-Haugen"
    text = sms_text(stage, locale, long_name, "Sunnfjord vidaregåande skule", "+4757000000", link)
    assert text.endswith(link) and segments(text) <= 2, text
    assert "+4757000000" in text[:153] and "Bjørnstad" in text[:153]
    mail = email_message(stage, locale, "Ola <Hansen>", "Vassenden skule", None, link)
    assert mail.text.rstrip().endswith(link)
    assert "Ola &lt;Hansen&gt;" in mail.html and f'href="{link}"' in mail.html
