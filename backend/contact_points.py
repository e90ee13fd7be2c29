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


def normalize_email(raw: str | None) -> str | None:
    if not raw:
        return None
    text = raw.strip()
    if len(text) > 254 or not _EMAIL.match(text):
        return None
    return text


__all__ = ["normalize_email", "normalize_mobile"]
