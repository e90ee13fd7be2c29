"""The web portal's pages (api.md: Web pages), one controller a page, HTTP only.

Every page needs a session except sign-in, and every form is POST with a CSRF
token (``SIGNED_IN`` on the controller checks both); everything user-written goes
through Jinja's autoescape. Rules and access live in the services.
"""

from __future__ import annotations

from litestar import Router
from litestar.static_files import create_static_files_router

from backend.web.board_pages import BoardPages
from backend.web.error_pages import EXCEPTION_HANDLERS
from backend.web.home_pages import HomePages
from backend.web.leave_pages import LeavePages
from backend.web.login_pages import SignInPages, SignOutPages
from backend.web.my_data_pages import MyDataPages
from backend.web.pages import HERE
from backend.web.reach_pages import ReachPages


def web_router() -> Router:
    return Router(
        path="/",
        route_handlers=[
            SignInPages,
            SignOutPages,
            HomePages,
            LeavePages,
            BoardPages,
            ReachPages,
            MyDataPages,
            create_static_files_router(
                path="/web/static", directories=[HERE / "static"], include_in_schema=False
            ),
        ],
        exception_handlers=EXCEPTION_HANDLERS,
        include_in_schema=False,
    )
