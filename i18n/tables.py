"""Catalog texts seen as tables, for code that lists problem codes or push kinds."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from i18n.catalogs import CATALOGS, Catalogs


class TextTable(Mapping[str, Mapping[str, tuple[str, ...]]]):
    """A read-only view ``key -> locale -> (text of each part)`` over the ids
    ``<prefix>.<key>.<part>``: how code that lists problem codes or push kinds sees them."""

    def __init__(self, prefix: str, parts: tuple[str, ...], catalogs: Catalogs = CATALOGS) -> None:
        self._prefix, self._parts, self._catalogs = f"{prefix}.", parts, catalogs

    def _keys(self) -> list[str]:
        first = f".{self._parts[0]}"
        return [
            msgid[len(self._prefix) : -len(first)]
            for msgid in self._catalogs.message_ids()
            if msgid.startswith(self._prefix) and msgid.endswith(first)
        ]

    def __getitem__(self, key: str) -> Mapping[str, tuple[str, ...]]:
        if not self._catalogs.has(f"{self._prefix}{key}.{self._parts[0]}"):
            raise KeyError(key)
        # A plural entry shows its form for many.
        return {
            lang: tuple(self._catalogs.text(lang, f"{self._prefix}{key}.{part}", 2) for part in self._parts)
            for lang in self._catalogs.locales
        }

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())
