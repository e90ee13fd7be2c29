"""The staff's share of the home page (``/web/``): what needs the person now.

Escalated and open missing-pupil cases and the classes not checked by the school's
deadline (from the morning overview's service), and the leave requests waiting for
their decision (the leave service, as ``/web/leave`` lists them). Nothing here for
someone who answers for no class: a subject teacher's home stays as it was.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.attendance import morning
from backend.attendance.morning import ClassMorning, MorningOverview, OpenCase
from backend.leave import service as leave
from backend.problems.errors import NotFound
from schemas.leave import LeaveListFilter


@dataclass(frozen=True, slots=True)
class StaffNow:
    overview: MorningOverview
    leave_to_decide: int

    @property
    def cases(self) -> list[OpenCase]:
        return [c for s in self.overview.schools for c in s.cases]

    @property
    def overdue(self) -> list[tuple[str, list[ClassMorning]]]:
        """(the school's deadline, its classes not checked by then), per school that has any."""
        return [(s.check_deadline.strftime("%H:%M"), s.overdue) for s in self.overview.schools if s.overdue]

    @property
    def all_clear(self) -> bool:
        return not self.cases and not self.overdue and not self.leave_to_decide


async def staff_now(conn: asyncpg.Connection, viewer: uuid.UUID, now: datetime) -> StaffNow | None:
    try:
        overview = await morning.overview(conn, viewer, now)
    except NotFound:
        return None
    pending = await leave.list_requests(conn, viewer, LeaveListFilter.pending, None, 100, now)
    return StaffNow(overview=overview, leave_to_decide=sum(1 for r in pending.items if r.can_decide))
