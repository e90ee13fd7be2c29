"""Notification texts in nb, nn and en, chosen by the recipient's locale.

The visible text never carries a health reason or a message body: those
are shown in the app after sign-in (api.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# kind -> locale -> (title, body)
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "missing_pupil": {
        "nb": ("{pupil} er ikke på skolen",
               "{pupil} er ikke på skolen, og det er ikke meldt fravær. Finn ut hvor "
               "{pupil} er, og gi beskjed til skolen."),
        "nn": ("{pupil} er ikkje på skulen",
               "{pupil} er ikkje på skulen, og det er ikkje meldt fråvær. Finn ut kvar "
               "{pupil} er, og gi beskjed til skulen."),
        "en": ("{pupil} is not at school",
               "{pupil} is not at school and no absence was reported. Find out where "
               "{pupil} is and tell the school."),
    },
}


def render(kind: str, locale: str, params: Mapping[str, Any]) -> tuple[str, str]:
    entry = TEMPLATES.get(kind)
    if entry is None:
        raise KeyError(f"no texts for notification kind {kind!r}")
    title, body = entry.get(locale) or entry["nb"]
    return title.format(**params), body.format(**params)
