"""What a scheduled job is: a function of the pool and the instant it runs as if at."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import asyncpg

# It returns what it did (counts by name) for the log and the CLI.
Job = Callable[[asyncpg.Pool, datetime], Awaitable[dict[str, Any]]]
