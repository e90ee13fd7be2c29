"""Translated texts read from gettext catalogs, one folder per language.

Layout: ``i18n/locales/<lang>/LC_MESSAGES/<domain>.po``. The languages served are
the folders present, so adding one (Northern Sami: ``se``) is a new folder of .po
files, not new code; nb is the default and the fallback for a language or a text
that is missing. Domains (problems, notifications, messaging, portal) only group
the texts for translators: message ids are unique across them, so a lookup names
the id and not the domain.

Message ids are stable keys, not source texts, so that correcting a Bokmål text
never orphans its translations:

- ``problem.<code>.title`` / ``.detail``; ``field.<rule>`` (validation messages);
- ``push.<kind>.title`` / ``.body``; ``sms.<stage>.full`` / ``.short`` (and ``.no_phone``);
  ``email.<stage>.subject`` / ``.body``; ``channel.no_phone``;
- ``messaging.<what>``; ``portal.<key>``; ``language.name`` / ``.position`` (the picker).

A plural entry's ``msgid_plural`` is its id + ``.plural``; its forms follow the
catalog's Plural-Forms header. Texts keep ``str.format`` placeholders (``{pupil}``).

The .po files are parsed with Babel once, at first use, into gettext translations
in memory: nothing is compiled ahead, so ``pip install -e .`` and run is enough.
"""

from __future__ import annotations

import gettext as _gettext
import io
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DEFAULT_LOCALE = "nb"
LOCALES_DIR = Path(__file__).with_name("locales")
# Language tags that name a served language by another code: "no" (Norwegian) is Bokmål.
_ALIASES = {"no": DEFAULT_LOCALE}
# language -> msgid -> the translations (one per .po file) that hold it
_Index = dict[str, dict[str, _gettext.GNUTranslations]]


def _translated(string: str | Sequence[str] | None) -> bool:
    """Whether a msgstr (or every form of a plural one) has a text."""
    if string is None or isinstance(string, str):
        return bool(string)
    return bool(string) and all(string)


def _read_domain(path: Path) -> tuple[_gettext.GNUTranslations, list[str], set[str]]:
    """One .po file as gettext translations, with its translated ids (file order) and plural ids."""
    with path.open("rb") as fp:
        catalog = read_po(fp)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)  # leaves out fuzzy and untranslated entries
    buffer.seek(0)
    ids: list[str] = []
    plural: set[str] = set()
    for message in catalog:
        if not message.id or message.fuzzy:
            continue
        if not _translated(message.string):
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        ids.append(msgid)
        if message.pluralizable:
            plural.add(msgid)
    return _gettext.GNUTranslations(buffer), ids, plural


class Catalogs:
    """The catalogs under one locales directory (tests point one at a copy)."""

    def __init__(self, directory: Path = LOCALES_DIR, default: str = DEFAULT_LOCALE) -> None:
        self.directory = directory
        self.default = default

    @cached_property
    def _loaded(self) -> tuple[_Index, set[str]]:
        index: _Index = {}
        plural: set[str] = set()
        for folder in sorted(p for p in self.directory.iterdir() if (p / "LC_MESSAGES").is_dir()):
            by_id = index.setdefault(folder.name, {})
            for path in sorted((folder / "LC_MESSAGES").glob("*.po")):
                translations, ids, plural_ids = _read_domain(path)
                by_id.update(dict.fromkeys(ids, translations))
                plural |= plural_ids
        return index, plural

    @cached_property
    def locales(self) -> tuple[str, ...]:
        """The languages served, in the order of their ``language.position``."""

        def position(lang: str) -> tuple[int, str]:
            value = self.text(lang, "language.position")
            return (int(value) if value.isdigit() else 1000, lang)

        return tuple(sorted(self._loaded[0], key=position))

    def locale_names(self) -> dict[str, str]:
        """Each language's name in itself, in picker order."""
        return {lang: self.text(lang, "language.name") for lang in self.locales}

    def message_ids(self, lang: str | None = None) -> list[str]:
        """The translated ids of ``lang`` (the default language if None), in file order."""
        return list(self._loaded[0].get(lang or self.default, {}))

    def has(self, msgid: str) -> bool:
        return msgid in self._loaded[0].get(self.default, {})

    def text(self, locale: str, msgid: str, n: int = 1) -> str:
        """The raw text of ``msgid`` (the form for ``n`` if it is a plural entry): in
        ``locale``, else in the default language, else the id itself."""
        index, plural = self._loaded
        translations = index.get(locale, {}).get(msgid) or index.get(self.default, {}).get(msgid)
        if translations is None:
            return msgid
        if msgid in plural:
            return translations.ngettext(msgid, f"{msgid}.plural", n)
        return translations.gettext(msgid)

    def gettext(self, locale: str, msgid: str, /, **params: object) -> str:
        return self.ngettext(locale, msgid, 1, **params)

    def ngettext(self, locale: str, msgid: str, n: int, /, **params: object) -> str:
        """The plural entry ``msgid`` in the form for ``n``; the number itself is a param
        like any other (``count=n``), so a translation may leave it out."""
        text = self.text(locale, msgid, n)
        return text.format(**params) if params else text

    def negotiate_locale(self, accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
        """The served language the Accept-Language header ranks highest (the first of equals)."""
        if not accept_language:
            return default
        served = {lang: lang for lang in self.locales} | _ALIASES
        best: tuple[float, str] | None = None
        for part in accept_language.split(","):
            pieces = part.strip().split(";")
            primary = pieces[0].strip().lower().split("-")[0]
            q = 1.0
            for p in pieces[1:]:
                if p.strip().startswith("q="):
                    try:
                        q = float(p.strip()[2:])
                    except ValueError:
                        q = 0.0
            locale = served.get(primary)
            if locale and (best is None or q > best[0]):
                best = (q, locale)
        return best[1] if best else default


CATALOGS = Catalogs()


def locales() -> tuple[str, ...]:
    return CATALOGS.locales


def gettext(locale: str, msgid: str, /, **params: object) -> str:
    return CATALOGS.gettext(locale, msgid, **params)


def ngettext(locale: str, msgid: str, n: int, /, **params: object) -> str:
    return CATALOGS.ngettext(locale, msgid, n, **params)


def negotiate_locale(accept_language: str | None, default: str = DEFAULT_LOCALE) -> str:
    return CATALOGS.negotiate_locale(accept_language, default)
