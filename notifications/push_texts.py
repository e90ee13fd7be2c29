"""Notification texts, chosen by the recipient's locale.

The texts are ``push.<kind>.title`` and ``push.<kind>.body`` in the catalogs
(i18n/locales/<lang>/LC_MESSAGES/notifications.po), each commented with the
params it uses. The visible text never carries a health reason or a message
body: those are shown in the app after sign-in (api.md). A plural text
(``missing_pupil_summary``) takes its number from the ``count`` param.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from i18n import CATALOGS, TextTable

# kind -> locale -> (title, body), read from the catalogs
TEMPLATES = TextTable("push", ("title", "body"))


def render(kind: str, locale: str, params: Mapping[str, Any]) -> tuple[str, str]:
    if not CATALOGS.has(f"push.{kind}.title"):
        raise KeyError(f"no texts for notification kind {kind!r}")
    count = params.get("count")
    n = count if isinstance(count, int) else 1
    title = CATALOGS.text(locale, f"push.{kind}.title")
    body = CATALOGS.text(locale, f"push.{kind}.body", n)
    return title.format(**params), body.format(**params)
