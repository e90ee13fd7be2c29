"""``OPTIONS`` and ``Allow`` that name every method of a path.

Litestar gives each path an ``OPTIONS`` handler that answers the methods of its route
as it was when the handler was made. A path served by two controllers (``GET`` and
``POST /threads``; ``GET`` and ``PUT`` of settings) is built in steps, and the handler
made at the first step keeps answering that step's methods while the 405 answer lists
them all. Pointing each such handler at its final route makes both agree; it applies
to every route the application has, including ones added later.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute


def complete_allow(app: Litestar) -> None:
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            fn = getattr(handler.fn, "__closure__", None) and handler.fn
            if handler.http_methods != {"OPTIONS"} or fn is None or fn.__name__ != "options_handler":
                continue
            for cell in fn.__closure__ or ():
                if isinstance(cell.cell_contents, HTTPRoute):
                    cell.cell_contents = route
