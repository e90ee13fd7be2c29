"""Messaging's texts in nb, nn and en."""

from __future__ import annotations

# Shown with every thread (product.md: Health data stays small).
SENSITIVE_NOTICE = {
    "nb": "Ikke send opplysninger om helse eller barnevern her. Slike saker går gjennom "
    "kommunens sikre kanal.",
    "nn": "Ikkje send opplysningar om helse eller barnevern her. Slike saker går gjennom "
    "den sikre kanalen til kommunen.",
    "en": "Do not send health or child-welfare matters here. Such matters go through the "
    "municipality's secure channel.",
}

_ADMINISTRATION = {
    "nb": "Administrasjonen ved {school}",
    "nn": "Administrasjonen ved {school}",
    "en": "Administration of {school}",
}

_GUARDIANS = {
    "nb": "Foresatte til {pupil}",
    "nn": "Føresette til {pupil}",
    "en": "Guardians of {pupil}",
}


def notice(locale: str) -> str:
    return SENSITIVE_NOTICE.get(locale, SENSITIVE_NOTICE["nb"])


def administration_name(locale: str, school: str) -> str:
    return _ADMINISTRATION.get(locale, _ADMINISTRATION["nb"]).format(school=school)


def guardians_name(locale: str, pupil: str) -> str:
    return _GUARDIANS.get(locale, _GUARDIANS["nb"]).format(pupil=pupil)
