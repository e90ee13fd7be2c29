"""Texts of the web portal (``portal.<key>`` in the portal catalogs), Bokmål by default.

The language is chosen by ``?lang=`` (remembered in a cookie), then the
cookie, then the signed-in person's own setting, then Bokmål.
"""

from __future__ import annotations

from datetime import date

from babel.dates import format_date

from i18n import CATALOGS

LANG_COOKIE = "skolebro_lang"


def locale_names() -> dict[str, str]:
    """Each language's name in itself, in the picker's order."""
    return CATALOGS.locale_names()


def format_day(day: date, locale: str) -> str:
    """As the language's ``portal.date_pattern`` says: 24.11.2026 in Norwegian, 24 Nov 2026 in English."""
    lang = locale if locale in CATALOGS.locales else CATALOGS.default
    return format_date(day, CATALOGS.text(lang, "portal.date_pattern"), locale=lang)


def pick_locale(query: str | None, cookie: str | None, person: str | None = None) -> str:
    for candidate in (query, cookie, person):
        if candidate in CATALOGS.locales:
            return candidate
    return CATALOGS.default


class Translator:
    """``t(key, **params)`` in templates; ``t.plural(key, n, **params)`` for a text that counts."""

    def __init__(self, locale: str) -> None:
        self.locale = locale if locale in CATALOGS.locales else CATALOGS.default

    def __call__(self, key: str, /, **params: object) -> str:
        return self.plural(key, 1, **params)

    def plural(self, key: str, n: int, /, **params: object) -> str:
        msgid = f"portal.{key}"
        if not CATALOGS.has(msgid):
            return key
        text = CATALOGS.text(self.locale, msgid, n)
        return text.format(**params) if params else text


def translator(locale: str) -> Translator:
    return Translator(locale)
