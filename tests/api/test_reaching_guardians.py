"""The ladder until a guardian is reached: push, then SMS and e-mail, then "call them"
(product.md: Reaching guardians; api.md: Missing-pupil cases). Against a local
Twilio stand-in that posts real, signed delivery reports to our callback over
HTTP, and a real SMTP server that demands STARTTLS."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import uvicorn

from backend.app.factory import build_runtime, create_app
from backend.db.pool import create_pool
from backend.jobs.routine import missing_pupil_sweep
from notifications.channel_texts import is_gsm7, segments
from notifications.settings import MailSettings, SmsSettings
from tests.fakes.sms_provider import FakeTwilio, sign
from tests.fakes.smtp_server import FakeSmtp
from tests.support.demo import CLASS_3A, CLASS_9B, KARI, OLA, person
from tests.support.routine import MONDAY, inbox, kinds_by_user, oslo, pupil_row, roll_call, run_job

# These tests move the clock past a token's lifetime: a new token per call.
pytestmark = pytest.mark.fresh_tokens

HANSEN, NILSEN, BLOCKED = "+4740000001", "+4740000002", "+4740000004"
HEALTH_WORDS = ("syk", "sjuk", "sick", "feber", "lege", "doctor")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture(scope="module")
def smtp() -> Iterator[FakeSmtp]:
    with FakeSmtp() as fake:
        yield fake


@pytest.fixture(scope="module")
def callback_port() -> int:
    return _free_port()


@pytest.fixture
def settings(settings: Any, twilio: FakeTwilio, smtp: FakeSmtp, callback_port: int) -> Any:
    twilio.sent.clear()
    twilio.reports_posted.clear()
    smtp.received.clear()
    return dataclasses.replace(
        settings,
        sms=SmsSettings(
            account_sid=twilio.account_sid,
            auth_token=twilio.auth_token,
            sender="Skolebro",
            api_url=twilio.url,
            status_callback_url=f"http://127.0.0.1:{callback_port}/hooks/sms/twilio",
        ),
        mail=MailSettings(smtp_url=smtp.url, sender="varsel@skolebro.no", smtp_ca_file=smtp.ca_file),
    )


@pytest.fixture
async def served(settings: Any, db_dsn: str, clock: Any, callback_port: int) -> AsyncIterator[None]:
    """The service listening on 127.0.0.1, where the provider posts its delivery reports."""
    rt = build_runtime(settings, dsn=db_dsn)
    rt.clock = clock
    server = uvicorn.Server(
        uvicorn.Config(create_app(runtime=rt), host="127.0.0.1", port=callback_port, log_level="warning")
    )
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 (uvicorn offers no event to wait on)
        await asyncio.sleep(0.02)
    yield
    server.should_exit = True
    await task


async def _open_ola(client, tokens, db, clock):
    """Ola (3A) marked absent at 08:40: sought at once."""
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.3a"), db, CLASS_3A, MONDAY, {OLA})
    assert r.status_code == 200, r.text
    return pupil_row(r.json(), OLA)["missing_case_id"]


async def _sweep_at(client, tokens, clock, hh, mm):
    clock.set(oslo(MONDAY, hh, mm))
    return await run_job(client, tokens, "missing-pupil-sweep")


async def _case(client, tokens, case_id, who="teacher.3a"):
    r = await client.get(f"/api/v1/missing-cases/{case_id}", headers=await tokens.headers(who))
    assert r.status_code == 200, r.text
    return r.json()


def _contacts(case, channel):
    return {c["name"]: c["status"] for c in case["contacts"] if c["channel"] == channel}


async def _wait_for(predicate, within=5.0):
    deadline = asyncio.get_running_loop().time() + within
    while True:
        result = await predicate()
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _open_alert(client, tokens, db, username, kind="missing_pupil"):
    nid = await db.fetchval(
        "SELECT id FROM notifications WHERE person_id = $1 AND kind = $2", person(username), kind
    )
    r = await client.post(f"/api/v1/me/notifications/{nid}/read", headers=await tokens.headers(username))
    assert r.status_code == 204, r.text


async def test_sms_and_email_go_out_after_five_minutes_not_four(
    client, tokens, db, clock, twilio, smtp, served
):
    await db.execute("UPDATE people SET locale = 'en' WHERE id = $1", person("guardian.nilsen"))
    case_id = await _open_ola(client, tokens, db, clock)
    effects = await _sweep_at(client, tokens, clock, 8, 44)  # 4 minutes after seeking
    assert effects["sms_steps"] == 0
    assert twilio.sent == [] and smtp.received == []

    effects = await _sweep_at(client, tokens, clock, 8, 46)  # 6 minutes
    assert effects["sms_sent"] == 2 and effects["emails_sent"] == 2
    # Every guardian with access, in their own language; never the blocked one.
    assert {s.to for s in twilio.sent} == {HANSEN, NILSEN}
    (to_hansen,) = twilio.to(HANSEN)
    (to_nilsen,) = twilio.to(NILSEN)
    assert to_hansen.sender == "Skolebro"
    assert "Ola Hansen er ikke på skolen" in to_hansen.body
    assert "Ola Hansen is not at school" in to_nilsen.body
    for text in (to_hansen.body, to_nilsen.body):
        assert "+4757000000" in text  # the school's office phone
        assert is_gsm7(text) and segments(text) == 1
        assert not any(w in text.lower() for w in HEALTH_WORDS)
    assert {r.recipients[0] for r in smtp.received} == {"hansen@example.no", "nilsen@example.no"}
    mail = smtp.to("hansen@example.no")[0]
    assert mail.tls  # STARTTLS was used
    assert mail.message["Subject"] == "Ola Hansen er ikke på skolen"
    assert "+4757000000" in mail.part("plain") and "<p>" in mail.part("html")
    assert not any(w in mail.part("plain").lower() for w in HEALTH_WORDS)

    # The provider's reports arrive at our callback: queued -> sent -> delivered.
    async def delivered():
        case = await _case(client, tokens, case_id)
        return case if set(_contacts(case, "sms").values()) == {"delivered"} else None

    case = await _wait_for(delivered)
    assert _contacts(case, "sms") == {"Kari Nordmann Hansen": "delivered", "Per Nilsen": "delivered"}
    assert _contacts(case, "email") == {"Kari Nordmann Hansen": "sent", "Per Nilsen": "sent"}
    assert case["reached_at"] is None  # a delivered SMS is not a person who saw it
    # The step happens once: a later sweep sends nothing more.
    await _sweep_at(client, tokens, clock, 8, 47)
    assert len(twilio.sent) == 2 and len(smtp.received) == 2


async def test_a_guardian_opening_the_push_at_minute_three_stops_the_ladder(
    client, tokens, db, clock, twilio, smtp, served
):
    case_id = await _open_ola(client, tokens, db, clock)
    clock.set(oslo(MONDAY, 8, 43))
    await _open_alert(client, tokens, db, "guardian.nilsen")
    case = await _case(client, tokens, case_id)
    assert case["reached_at"].startswith("2026-11-23T08:43")
    assert _contacts(case, "push")["Per Nilsen"] == "opened"
    # No SMS or e-mail for anyone, no "call them" push: someone knows.
    for hh, mm in ((8, 46), (8, 51), (9, 0)):
        effects = await _sweep_at(client, tokens, clock, hh, mm)
        assert effects["sms_steps"] == effects["call_steps"] == 0
    assert twilio.sent == [] and smtp.received == []
    assert await kinds_by_user(db, "call_guardians") == {}


async def test_class_team_told_to_call_after_ten_minutes(client, tokens, db, clock, twilio, served):
    case_id = await _open_ola(client, tokens, db, clock)
    await _sweep_at(client, tokens, clock, 8, 46)
    effects = await _sweep_at(client, tokens, clock, 8, 49)
    assert effects["call_steps"] == 0
    assert await kinds_by_user(db, "call_guardians") == {}
    effects = await _sweep_at(client, tokens, clock, 8, 51)
    assert effects["call_steps"] == 1
    assert await kinds_by_user(db, "call_guardians") == {"teacher.3a": 1, "team.3a": 1}
    alert = (await inbox(db, "teacher.3a", "call_guardians"))[0]
    assert alert["urgent"] is True and "Ola Hansen" in alert["title"]
    assert alert["data"]["case_id"] == case_id
    case = await _case(client, tokens, case_id)
    assert case["call_requested_at"].startswith("2026-11-23T08:51")
    await _sweep_at(client, tokens, clock, 8, 55)
    assert await kinds_by_user(db, "call_guardians") == {"teacher.3a": 1, "team.3a": 1}


async def test_quiet_hours_never_delay_the_ladder(client, tokens, db, clock, twilio, served):
    # Everyone concerned has quiet hours over the whole school morning.
    for who in ("guardian.hansen", "guardian.nilsen", "teacher.3a", "team.3a"):
        r = await client.put(
            "/api/v1/me/notification-preferences",
            headers=await tokens.headers(who),
            json={
                "push": {"messages": True, "grades": True, "absence": True, "reminders": True},
                "quiet_hours": {"start": "06:00", "end": "16:00"},
                "locale": "nb",
            },
        )
        assert r.status_code == 200, r.text
        await client.post(
            "/api/v1/me/devices",
            headers=await tokens.headers(who),
            json={"token": f"token-{who}", "platform": "android"},
        )
    await _open_ola(client, tokens, db, clock)
    await _sweep_at(client, tokens, clock, 8, 46)
    assert {s.to for s in twilio.sent} == {HANSEN, NILSEN}
    await _sweep_at(client, tokens, clock, 8, 51)
    # The class team's push is due at once, not when the quiet hours end at 16:00.
    due = await db.fetch(
        "SELECT d.due_at FROM deliveries d JOIN notifications n ON n.id = d.notification_id"
        " WHERE n.kind = 'call_guardians'"
    )
    assert len(due) == 2
    assert all(abs((r["due_at"] - oslo(MONDAY, 8, 51)).total_seconds()) < 5 for r in due)


async def test_two_replicas_sweeping_at_once_send_one_sms_each(
    db_dsn, db, client, tokens, clock, twilio, served
):
    await _open_ola(client, tokens, db, clock)
    pools = [await create_pool(db_dsn, min_size=1, max_size=4) for _ in range(2)]
    try:
        now = oslo(MONDAY, 8, 46)
        results = await asyncio.gather(*(missing_pupil_sweep(p, now) for p in pools))
        again = await asyncio.gather(*(missing_pupil_sweep(p, oslo(MONDAY, 8, 52)) for p in pools))
    finally:
        for p in pools:
            await p.close()
    assert sum(r["sms_steps"] for r in results) == 1
    assert sum(r["sms_sent"] for r in results + again) == 2
    assert sorted(s.to for s in twilio.sent) == [HANSEN, NILSEN]
    assert sum(r["call_steps"] for r in results + again) == 1
    assert await kinds_by_user(db, "call_guardians") == {"teacher.3a": 1, "team.3a": 1}


async def test_sms_failures_are_visible_on_the_case(client, tokens, db, clock, twilio, served):
    # Nilsen's phone is unreachable (reported failed later); Hansen's number is refused at once.
    twilio.script(NILSEN, (0.1, "sent", None), (0.2, "undelivered", "30003"))
    twilio.refuse(HANSEN, 21211)
    try:
        case_id = await _open_ola(client, tokens, db, clock)
        effects = await _sweep_at(client, tokens, clock, 8, 46)
        assert effects["texts_failed"] == 1 and effects["sms_sent"] == 1

        async def failed():
            case = await _case(client, tokens, case_id)
            return case if _contacts(case, "sms").get("Per Nilsen") == "failed" else None

        case = await _wait_for(failed)
        assert _contacts(case, "sms") == {"Kari Nordmann Hansen": "failed", "Per Nilsen": "failed"}
        errors = await db.fetch("SELECT error FROM contact_attempts WHERE channel = 'sms' ORDER BY error")
        assert [r["error"] for r in errors] == [
            "HTTP 400: 21211 The 'To' number is not a valid phone number.",
            "provider error 30003",
        ]
        # The class team is still told to call: nobody has been reached.
        await _sweep_at(client, tokens, clock, 8, 51)
        assert await kinds_by_user(db, "call_guardians") == {"teacher.3a": 1, "team.3a": 1}
    finally:
        twilio.script(NILSEN)
        twilio._refuse.clear()
        twilio._scripts.clear()


async def test_late_and_out_of_order_reports(client, tokens, db, clock, twilio, served):
    # Hansen's "delivered" overtakes its "sent"; Nilsen's "delivered" comes after the case is closed.
    twilio.script(HANSEN, (0.05, "delivered", None), (0.3, "sent", None))
    twilio.script(NILSEN, (1.0, "delivered", None))
    try:
        case_id = await _open_ola(client, tokens, db, clock)
        await _sweep_at(client, tokens, clock, 8, 46)
        r = await client.post(
            f"/api/v1/missing-cases/{case_id}/resolve",
            headers=await tokens.headers("guardian.hansen"),
            json={"outcome": "on_the_way"},
        )
        assert r.status_code == 200, r.text

        async def all_reports():
            return len(twilio.reports_posted) >= 3

        await _wait_for(all_reports)
        assert {status for _, status, answer in twilio.reports_posted if answer != 204} == set()
        case = await _case(client, tokens, case_id)
        # A late "sent" does not undo "delivered"; a report after closing is still recorded.
        assert _contacts(case, "sms") == {"Kari Nordmann Hansen": "delivered", "Per Nilsen": "delivered"}
        assert case["reached_at"] is not None  # Hansen answered
    finally:
        twilio._scripts.clear()


async def test_unsigned_or_forged_reports_are_refused(
    client, tokens, db, clock, twilio, served, callback_port
):
    await _open_ola(client, tokens, db, clock)
    await _sweep_at(client, tokens, clock, 8, 46)
    sid = twilio.to(HANSEN)[0].sid
    url = f"http://127.0.0.1:{callback_port}/hooks/sms/twilio"
    params = {
        "MessageSid": sid,
        "MessageStatus": "failed",
        "ErrorCode": "30008",
        "AccountSid": twilio.account_sid,
    }
    r = await client.post(
        "/hooks/sms/twilio", data=params, headers={"X-Twilio-Signature": sign("wrong", url, params)}
    )
    assert r.status_code == 403
    assert r.json()["code"] == "sms.bad_signature"
    r = await client.post("/hooks/sms/twilio", data=params)
    assert r.status_code == 403
    status = await db.fetchval("SELECT status FROM contact_attempts WHERE provider_id = $1", sid)
    assert status != "failed"


async def test_escalation_climbs_the_same_ladder_and_leaders_get_one_summary(
    client, tokens, db, clock, twilio, smtp, served
):
    # Grades 8–10 sought during the first lesson too, so Kari and Ola are sought together.
    school = await db.fetchval("SELECT school_id FROM classes WHERE id = $1", CLASS_9B)
    r = await client.put(
        f"/api/v1/schools/{school}/settings",
        headers=await tokens.headers("leader"),
        json={"seek_policy": {"1-7": "first_lesson", "8-10": "first_lesson", "11-13": "first_recess"}},
    )
    assert r.status_code == 200, r.text
    clock.set(oslo(MONDAY, 8, 40))
    r = await roll_call(client, await tokens.headers("teacher.9b"), db, CLASS_9B, MONDAY, {KARI})
    assert pupil_row(r.json(), KARI)["status"] == "absent"
    await _open_ola(client, tokens, db, clock)
    await _sweep_at(client, tokens, clock, 8, 46)
    first = len(twilio.to(HANSEN))
    assert first == 2  # one text per child
    effects = await _sweep_at(client, tokens, clock, 9, 11)  # both escalate in one sweep
    assert effects["escalated"] == 2
    # One summary for the leader, with the count, instead of one push per case.
    summaries = await inbox(db, "leader", "missing_pupil_summary")
    assert len(summaries) == 1 and summaries[0]["data"]["count"] == 2
    assert "2" in summaries[0]["title"]
    assert await kinds_by_user(db, "missing_pupil_escalation") == {
        "guardian.hansen": 2,
        "guardian.nilsen": 1,
        "guardian.readonly": 1,
    }
    await _sweep_at(client, tokens, clock, 9, 15)
    assert len(twilio.to(HANSEN)) == first
    await _sweep_at(client, tokens, clock, 9, 17)  # 5 minutes after escalating
    escalated_texts = [s.body for s in twilio.to(HANSEN)][first:]
    assert len(escalated_texts) == 2
    assert all("02800" in t and "+4757000000" in t for t in escalated_texts)
