"""Notification texts in nb, nn and en, chosen by the recipient's locale.

The visible text never carries a health reason or a message body: those
are shown in the app after sign-in (api.md). Each kind lists the params its
templates use.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# kind -> locale -> (title, body)
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    # params: pupil
    "missing_pupil": {
        "nb": (
            "{pupil} er ikke på skolen",
            "{pupil} er ikke på skolen, og det er ikke meldt fravær. Finn ut hvor "
            "{pupil} er, og gi beskjed til skolen.",
        ),
        "nn": (
            "{pupil} er ikkje på skulen",
            "{pupil} er ikkje på skulen, og det er ikkje meldt fråvær. Finn ut kvar "
            "{pupil} er, og gi beskjed til skulen.",
        ),
        "en": (
            "{pupil} is not at school",
            "{pupil} is not at school and no absence was reported. Find out where "
            "{pupil} is and tell the school.",
        ),
    },
    # params: pupil
    "missing_pupil_escalation": {
        "nb": (
            "{pupil} er fortsatt ikke funnet",
            "Skolen har ikke fått svar om hvor {pupil} er. Vurder å kontakte politiet "
            "på 02800 hvis dere ikke vet hvor {pupil} er.",
        ),
        "nn": (
            "{pupil} er framleis ikkje funnen",
            "Skulen har ikkje fått svar om kvar {pupil} er. Vurder å kontakte politiet "
            "på 02800 om de ikkje veit kvar {pupil} er.",
        ),
        "en": (
            "{pupil} has still not been found",
            "The school has had no answer about where {pupil} is. Consider contacting "
            "the police on 02800 if you do not know where {pupil} is.",
        ),
    },
    # params: pupil
    "missing_pupil_resolved": {
        "nb": ("{pupil} er gjort rede for", "Saken om {pupil} er lukket. Se detaljer i appen."),
        "nn": ("{pupil} er gjort greie for", "Saka om {pupil} er lukka. Sjå detaljar i appen."),
        "en": ("{pupil} is accounted for", "The case about {pupil} is closed. See the app."),
    },
    # params: class_name, reported, unaccounted
    "absence_check_reminder": {
        "nb": (
            "Fraværssjekk {class_name}",
            "Fraværet i {class_name} er ikke sjekket. {reported} meldt fravær, "
            "{unaccounted} ikke gjort rede for.",
        ),
        "nn": (
            "Fråværssjekk {class_name}",
            "Fråværet i {class_name} er ikkje sjekka. {reported} meldt fråvær, "
            "{unaccounted} ikkje gjort greie for.",
        ),
        "en": (
            "Absence check {class_name}",
            "The absence in {class_name} has not been checked. {reported} reported "
            "absent, {unaccounted} unaccounted for.",
        ),
    },
    # params: pupil, class_name
    "late_absence_report": {
        "nb": (
            "Sen fraværsmelding: {pupil}",
            "Det er meldt fravær for {pupil} ({class_name}) etter fristen. Etterlysningen er avsluttet.",
        ),
        "nn": (
            "Sein fråværsmelding: {pupil}",
            "Det er meldt fråvær for {pupil} ({class_name}) etter fristen. Etterlysinga er avslutta.",
        ),
        "en": (
            "Late absence report: {pupil}",
            "Absence for {pupil} ({class_name}) was reported after the deadline. The search is called off.",
        ),
    },
    # params: sender
    "message": {
        "nb": ("Ny melding fra {sender}", "Åpne appen for å lese meldingen."),
        "nn": ("Ny melding frå {sender}", "Opne appen for å lese meldinga."),
        "en": ("New message from {sender}", "Open the app to read the message."),
    },
    # params: pupil, subject
    "assessment_published": {
        "nb": ("Ny vurdering i {subject}", "{pupil} har fått en ny vurdering i {subject}."),
        "nn": ("Ny vurdering i {subject}", "{pupil} har fått ei ny vurdering i {subject}."),
        "en": ("New assessment in {subject}", "{pupil} has a new assessment in {subject}."),
    },
    # params: pupil
    "leave_decision": {
        "nb": ("Svar på permisjonssøknad", "Søknaden om permisjon for {pupil} er behandlet."),
        "nn": ("Svar på permisjonssøknad", "Søknaden om permisjon for {pupil} er handsama."),
        "en": ("Leave request decided", "The leave request for {pupil} has been decided."),
    },
    # params: pupil, class_name
    "leave_request": {
        "nb": ("Ny permisjonssøknad", "Det er søkt om permisjon for {pupil} ({class_name})."),
        "nn": ("Ny permisjonssøknad", "Det er søkt om permisjon for {pupil} ({class_name})."),
        "en": ("New leave request", "Leave has been requested for {pupil} ({class_name})."),
    },
    # params: pupil
    "still_sick": {
        "nb": ("Er {pupil} fortsatt syk?", "Meld dagens fravær i appen før fristen."),
        "nn": ("Er {pupil} framleis sjuk?", "Meld dagens fråvær i appen før fristen."),
        "en": ("Is {pupil} still sick?", "Report today's absence in the app before the deadline."),
    },
    # params: pupil, subject
    "absence_warning": {
        "nb": ("Fravær i {subject}", "{pupil} nærmer seg fraværsgrensen i {subject}. Se detaljer i appen."),
        "nn": ("Fråvær i {subject}", "{pupil} nærmar seg fråværsgrensa i {subject}. Sjå detaljar i appen."),
        "en": ("Absence in {subject}", "{pupil} is nearing the absence limit in {subject}. See the app."),
    },
    # params: pupil, class_name (to the class team: nobody has been reached)
    "call_guardians": {
        "nb": (
            "Ring de foresatte til {pupil}",
            "Ingen foresatte til {pupil} ({class_name}) har svart eller åpnet varselet. "
            "Ring dem nå: ringelisten er i saken.",
        ),
        "nn": (
            "Ring dei føresette til {pupil}",
            "Ingen føresette til {pupil} ({class_name}) har svart eller opna varselet. "
            "Ring dei no: ringjelista er i saka.",
        ),
        "en": (
            "Call the guardians of {pupil}",
            "No guardian of {pupil} ({class_name}) has answered or opened the alert. "
            "Call them now: the call list is in the case.",
        ),
    },
    # params: count (to leaders: one per sweep, however many cases escalated)
    "missing_pupil_summary": {
        "nb": (
            "Etterlysninger uten svar: {count}",
            "{count} elev(er) er fortsatt ikke gjort rede for etter fristen. Se sakslisten.",
        ),
        "nn": (
            "Etterlysingar utan svar: {count}",
            "{count} elev(ar) er framleis ikkje gjort greie for etter fristen. Sjå sakslista.",
        ),
        "en": (
            "Missing pupils without an answer: {count}",
            "{count} pupil(s) are still unaccounted for after the limit. See the case list.",
        ),
    },
    # params: school
    "test_alert": {
        "nb": ("Test fra {school}", "Dette er en test av varslene. Trykk OK for å bekrefte at du får dem."),
        "nn": ("Test frå {school}", "Dette er ein test av varsla. Trykk OK for å stadfeste at du får dei."),
        "en": ("Test from {school}", "This is a test of the alerts. Please tap OK to confirm you get them."),
    },
}


def render(kind: str, locale: str, params: Mapping[str, Any]) -> tuple[str, str]:
    entry = TEMPLATES.get(kind)
    if entry is None:
        raise KeyError(f"no texts for notification kind {kind!r}")
    title, body = entry.get(locale) or entry["nb"]
    return title.format(**params), body.format(**params)
