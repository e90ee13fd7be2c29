"""Problem texts of leave requests (nb, nn, en)."""

from __future__ import annotations

from backend.texts import register_problems

register_problems(
    {
        "leave.web_only": {
            "nb": (
                "Bare i nettportalen",
                "Permisjon søkes i Skolebros nettportal, ikke i appen. Logg inn i nettportalen "
                "(Skolebro på nett, siden «Permisjon») og send søknaden der.",
            ),
            "nn": (
                "Berre i nettportalen",
                "Permisjon søkjer du om i nettportalen til Skolebro, ikkje i appen. Logg inn i "
                "nettportalen (Skolebro på nett, sida «Permisjon») og send søknaden der.",
            ),
            "en": (
                "Web portal only",
                "Leave is applied for in the Skolebro web portal, not in the app. Sign in to the "
                "web portal (Skolebro on the web, the 'Leave' page) and apply there.",
            ),
        },
        "leave.read_only": {
            "nb": ("Bare lesetilgang", "Du kan se eleven, men ikke søke om permisjon."),
            "nn": ("Berre lesetilgang", "Du kan sjå eleven, men ikkje søkje om permisjon."),
            "en": ("Read-only access", "You can see this pupil but not apply for leave."),
        },
        "leave.not_applicant": {
            "nb": (
                "Kan ikke søke",
                "Bare foresatte med full tilgang og elever over 18 kan søke om permisjon.",
            ),
            "nn": (
                "Kan ikkje søkje",
                "Berre føresette med full tilgang og elevar over 18 kan søkje om permisjon.",
            ),
            "en": (
                "Cannot apply",
                "Only guardians with full access and pupils aged 18 or over can apply for leave.",
            ),
        },
        "leave.reason_blank": {
            "nb": ("Begrunnelse mangler", "Skriv hvorfor eleven trenger permisjon."),
            "nn": ("Grunngiving manglar", "Skriv kvifor eleven treng permisjon."),
            "en": ("Reason missing", "Write why the pupil needs leave."),
        },
        "leave.past_day": {
            "nb": ("Dagen er passert", "Permisjon kan ikke søkes for en dag som har vært."),
            "nn": ("Dagen er passert", "Permisjon kan ikkje søkjast for ein dag som har vore."),
            "en": ("Day has passed", "Leave cannot be requested for a day that has passed."),
        },
        "leave.last_before_first": {
            "nb": ("Ugyldig periode", "Siste dag kan ikke være før første dag."),
            "nn": ("Ugyldig periode", "Siste dag kan ikkje vere før første dag."),
            "en": ("Invalid span", "The last day cannot be before the first day."),
        },
        "leave.too_far_ahead": {
            "nb": ("For langt fram", "Permisjon kan søkes høyst {days} dager fram i tid."),
            "nn": ("For langt fram", "Permisjon kan søkjast høgst {days} dagar fram i tid."),
            "en": ("Too far ahead", "Leave can be requested at most {days} days ahead."),
        },
        "leave.span_too_long": {
            "nb": ("For lang periode", "En søknad kan gjelde høyst {days} kalenderdager."),
            "nn": ("For lang periode", "Ein søknad kan gjelde høgst {days} kalenderdagar."),
            "en": ("Span too long", "A request may cover at most {days} calendar days."),
        },
        "leave.no_school_day": {
            "nb": ("Ingen skoledag", "Perioden har ingen skoledager, så det trengs ikke permisjon."),
            "nn": ("Ingen skuledag", "Perioden har ingen skuledagar, så det trengst ikkje permisjon."),
            "en": ("No school day", "The period contains no school day, so no leave is needed."),
        },
        "leave.overlap": {
            "nb": ("Overlappende søknad", "Det finnes allerede en søknad for noen av disse dagene."),
            "nn": ("Overlappande søknad", "Det finst allereie ein søknad for nokre av desse dagane."),
            "en": ("Overlapping request", "A request already covers some of these days."),
        },
        "leave.not_decider": {
            "nb": (
                "Kan ikke avgjøre",
                "Bare kontaktlæreren eller skoleledelsen avgjør søknader om permisjon.",
            ),
            "nn": (
                "Kan ikkje avgjere",
                "Berre kontaktlæraren eller skuleleiinga avgjer søknader om permisjon.",
            ),
            "en": (
                "Cannot decide",
                "Only the contact teacher or the school's leaders decide leave requests.",
            ),
        },
        "leave.needs_leader": {
            "nb": (
                "Skoleledelsen avgjør",
                "Søknaden gjelder {days} skoledager; kontaktlæreren avgjør "
                "høyst {limit}. Skoleledelsen må avgjøre den.",
            ),
            "nn": (
                "Skuleleiinga avgjer",
                "Søknaden gjeld {days} skuledagar; kontaktlæraren avgjer "
                "høgst {limit}. Skuleleiinga må avgjere han.",
            ),
            "en": (
                "A school leader decides",
                "The request covers {days} school days; the contact "
                "teacher decides at most {limit}. A school leader must "
                "decide it.",
            ),
        },
        "leave.already_decided": {
            "nb": ("Allerede avgjort", "Søknaden er allerede avgjort."),
            "nn": ("Allereie avgjord", "Søknaden er allereie avgjord."),
            "en": ("Already decided", "The request has already been decided."),
        },
    }
)
