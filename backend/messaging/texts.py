"""Messaging's texts in nb, nn and en, and its problem codes."""

from __future__ import annotations

from backend.texts import register_problems

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


register_problems(
    {
        "messaging.pupil_under_18": {
            "nb": (
                "Ikke tilgjengelig ennå",
                "Elever kan sende meldinger til de ansatte fra de fyller 18 år.",
            ),
            "nn": (
                "Ikkje tilgjengeleg enno",
                "Elevar kan sende meldingar til dei tilsette frå dei fyller 18 år.",
            ),
            "en": ("Not available yet", "Pupils can message staff from the age of 18."),
        },
        "messaging.recipient_not_allowed": {
            "nb": (
                "Ugyldig mottaker",
                "Du kan ikke skrive til «{kind}» om denne eleven. Hent lovlige mottakere fra "
                "/api/v1/messaging/recipients.",
            ),
            "nn": (
                "Ugyldig mottakar",
                "Du kan ikkje skrive til «{kind}» om denne eleven. Hent lovlege mottakarar frå "
                "/api/v1/messaging/recipients.",
            ),
            "en": (
                "Recipient not allowed",
                "You cannot write to '{kind}' about this pupil. Get the allowed recipients from "
                "/api/v1/messaging/recipients.",
            ),
        },
        "messaging.no_recipients": {
            "nb": ("Ingen mottakere", "Meldingen ville ikke nådd noen andre enn deg selv."),
            "nn": ("Ingen mottakarar", "Meldinga ville ikkje nådd nokon andre enn deg sjølv."),
            "en": ("No recipients", "The message would reach nobody but yourself."),
        },
        "messaging.staff_only": {
            "nb": ("Bare for ansatte", "Kontortid kan bare settes av ansatte ved en skole."),
            "nn": ("Berre for tilsette", "Kontortid kan berre setjast av tilsette ved ein skule."),
            "en": ("Staff only", "Only school staff can set office hours."),
        },
        "messaging.office_hours_order": {
            "nb": ("Ugyldig kontortid", "Kontortiden må slutte etter at den begynner."),
            "nn": ("Ugyldig kontortid", "Kontortida må slutte etter at ho byrjar."),
            "en": ("Invalid office hours", "Office hours must end after they start."),
        },
    }
)
