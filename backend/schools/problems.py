"""Problem texts of school settings, closed days and the routine (nb, nn, en)."""

from __future__ import annotations

from backend.texts import register_problems

register_problems(
    {
        "settings.unknown_timezone": {
            "nb": ("Ukjent tidssone", "Tidssonen må være en IANA-tidssone, for eksempel Europe/Oslo."),
            "nn": ("Ukjend tidssone", "Tidssona må vere ei IANA-tidssone, til dømes Europe/Oslo."),
            "en": ("Unknown time zone", "The time zone must be an IANA zone such as Europe/Oslo."),
        },
        "settings.times_out_of_order": {
            "nb": (
                "Tidene er i feil rekkefølge",
                "Første time må starte før den slutter, friminuttet kan ikke starte før "
                "første time er slutt, «fortsatt syk?» må komme før meldefristen, og "
                "påminnelsen senest kl. 21.",
            ),
            "nn": (
                "Tidene er i feil rekkjefølgje",
                "Første time må starte før han sluttar, friminuttet kan ikkje starte før "
                "første time er slutt, «framleis sjuk?» må kome før meldefristen, og "
                "påminninga seinast kl. 21.",
            ),
            "en": (
                "Times out of order",
                "The first lesson must start before it ends, the first recess cannot start "
                "before the first lesson ends, 'still sick?' must come before the report "
                "deadline, and the reminder at 21:00 at the latest.",
            ),
        },
        "settings.ladder_out_of_order": {
            "nb": (
                "Trinnene er i feil rekkefølge",
                "Oppringing kan ikke komme før SMS: call_after_minutes må være minst sms_after_minutes.",
            ),
            "nn": (
                "Stega er i feil rekkjefølgje",
                "Oppringing kan ikkje kome før SMS: call_after_minutes må vere minst sms_after_minutes.",
            ),
            "en": (
                "Steps out of order",
                "Calling cannot come before the SMS: call_after_minutes must be at least sms_after_minutes.",
            ),
        },
        "schools.closed_day_form": {
            "nb": ("Dag eller periode", "Oppgi enten date, eller first_day og last_day."),
            "nn": ("Dag eller periode", "Oppgi anten date, eller first_day og last_day."),
            "en": ("A day or a range", "Give either date, or first_day and last_day."),
        },
        "schools.closed_day_range": {
            "nb": ("Ugyldig periode", "Siste dag kan ikke være før første dag, og perioden er høyst ett år."),
            "nn": (
                "Ugyldig periode",
                "Siste dag kan ikkje vere før første dag, og perioden er høgst eitt år.",
            ),
            "en": (
                "Invalid range",
                "The last day cannot be before the first, and a range is at most a year.",
            ),
        },
        "schools.closed_day_exists": {
            "nb": ("Dagen er allerede stengt", "Denne dagen er allerede registrert som fridag."),
            "nn": ("Dagen er alt stengd", "Denne dagen er alt registrert som fridag."),
            "en": ("Day already closed", "This day is already listed as a closed day."),
        },
        "attendance.not_school_day": {
            "nb": ("Ingen skoledag", "Det er ikke skole denne dagen, så det tas ikke opprop."),
            "nn": ("Ingen skuledag", "Det er ikkje skule denne dagen, så det blir ikkje teke opprop."),
            "en": ("Not a school day", "There is no school on this day, so there is no roll call."),
        },
        "attendance.future_day": {
            "nb": ("Dagen har ikke kommet", "Opprop kan bare registreres for i dag eller tidligere."),
            "nn": ("Dagen har ikkje kome", "Opprop kan berre registrerast for i dag eller tidlegare."),
            "en": ("Day not yet here", "A roll call can only be recorded for today or earlier."),
        },
        "attendance.not_in_class": {
            "nb": ("Eleven går ikke i klassen", "En eller flere elever går ikke i denne klassen."),
            "nn": ("Eleven går ikkje i klassen", "Ein eller fleire elevar går ikkje i denne klassen."),
            "en": ("Pupil not in class", "One or more pupils are not in this class."),
        },
        "attendance.duplicate_pupil": {
            "nb": ("Eleven står flere ganger", "Hver elev kan bare ha én registrering i oppropet."),
            "nn": ("Eleven står fleire gonger", "Kvar elev kan berre ha éi registrering i oppropet."),
            "en": ("Pupil listed twice", "Each pupil may appear only once in a roll call."),
        },
        "missing.already_resolved": {
            "nb": ("Saken er lukket", "Denne etterlysningen er allerede avsluttet."),
            "nn": ("Saka er lukka", "Denne etterlysinga er alt avslutta."),
            "en": ("Case closed", "This missing-pupil case has already been resolved."),
        },
        "missing.outcome_not_allowed": {
            "nb": (
                "Ugyldig svar",
                "Foresatte svarer «syk hjemme», «på vei» eller «funnet»; ansatte svarer "
                "«kommet» eller «annet».",
            ),
            "nn": (
                "Ugyldig svar",
                "Føresette svarar «sjuk heime», «på veg» eller «funnen»; tilsette svarar "
                "«komen» eller «anna».",
            ),
            "en": (
                "Outcome not allowed",
                "Guardians answer sick_at_home, on_the_way or found_other; staff answer arrived or other.",
            ),
        },
        "missing.read_only": {
            "nb": ("Bare lesetilgang", "Du kan se saken, men ikke svare på den."),
            "nn": ("Berre lesetilgang", "Du kan sjå saka, men ikkje svare på henne."),
            "en": ("Read-only access", "You can see this case but not answer it."),
        },
        "jobs.unknown": {
            "nb": ("Ukjent jobb", "Det finnes ingen planlagt jobb med dette navnet."),
            "nn": ("Ukjend jobb", "Det finst ingen planlagd jobb med dette namnet."),
            "en": ("Unknown job", "There is no scheduled job with this name."),
        },
    }
)
