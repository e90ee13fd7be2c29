"""Texts of the web portal in Bokmål (the default), Nynorsk and English.

The language is chosen by ``?lang=`` (remembered in a cookie), then the
cookie, then the signed-in person's own setting, then Bokmål.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

LOCALES = ("nb", "nn", "en")
LANG_COOKIE = "skolebro_lang"
LOCALE_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}

# key -> (nb, nn, en)
TEXTS: dict[str, tuple[str, str, str]] = {
    "app_name": ("Skolebro", "Skolebro", "Skolebro"),
    "nav_home": ("Forside", "Framside", "Home"),
    "nav_leave": ("Permisjon", "Permisjon", "Leave"),
    "nav_logout": ("Logg ut", "Logg ut", "Sign out"),
    "signed_in_as": ("Innlogget som {name}", "Innlogga som {name}", "Signed in as {name}"),
    "login_title": ("Logg inn", "Logg inn", "Sign in"),
    "login_intro": (
        "Logg inn for å søke om permisjon eller føre fravær.",
        "Logg inn for å søkje om permisjon eller føre fråvær.",
        "Sign in to apply for leave or take the roll call.",
    ),
    "login_with": ("Logg inn med {label}", "Logg inn med {label}", "Sign in with {label}"),
    "login_dev_title": (
        "Demobrukere (bare utvikling og test)",
        "Demobrukarar (berre utvikling og test)",
        "Demo users (development and test only)",
    ),
    "login_dev_user": ("Bruker", "Brukar", "User"),
    "login_dev_submit": ("Logg inn", "Logg inn", "Sign in"),
    "login_none": (
        "Innlogging er ikke satt opp for denne tjenesten.",
        "Innlogging er ikkje sett opp for denne tenesta.",
        "Sign-in is not configured for this service.",
    ),
    "login_failed": (
        "Innloggingen mislyktes. Prøv igjen.",
        "Innlogginga mislukkast. Prøv igjen.",
        "Sign-in failed. Please try again.",
    ),
    "login_unknown": (
        "Du finnes ikke i skolens register.",
        "Du finst ikkje i registeret til skulen.",
        "You are not in the school's roster.",
    ),
    "logout_title": ("Logg ut", "Logg ut", "Sign out"),
    "logout_confirm": ("Vil du logge ut?", "Vil du logge ut?", "Do you want to sign out?"),
    "logged_out": ("Du er logget ut.", "Du er logga ut.", "You are signed out."),
    "home_title": ("Velkommen, {name}", "Velkomen, {name}", "Welcome, {name}"),
    "home_children": ("Barn", "Born", "Children"),
    "home_classes": ("Klasser", "Klassar", "Classes"),
    "home_board": ("Dagens oppmøte", "Dagens oppmøte", "Today's attendance"),
    "read_only": ("bare lesetilgang", "berre lesetilgang", "read-only"),
    "leave_title": ("Permisjon", "Permisjon", "Leave"),
    "leave_apply": ("Søk om permisjon", "Søk om permisjon", "Apply for leave"),
    "leave_intro": (
        "Søk så tidlig som mulig. Kontaktlæreren avgjør søknader på inntil "
        "{days} skoledager; lengre søknader avgjøres av skoleledelsen.",
        "Søk så tidleg som mogleg. Kontaktlæraren avgjer søknader på inntil "
        "{days} skuledagar; lengre søknader blir avgjorde av skuleleiinga.",
        "Apply as early as possible. The contact teacher decides requests of up "
        "to {days} school days; longer ones are decided by the school's leaders.",
    ),
    "leave_pupil": ("Elev", "Elev", "Pupil"),
    "leave_first_day": ("Første dag", "Første dag", "First day"),
    "leave_last_day": ("Siste dag", "Siste dag", "Last day"),
    "leave_period": ("Periode", "Periode", "Period"),
    "leave_reason": ("Begrunnelse", "Grunngiving", "Reason"),
    "leave_submit": ("Send søknad", "Send søknad", "Send request"),
    "leave_none_to_apply": (
        "Du kan ikke søke permisjon for noen elev.",
        "Du kan ikkje søkje permisjon for nokon elev.",
        "You cannot apply for leave for any pupil.",
    ),
    "leave_requests": ("Søknader", "Søknader", "Requests"),
    "leave_to_decide": ("Søknader til behandling", "Søknader til handsaming", "Requests to decide"),
    "leave_none": ("Ingen søknader.", "Ingen søknader.", "No requests."),
    "leave_days": (
        "{first} – {last} ({n} skoledager)",
        "{first} – {last} ({n} skuledagar)",
        "{first} – {last} ({n} school days)",
    ),
    "leave_requested_by": ("Søkt av {name}", "Søkt av {name}", "Requested by {name}"),
    "leave_decided_by": ("Avgjort av {name}", "Avgjord av {name}", "Decided by {name}"),
    "leave_comment": ("Kommentar", "Kommentar", "Comment"),
    "leave_approve": ("Innvilg", "Innvilg", "Approve"),
    "leave_reject": ("Avslå", "Avslå", "Reject"),
    "leave_needs_leader": (
        "Avgjøres av skoleledelsen",
        "Blir avgjord av skuleleiinga",
        "To be decided by a school leader",
    ),
    "status_pending": ("Venter på svar", "Ventar på svar", "Pending"),
    "status_approved": ("Innvilget", "Innvilga", "Approved"),
    "status_rejected": ("Avslått", "Avslått", "Rejected"),
    "done_applied": ("Søknaden er sendt.", "Søknaden er send.", "The request has been sent."),
    "done_decided": ("Avgjørelsen er lagret.", "Avgjerda er lagra.", "The decision is saved."),
    "done_marked": ("Oppmøtet er lagret.", "Oppmøtet er lagra.", "The roll call is saved."),
    "done_completed": ("Kontrollen er fullført.", "Kontrollen er fullført.", "The check is complete."),
    "board_title": ("Oppmøte {class_name}", "Oppmøte {class_name}", "Attendance {class_name}"),
    "board_date": ("Dato", "Dato", "Date"),
    "board_show": ("Vis", "Vis", "Show"),
    "board_pupil": ("Elev", "Elev", "Pupil"),
    "board_status": ("Status", "Status", "Status"),
    "board_mark": ("Registrer", "Registrer", "Mark"),
    "board_save": ("Lagre oppmøte", "Lagre oppmøte", "Save roll call"),
    "board_complete": ("Fullfør kontrollen", "Fullfør kontrollen", "Complete the check"),
    "board_completed_at": (
        "Kontrollen ble fullført {at}.",
        "Kontrollen vart fullført {at}.",
        "The check was completed at {at}.",
    ),
    "board_not_completed": (
        "Kontrollen er ikke fullført.",
        "Kontrollen er ikkje fullført.",
        "The check is not complete.",
    ),
    "board_counts": (
        "{reported} meldt, {leave} permisjon, {absent} fraværende uten melding, "
        "{unregistered} ikke registrert",
        "{reported} melde, {leave} permisjon, {absent} fråverande utan melding, "
        "{unregistered} ikkje registrerte",
        "{reported} reported, {leave} on leave, {absent} absent unexplained, {unregistered} not marked",
    ),
    "att_reported": ("Meldt fravær", "Meldt fråvær", "Absence reported"),
    "att_leave": ("Permisjon", "Permisjon", "On leave"),
    "att_present": ("Til stede", "Til stades", "Present"),
    "att_late": ("Kom for sent", "Kom for seint", "Late"),
    "att_absent": ("Fraværende", "Fråverande", "Absent"),
    "att_unregistered": ("Ikke registrert", "Ikkje registrert", "Not marked"),
    "reason_sick": ("syk", "sjuk", "sick"),
    "reason_doctor": ("lege", "lege", "doctor"),
    "reason_dentist": ("tannlege", "tannlege", "dentist"),
    "reason_funeral": ("begravelse", "gravferd", "funeral"),
    "reason_hospital": ("sykehus/spesialist", "sjukehus/spesialist", "hospital/specialist"),
    "reason_other": ("annet", "anna", "other"),
    "error_title": ("Noe gikk galt", "Noko gjekk gale", "Something went wrong"),
    "error_back": ("Tilbake til forsiden", "Tilbake til framsida", "Back to the home page"),
    "csrf_title": ("Skjemaet er utløpt", "Skjemaet er gått ut", "The form has expired"),
    "csrf_detail": (
        "Last siden på nytt og prøv igjen.",
        "Last sida på nytt og prøv igjen.",
        "Reload the page and try again.",
    ),
    "language": ("Språk", "Språk", "Language"),
}


_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date, locale: str) -> str:
    """24.11.2026 in Norwegian, 24 Nov 2026 in English."""
    if locale == "en":
        return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def pick_locale(query: str | None, cookie: str | None, person: str | None = None) -> str:
    for candidate in (query, cookie, person):
        if candidate in LOCALES:
            return candidate
    return "nb"


def translator(locale: str) -> Callable[..., str]:
    index = LOCALES.index(locale) if locale in LOCALES else 0

    def t(key: str, **params: object) -> str:
        entry = TEXTS.get(key)
        if entry is None:
            return key
        text = entry[index]
        return text.format(**params) if params else text

    return t
