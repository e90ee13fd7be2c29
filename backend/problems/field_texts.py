"""Field messages of validation problems in the reader's language.

msgspec (and Litestar around it) word every validation failure in English:
"Invalid enum value 'flu'". A Bokmål or Nynorsk problem document must not
(issue 10), so each known message shape is matched and said again in our own
words; the field path stays in the problem's ``field``. English keeps the
library's wording, which names the constraint exactly.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TYPES = {
    "nb": {
        "int": "et heltall",
        "float": "et tall",
        "str": "en tekst",
        "bool": "true eller false",
        "null": "null",
        "object": "et objekt",
        "array": "en liste",
        "uuid": "en UUID",
        "date": "en dato",
        "time": "et klokkeslett",
        "datetime": "et tidspunkt",
    },
    "nn": {
        "int": "eit heiltal",
        "float": "eit tal",
        "str": "ein tekst",
        "bool": "true eller false",
        "null": "null",
        "object": "eit objekt",
        "array": "ei liste",
        "uuid": "ein UUID",
        "date": "ein dato",
        "time": "eit klokkeslett",
        "datetime": "eit tidspunkt",
    },
}

_Render = Callable[[re.Match[str], str], str]


def _type(name: str, locale: str) -> str:
    return _TYPES[locale].get(name, f"`{name}`")


def _expected_got(m: re.Match[str], loc: str) -> str:
    if loc == "nb":
        return f"Forventet {_type(m['want'], loc)}, fikk {_type(m['got'], loc)}."
    return f"Venta {_type(m['want'], loc)}, fekk {_type(m['got'], loc)}."


def _length(m: re.Match[str], loc: str) -> str:
    n, most = m["n"], m["op"] == "<="
    if m["kind"] == "str":
        if loc == "nb":
            return (
                f"Teksten kan være høyst {n} tegn lang." if most else f"Teksten må være minst {n} tegn lang."
            )
        return f"Teksten kan vere høgst {n} teikn lang." if most else f"Teksten må vere minst {n} teikn lang."
    if m["kind"] in ("array", "object"):
        if loc == "nb":
            return f"Listen kan ha høyst {n} elementer." if most else f"Listen må ha minst {n} elementer."
        return f"Lista kan ha høgst {n} element." if most else f"Lista må ha minst {n} element."
    return _fallback(m, loc)


def _bound(m: re.Match[str], loc: str) -> str:
    n = m["n"]
    words = {
        ("nb", ">="): f"minst {n}",
        ("nb", ">"): f"større enn {n}",
        ("nb", "<="): f"høyst {n}",
        ("nb", "<"): f"mindre enn {n}",
        ("nn", ">="): f"minst {n}",
        ("nn", ">"): f"større enn {n}",
        ("nn", "<="): f"høgst {n}",
        ("nn", "<"): f"mindre enn {n}",
    }[(loc, m["op"])]
    return f"Tallet må være {words}." if loc == "nb" else f"Talet må vere {words}."


def _pattern(_: re.Match[str], loc: str) -> str:
    return "Verdien har ikke riktig form." if loc == "nb" else "Verdien har ikkje rett form."


def _enum(m: re.Match[str], loc: str) -> str:
    if loc == "nb":
        return f"{m['value']} er ikke en av de tillatte verdiene."
    return f"{m['value']} er ikkje ein av dei tillatne verdiane."


def _invalid_kind(m: re.Match[str], loc: str) -> str:
    what = _type(m["kind"].lower(), loc)
    if loc == "nb":
        return f"Ugyldig verdi: forventet {what}" + (
            " med tidssone (RFC 3339)." if m["kind"] == "datetime" else "."
        )
    return f"Ugyldig verdi: venta {what}" + (" med tidssone (RFC 3339)." if m["kind"] == "datetime" else ".")


def _missing(_: re.Match[str], loc: str) -> str:
    return "Feltet må være med." if loc == "nb" else "Feltet må vere med."


def _unknown(_: re.Match[str], loc: str) -> str:
    return "Feltet er ikke kjent." if loc == "nb" else "Feltet er ikkje kjent."


def _nul(_: re.Match[str], loc: str) -> str:
    return "Teksten inneholder et NUL-tegn." if loc == "nb" else "Teksten inneheld eit NUL-teikn."


def _fallback(_: re.Match[str] | None, loc: str) -> str:
    # The same word in both written standards.
    del loc
    return "Ugyldig verdi."


_RULES: list[tuple[re.Pattern[str], _Render]] = [
    (re.compile(r"^Expected `(?P<want>\w+)`, got `(?P<got>\w+)`"), _expected_got),
    (re.compile(r"^Expected `(?P<kind>\w+)` of length (?P<op>[<>]=?) (?P<n>\d+)"), _length),
    (re.compile(r"^Expected `\w+` matching regex"), _pattern),
    (re.compile(r"^Expected `\w+` (?P<op>[<>]=?) (?P<n>-?[\d.]+)"), _bound),
    (re.compile(r"^Invalid enum value (?P<value>.+)$"), _enum),
    (re.compile(r"^Invalid (?:RFC3339 encoded )?(?P<kind>datetime|date|time|UUID)"), _invalid_kind),
    (re.compile(r"^Object missing required field"), _missing),
    (re.compile(r"^Object contains unknown field"), _unknown),
    (re.compile(r"NUL character"), _nul),
]


def field_message(message: str, locale: str) -> str:
    """``message`` (from msgspec or Litestar) in ``locale``; English as it came."""
    if locale not in _TYPES:
        return message
    for pattern, render in _RULES:
        m = pattern.search(message)
        if m is not None:
            return render(m, locale)
    return _fallback(None, locale)
