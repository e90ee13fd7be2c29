"""The children a guardian (or a pupil 18+, themself) sees on the phone pages, with
today's state: the same services and access policy as the API, read per child."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import asyncpg

from backend.absence import service as absence
from backend.access.policy import PupilAccess, pupil_access
from backend.missing import reads as missing
from backend.problems.errors import NotFound
from backend.web.nav import own_pupil_access
from schemas.absence import AbsenceReport
from schemas.common import Access
from schemas.me import Me
from schemas.missing import CaseFilter, MissingCase


@dataclass(slots=True)
class FamilyChild:
    pupil_id: uuid.UUID
    name: str
    class_name: str
    may_report: bool  # full access (or a pupil of 18 reporting for themself)
    is_self: bool
    today: date
    reports: list[AbsenceReport] = field(default_factory=list)
    today_report: AbsenceReport | None = None
    open_cases: list[MissingCase] = field(default_factory=list)


async def _child(
    conn: asyncpg.Connection, viewer: uuid.UUID, access: PupilAccess, is_self: bool, now: datetime
) -> FamilyChild:
    today = access.local_today
    # Reports from today on: what is coming up, and what can still be withdrawn.
    page = await absence.list_reports(conn, access, viewer, today, None, None, 50, now)
    reports = sorted(page.items, key=lambda r: (r.first_day, r.from_time or ""))
    return FamilyChild(
        pupil_id=access.pupil_id,
        name=access.pupil_name,
        class_name=access.class_name,
        may_report=access.can_report_absence,
        is_self=is_self,
        today=today,
        reports=reports,
        today_report=next((r for r in reports if r.first_day <= today <= r.last_day), None),
    )


async def family(conn: asyncpg.Connection, me: Me, now: datetime) -> list[FamilyChild]:
    """The pupil themself (18+, first), then each child, with reports and open cases."""
    out: list[FamilyChild] = []
    own = await own_pupil_access(conn, me, now)
    if own is not None and own.can_report_absence:
        out.append(await _child(conn, me.id, own, True, now))
    for c in me.children:
        try:
            access = await pupil_access(conn, me.id, c.pupil_id, now)
        except NotFound:  # access changed since /me was read
            continue
        child = await _child(conn, me.id, access, False, now)
        child.may_report = child.may_report and c.access is Access.full
        out.append(child)
    if out:
        cases = await missing.list_cases(conn, me.id, CaseFilter.open, None, None, 50, now)
        for child in out:
            child.open_cases = [k for k in cases.items if k.pupil_id == child.pupil_id]
    return out
