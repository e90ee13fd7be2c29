"""The page size of every paginated list (the cursors themselves: backend/lib/cursors.py)."""

from __future__ import annotations

from typing import Annotated

from litestar.params import Parameter

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# The ``limit`` query parameter of every paginated list.
Limit = Annotated[int, Parameter(ge=1, le=MAX_LIMIT, description="page size")]
