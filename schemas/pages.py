"""One page of a list, and where the next one starts."""

from __future__ import annotations

from typing import Generic, TypeVar

import msgspec

T = TypeVar("T")


class Page(msgspec.Struct, Generic[T]):
    """A page of ``items``; ``next_cursor`` is null on the last page.

    Each list names its page (``class NotificationPage(Page[Notification])``), as
    the contract's clients know it, and names the item type again on ``items``:
    Litestar documents a subclass of a generic Struct without resolving ``T``.
    """

    items: list[T]
    next_cursor: str | None
