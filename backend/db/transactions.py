"""The use case's transaction: services own it, routes and pages never open one."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager, nullcontext
from typing import Any

import asyncpg


def atomic(conn: asyncpg.Connection) -> AbstractAsyncContextManager[Any]:
    """A transaction for the use case, or the caller's own when one is already open.

    An idempotent POST runs its use case inside the transaction that holds its
    ``Idempotency-Key`` row (backend/edge/idempotency.py): the use case joins it
    rather than adding a savepoint.
    """
    if conn.is_in_transaction():
        return nullcontext()
    return conn.transaction()
