"""The header's navigation: the pages of api.md's page table this person's roles may use.

Built from ``/me`` (the same facts the app gets) once a request, so a guardian sees
the family's pages, a class team member the morning and the classes, a leader the
school's desk. A link here is only a way in: every page still asks the services.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from backend.access.policy import PupilAccess, pupil_access
from backend.me.service import me as load_me
from backend.problems.errors import NotFound
from schemas.common import Role
from schemas.me import Me


@dataclass(frozen=True, slots=True)
class NavLink:
    href: str
    key: str  # portal text id without ``portal.``
    primary: bool  # shown at once; the rest sit behind "More" (a phone's narrow header)
    param: str = ""  # a school's name for the leader's pages


async def own_pupil_access(conn: asyncpg.Connection, me: Me, now: datetime) -> PupilAccess | None:
    """A pupil's rights on themselves (18+ report their own absence), else None."""
    if Role.pupil not in me.roles:
        return None
    try:
        return await pupil_access(conn, me.id, me.id, now)
    except NotFound:
        return None


def links_for(me: Me, reports_own_absence: bool) -> tuple[NavLink, ...]:
    roles = set(me.roles)
    family = Role.guardian in roles or Role.pupil in roles
    staff = bool({Role.teacher, Role.school_leader} & roles)
    leader = Role.school_leader in roles
    links = [NavLink("/web/", "nav_home", True)]
    if Role.guardian in roles or reports_own_absence:
        links.append(NavLink("/web/absence", "nav_absence", True))
    if staff and (me.classes or leader):
        links.append(NavLink("/web/morning", "nav_morning", True))
    links.append(NavLink("/web/threads", "nav_threads", True))
    links.append(NavLink("/web/inbox", "nav_inbox", True))
    if family or staff:
        links.append(NavLink("/web/leave", "nav_leave", True))
    if leader or any(c.is_contact_teacher for c in me.classes):
        links.append(NavLink("/web/follow-ups", "nav_follow_ups", False))
    for s in me.schools:
        if s.role is Role.school_leader:
            base = f"/web/schools/{s.school_id}"
            links.extend(
                NavLink(f"{base}/{page}", f"nav_school_{page.replace('-', '_')}", False, s.name)
                for page in ("settings", "calendar", "reachability", "audit-log", "roster")
            )
    links.extend(
        NavLink(f"/web/owners/{d.district_id}/statistics", "nav_statistics", True, d.name)
        for d in me.districts
    )
    links.append(NavLink("/web/settings/notifications", "nav_notifications", False))
    links.append(NavLink("/web/my-data", "nav_my_data", False))
    return tuple(links)


async def nav_links(conn: asyncpg.Connection, person_id: uuid.UUID, now: datetime) -> tuple[NavLink, ...]:
    me = await load_me(conn, person_id, now)
    own = await own_pupil_access(conn, me, now)
    return links_for(me, own is not None and own.can_report_absence)


# Reading /me costs a few milliseconds (most for a leader), on every page. The links
# change only with the roster, so a session keeps its menu for a minute; a stale link
# is harmless (every page asks the services) and a new sign-in starts afresh.
NAV_SECONDS = 60.0
NAV_SESSIONS = 10_000
_menus: dict[str, tuple[float, tuple[NavLink, ...]]] = {}


async def session_nav(
    conn: asyncpg.Connection, session_key: str, person_id: uuid.UUID, now: datetime
) -> tuple[NavLink, ...]:
    """``nav_links`` for one session (``session_key``: its CSRF token), kept a minute."""
    at = time.monotonic()
    kept = _menus.get(session_key)
    if kept is not None and kept[0] > at:
        return kept[1]
    links = await nav_links(conn, person_id, now)
    if len(_menus) >= NAV_SESSIONS:
        for key in [k for k, (until, _) in _menus.items() if until <= at] or list(_menus)[
            : NAV_SESSIONS // 10
        ]:
            _menus.pop(key, None)
    _menus[session_key] = (at + NAV_SECONDS, links)
    return links
