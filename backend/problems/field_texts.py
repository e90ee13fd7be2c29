"""Field messages of validation problems in the reader's language.

msgspec (and Litestar around it) word every validation failure in English:
"Invalid enum value 'flu'". A Bokmål or Nynorsk problem document must not
show that, so each known message shape is matched and said again in our own
words (``field.*`` in the problems catalog); the field path stays in the
problem's ``field``. English keeps the library's wording, which names the
constraint exactly: the en catalog's field texts are there for translators.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from i18n import CATALOGS

# The language the library words its messages in: answered as they came.
LIBRARY_LOCALE = "en"

_Render = Callable[[re.Match[str], str], str]
_BOUNDS = {">=": "at_least", ">": "more_than", "<=": "at_most", "<": "less_than"}


def _type(name: str, locale: str) -> str:
    msgid = f"field.type.{name}"
    return CATALOGS.text(locale, msgid) if CATALOGS.has(msgid) else f"`{name}`"


def _expected_got(m: re.Match[str], loc: str) -> str:
    return CATALOGS.gettext(loc, "field.expected_got", want=_type(m["want"], loc), got=_type(m["got"], loc))


def _length(m: re.Match[str], loc: str) -> str:
    what = {"str": "text", "array": "list", "object": "list"}.get(m["kind"])
    if what is None:
        return _fallback(m, loc)
    bound = "at_most" if m["op"] == "<=" else "at_least"
    return CATALOGS.gettext(loc, f"field.length.{what}.{bound}", n=m["n"])


def _bound(m: re.Match[str], loc: str) -> str:
    return CATALOGS.gettext(loc, f"field.bound.{_BOUNDS[m['op']]}", n=m["n"])


def _enum(m: re.Match[str], loc: str) -> str:
    return CATALOGS.gettext(loc, "field.enum", value=m["value"])


def _invalid_kind(m: re.Match[str], loc: str) -> str:
    msgid = "field.invalid_kind.datetime" if m["kind"] == "datetime" else "field.invalid_kind"
    return CATALOGS.gettext(loc, msgid, what=_type(m["kind"].lower(), loc))


def _said(msgid: str) -> _Render:
    return lambda _, loc: CATALOGS.text(loc, msgid)


def _fallback(_: re.Match[str] | None, loc: str) -> str:
    return CATALOGS.text(loc, "field.fallback")


_RULES: list[tuple[re.Pattern[str], _Render]] = [
    (re.compile(r"^Expected `(?P<want>\w+)`, got `(?P<got>\w+)`"), _expected_got),
    (re.compile(r"^Expected `(?P<kind>\w+)` of length (?P<op>[<>]=?) (?P<n>\d+)"), _length),
    (re.compile(r"^Expected `\w+` matching regex"), _said("field.pattern")),
    (re.compile(r"^Expected `\w+` (?P<op>[<>]=?) (?P<n>-?[\d.]+)"), _bound),
    (re.compile(r"^Invalid enum value (?P<value>.+)$"), _enum),
    (re.compile(r"^Invalid (?:RFC3339 encoded )?(?P<kind>datetime|date|time|UUID)"), _invalid_kind),
    (re.compile(r"^Object missing required field"), _said("field.missing")),
    (re.compile(r"^Object contains unknown field"), _said("field.unknown")),
    (re.compile(r"NUL character"), _said("field.nul")),
]


def field_message(message: str, locale: str) -> str:
    """``message`` (from msgspec or Litestar) in ``locale``; the library's language as it came."""
    if locale == LIBRARY_LOCALE or locale not in CATALOGS.locales:
        return message
    for pattern, render in _RULES:
        m = pattern.search(message)
        if m is not None:
            return render(m, locale)
    return _fallback(None, locale)
