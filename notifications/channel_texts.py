"""SMS and e-mail texts of the ladder, in the recipient's language.

The texts are ``sms.<stage>.*`` and ``email.<stage>.*`` in the notifications
catalogs (i18n/locales/<lang>/LC_MESSAGES/notifications.po).

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

from i18n import CATALOGS

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


def _texts(locale: str, *msgids: str) -> list[str]:
    if not CATALOGS.has(msgids[0]):
        raise KeyError(msgids[0])
    return [CATALOGS.text(locale, msgid) for msgid in msgids]


def _params(locale: str, pupil: str, school: str, phone: str | None) -> dict[str, str]:
    return {"pupil": pupil, "school": school, "phone": phone or CATALOGS.text(locale, "channel.no_phone")}


def sms_text(
    stage: str, locale: str, pupil: str, school: str, phone: str | None, link: str | None = None
) -> str:
    """The shortest faithful text: the full one if it fits one segment, else the short one.

    ``link`` (the case page, ``…/web/cases/{id}``) is appended to either, with a word
    saying what it is for, or bare when only that fits one segment: a guardian without
    the app answers there. It goes last, so when a long name or address still needs a
    second segment, the first one carries the whole message.
    """
    # Without an office number the text still names the school to call.
    suffix = "" if phone else ".no_phone"
    full, short = _texts(locale, f"sms.{stage}.full{suffix}", f"sms.{stage}.short{suffix}")
    params = _params(locale, gsm7_name(pupil), gsm7_name(school), phone)
    if not link:
        text = full.format(**params)
        return text if segments(text) == 1 else short.format(**params)
    said = " " + CATALOGS.text(locale, "sms.case_link").format(link=link)
    candidates = [
        full.format(**params) + said,
        short.format(**params) + said,
        short.format(**params) + " " + link,
    ]
    return next((c for c in candidates if segments(c) == 1), candidates[1])


@dataclass(frozen=True, slots=True)
class Email:
    subject: str
    text: str
    html: str


def email_message(
    stage: str, locale: str, pupil: str, school: str, phone: str | None, link: str | None = None
) -> Email:
    """``link``: the case page, a last paragraph (a link in the HTML part)."""
    subject, body = _texts(locale, f"email.{stage}.subject", f"email.{stage}.body")
    params: Mapping[str, str] = _params(locale, pupil, school, phone)
    text = body.format(**params)
    escaped = {k: html.escape(v) for k, v in params.items()}
    paragraphs = "".join(f"<p>{p}</p>" for p in body.format(**escaped).split("\n\n"))
    if link:
        line = CATALOGS.text(locale, "email.case_link")
        text += "\n\n" + line.format(link=link)
        anchor = f'<a href="{html.escape(link)}">{html.escape(link)}</a>'
        paragraphs += f"<p>{html.escape(line).format(link=anchor)}</p>"
    lang = locale if locale in CATALOGS.locales else CATALOGS.default
    page = f'<!doctype html><html lang="{lang}"><body>{paragraphs}</body></html>'
    return Email(subject=subject.format(**params), text=text + "\n", html=page)


def absence_warning_email(locale: str, params: Mapping[str, str]) -> Email:
    """The written absence warning (upper secondary): params pupil, subject, school,
    percent and limit."""
    subject, body = _texts(locale, "email.absence_warning.subject", "email.absence_warning.body")
    text = body.format(**params)
    escaped = {k: html.escape(v) for k, v in params.items()}
    paragraphs = "".join(f"<p>{p}</p>" for p in body.format(**escaped).split("\n\n"))
    lang = locale if locale in CATALOGS.locales else CATALOGS.default
    page = f'<!doctype html><html lang="{lang}"><body>{paragraphs}</body></html>'
    return Email(subject=subject.format(**params), text=text + "\n", html=page)


__all__ = ["Email", "absence_warning_email", "email_message", "is_gsm7", "segments", "sms_text"]
