"""The partial the staff pupil page includes: a pupil's follow-ups, given ``follow_ups``."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from jinja2 import Environment, FileSystemLoader, select_autoescape

from backend.web.pages import HERE
from backend.web.portal_texts import format_day, translator
from schemas.follow_ups import FollowUp, FollowUpStatus, Rule, RuleMet


def _render(follow_ups: list[FollowUp]) -> str:
    env = Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape())
    return env.get_template("pupil_follow_ups.html").render(
        t=translator("nb"), day=lambda d: format_day(d, "nb"), follow_ups=follow_ups
    )


def test_the_partial_lists_the_follow_ups_with_links():
    fid = uuid.uuid4()
    item = FollowUp(
        id=fid,
        pupil_id=uuid.uuid4(),
        pupil_name="Ola <b>Hansen</b>",
        class_id=uuid.uuid4(),
        class_name="3A",
        school_id=uuid.uuid4(),
        status=FollowUpStatus.closed,
        opened_at=datetime(2026, 11, 23, 19, tzinfo=UTC),
        closed_at=datetime(2026, 11, 30, 12, tzinfo=UTC),
        owner_id=None,
        rules=[
            RuleMet(rule=Rule.same_weekday, days=[date(2026, 11, 9)]),
            RuleMet(rule=Rule.unexplained, days=[]),
        ],
    )
    html = _render([item])
    assert f'href="/web/follow-ups/{fid}"' in html
    assert "Samme ukedag, Udokumentert" in html and "lukket" in html
    assert "<h2" in html


def test_the_partial_says_when_there_are_none():
    assert "Ingen oppfølginger her." in _render([])
