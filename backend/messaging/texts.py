"""Messaging's texts in the reader's language (``messaging.*`` in the catalogs)."""

from __future__ import annotations

from i18n import gettext


def notice(locale: str) -> str:
    # Shown with every thread (product.md: Health data stays small).
    return gettext(locale, "messaging.sensitive_notice")


def administration_name(locale: str, school: str) -> str:
    return gettext(locale, "messaging.administration", school=school)


def guardians_name(locale: str, pupil: str) -> str:
    return gettext(locale, "messaging.guardians", pupil=pupil)
