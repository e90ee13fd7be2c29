"""The web portal's pages (api.md: Web pages), one controller a page, HTTP only.

Every page needs a session except sign-in, and every form is POST with a CSRF
token (``SIGNED_IN`` on the controller checks both); everything user-written goes
through Jinja's autoescape. Rules and access live in the services.
"""

from __future__ import annotations

from litestar import Router
from litestar.static_files import create_static_files_router

from backend.web.absence_pages import AbsencePages
from backend.web.audit_pages import AuditPages
from backend.web.board_pages import BoardPages
from backend.web.calendar_pages import CalendarPages
from backend.web.case_pages import CasePages
from backend.web.error_pages import EXCEPTION_HANDLERS
from backend.web.follow_up_pages import FollowUpPages
from backend.web.home_pages import HomePages
from backend.web.leave_pages import LeavePages
from backend.web.login_pages import SignInPages, SignOutPages
from backend.web.message_pages import InboxPages, ThreadPages
from backend.web.morning_pages import MorningPages
from backend.web.my_data_pages import MyDataPages
from backend.web.notification_pages import NotificationPages
from backend.web.pages import HERE
from backend.web.pupil_pages import PupilPages
from backend.web.reach_pages import ReachPages
from backend.web.roster_pages import RosterPages
from backend.web.school_settings_pages import SchoolSettingsPages
from backend.web.warning_pages import DocumentationPages, WarningPages


def web_router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            SignInPages,
            SignOutPages,
            HomePages,
            LeavePages,
            BoardPages,
            MorningPages,
            ReachPages,
            NotificationPages,
            PupilPages,
            SchoolSettingsPages,
            CalendarPages,
            AuditPages,
            RosterPages,
            WarningPages,
            DocumentationPages,
            AbsencePages,
            CasePages,
            ThreadPages,
            InboxPages,
            FollowUpPages,
            MyDataPages,
            create_static_files_router(
                path="/web/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
