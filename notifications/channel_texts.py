"""SMS and e-mail texts of the ladder, in nb, nn and en.

They say who is missing and whom to call, never why a child might be away
(no health reason ever leaves the app), and name the school's office phone
so a guardian without the app can still answer.

SMS are kept to one GSM-7 segment (160 characters) where possible: a text
split in parts may arrive out of order or partly, and a single character
outside GSM-7 (an emoji, "ł" in a name) turns the whole text into UCS-2 with
70 characters a segment. Each text has a short form for long names.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

# GSM 03.38 basic character set, and the extension table (two septets each).
_GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = "^{}\\[~]|€\f"
GSM7_SEGMENT = 160
UCS2_SEGMENT = 70


def is_gsm7(text: str) -> bool:
    return all(c in _GSM7_BASIC or c in _GSM7_EXTENDED for c in text)


def segments(text: str) -> int:
    """How many SMS parts ``text`` takes (concatenated parts carry a 7-byte header)."""
    if is_gsm7(text):
        length = sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
        single, part = GSM7_SEGMENT, 153
    else:
        # UTF-16 code units: characters outside the BMP take two.
        length = len(text.encode("utf-16-le")) // 2
        single, part = UCS2_SEGMENT, 67
    if length <= single:
        return 1
    return -(-length // part)


# Letters without a GSM-7 form of their own and no accent to strip.
_LOOKALIKE = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"})


def gsm7_name(name: str) -> str:
    """A name as GSM-7 can carry it: accents outside GSM-7 dropped (Łukasz → Lukasz,
    Zoë stays Zoe), so one foreign letter does not halve what fits in a text."""
    out = []
    for c in name.translate(_LOOKALIKE):
        if is_gsm7(c):
            out.append(c)
            continue
        base = unicodedata.normalize("NFKD", c)[0]
        out.append(base if is_gsm7(base) else c)
    return "".join(out)


# stage -> locale -> (full, short). params: pupil, school, phone
_SMS: dict[str, dict[str, tuple[str, str]]] = {
    "sought": {
        "nb": (
            "{pupil} er ikke på skolen, og det er ikke meldt fravær. Svar i Skolebro-appen "
            "eller ring {school} på {phone}.",
            "{pupil} er ikke på skolen. Ring skolen på {phone}.",
        ),
        "nn": (
            "{pupil} er ikkje på skulen, og det er ikkje meldt fråvær. Svar i Skolebro-appen "
            "eller ring {school} på {phone}.",
            "{pupil} er ikkje på skulen. Ring skulen på {phone}.",
        ),
        "en": (
            "{pupil} is not at school and no absence was reported. Answer in the Skolebro app "
            "or call {school} on {phone}.",
            "{pupil} is not at school. Call the school on {phone}.",
        ),
    },
    "escalated": {
        "nb": (
            "{school} vet fortsatt ikke hvor {pupil} er. Ring skolen på {phone}. "
            "Vet dere ikke hvor {pupil} er, vurder å ringe politiet på 02800.",
            "Skolen vet ikke hvor {pupil} er. Ring {phone}. Politiet: 02800.",
        ),
        "nn": (
            "{school} veit framleis ikkje kvar {pupil} er. Ring skulen på {phone}. "
            "Veit de ikkje kvar {pupil} er, vurder å ringje politiet på 02800.",
            "Skulen veit ikkje kvar {pupil} er. Ring {phone}. Politiet: 02800.",
        ),
        "en": (
            "{school} still does not know where {pupil} is. Call the school on {phone}. "
            "If unsure where {pupil} is, consider calling the police on 02800.",
            "The school does not know where {pupil} is. Call {phone}. Police: 02800.",
        ),
    },
}
_NO_PHONE = {"nb": "skolen", "nn": "skulen", "en": "the school"}


def sms_text(stage: str, locale: str, pupil: str, school: str, phone: str | None) -> str:
    """The shortest faithful text: the full one if it fits one segment, else the short one."""
    entry = _SMS[stage]
    full, short = entry.get(locale) or entry["nb"]
    if not phone:
        # Without an office number the text still names the school to call.
        full = full.replace(" på {phone}", "").replace(" on {phone}", "")
        short = short.replace("{phone}", "").replace("  ", " ")
    params = {
        "pupil": gsm7_name(pupil),
        "school": gsm7_name(school),
        "phone": phone or _NO_PHONE.get(locale, "skolen"),
    }
    text = full.format(**params)
    if segments(text) > 1:
        text = short.format(**params)
    return text


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str


_EMAIL: dict[str, dict[str, tuple[str, str]]] = {
    "sought": {
        "nb": (
            "{pupil} er ikke på skolen",
            "{pupil} er ikke på skolen i dag, og det er ikke meldt fravær.\n\n"
            "Finn ut hvor {pupil} er, og gi beskjed til skolen: svar i Skolebro-appen "
            "eller ring {school} på {phone}.",
        ),
        "nn": (
            "{pupil} er ikkje på skulen",
            "{pupil} er ikkje på skulen i dag, og det er ikkje meldt fråvær.\n\n"
            "Finn ut kvar {pupil} er, og gi beskjed til skulen: svar i Skolebro-appen "
            "eller ring {school} på {phone}.",
        ),
        "en": (
            "{pupil} is not at school",
            "{pupil} is not at school today and no absence was reported.\n\n"
            "Find out where {pupil} is and tell the school: answer in the Skolebro app "
            "or call {school} on {phone}.",
        ),
    },
    "escalated": {
        "nb": (
            "{pupil} er fortsatt ikke funnet",
            "{school} har fortsatt ikke fått svar om hvor {pupil} er.\n\n"
            "Ring skolen på {phone}. Hvis dere ikke vet hvor {pupil} er, vurder å kontakte "
            "politiet på 02800.",
        ),
        "nn": (
            "{pupil} er framleis ikkje funnen",
            "{school} har framleis ikkje fått svar om kvar {pupil} er.\n\n"
            "Ring skulen på {phone}. Om de ikkje veit kvar {pupil} er, vurder å kontakte "
            "politiet på 02800.",
        ),
        "en": (
            "{pupil} has still not been found",
            "{school} has still had no answer about where {pupil} is.\n\n"
            "Call the school on {phone}. If you do not know where {pupil} is, consider "
            "contacting the police on 02800.",
        ),
    },
}


def email_message(stage: str, locale: str, pupil: str, school: str, phone: str | None) -> Email:
    entry = _EMAIL[stage]
    subject, body = entry.get(locale) or entry["nb"]
    params: Mapping[str, str] = {
        "pupil": pupil,
        "school": school,
        "phone": phone or _NO_PHONE.get(locale, "skolen"),
    }
    text = body.format(**params)
    escaped = {k: html.escape(v) for k, v in params.items()}
    paragraphs = "".join(f"<p>{p}</p>" for p in body.format(**escaped).split("\n\n"))
    lang = {"nb": "nb", "nn": "nn", "en": "en"}.get(locale, "nb")
    page = f'<!doctype html><html lang="{lang}"><body>{paragraphs}</body></html>'
    return Email(subject=subject.format(**params), text=text + "\n", html=page)


__all__ = ["Email", "email_message", "is_gsm7", "segments", "sms_text"]
