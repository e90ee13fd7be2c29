"""Guardians' contact points as the roster gives them: normalised, or nothing.

Roster exports hold numbers as people type them ("400 00 001", "0047 400
00001", "+47 40000001"). SMS providers want E.164, and a number we cannot
read with certainty is worse than none: the ladder would report an SMS that
never reached anybody. So anything doubtful becomes ``None``.
"""

from __future__ import annotations

import re

_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SEPARATORS = re.compile(r"[\s\-./()]")


def normalize_mobile(raw: str | None, default_country: str = "47") -> str | None:
    """E.164 (``+4740000001``) or None. Eight digits alone are a Norwegian number."""
    if not raw:
        return None
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("00"):
        text = "+" + text[2:]
    if not text.startswith("+"):
        if not text.isdigit():
            return None
        if len(text) == 8:
            text = f"+{default_country}{text}"
        elif text.startswith(default_country) and len(text) == 8 + len(default_country):
            text = "+" + text
        else:
            return None
    return text if _E164.match(text) else None


def is_mobile(e164: str) -> bool:
    """Whether a normalised number can take a text message.

    Norwegian mobile numbers begin with 4 or 9 (Nkom's numbering plan); other
    Norwegian numbers are landlines or services. Abroad we cannot tell, so a
    well-formed foreign number counts.
    """
    if e164.startswith("+47"):
        return len(e164) == 11 and e164[3] in "49"
    return True


def roster_mobile(sms: str | None, phone: str | None) -> tuple[str | None, str | None]:
    """The mobile number of a roster user, and what was wrong if a given one was unusable.

    ``sms`` is the field meant for texts and wins; ``phone`` is often a
    landline, so it counts only when it is a mobile number.
    """
    problem = None
    if sms and sms.strip():
        mobile = normalize_mobile(sms)
        if mobile is not None:
            return mobile, None
        problem = f"sms {sms!r} is not a phone number we can text"
    if phone and phone.strip():
        mobile = normalize_mobile(phone)
        if mobile is not None and is_mobile(mobile):
            return mobile, problem
        if problem is None and mobile is None:
            problem = f"phone {phone!r} is not a phone number"
    return None, problem


def normalize_email(raw: str | None) -> str | None:
    if not raw:
        return None
    text = raw.strip()
    if len(text) > 254 or not _EMAIL.match(text):
        return None
    return text


__all__ = ["is_mobile", "normalize_email", "normalize_mobile", "roster_mobile"]
