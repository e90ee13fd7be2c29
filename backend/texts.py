"""Localised titles and details of problem documents (nb, nn, en)."""

from __future__ import annotations

LOCALES = ("nb", "nn", "en")

# code -> locale -> (title, detail). Details may use {placeholders}.
PROBLEMS: dict[str, dict[str, tuple[str, str]]] = {
    "request.malformed": {
        "nb": ("Ugyldig forespørsel", "Innholdet kunne ikke leses som JSON."),
        "nn": ("Ugyldig førespurnad", "Innhaldet kunne ikkje lesast som JSON."),
        "en": ("Malformed request", "The body could not be read as JSON."),
    },
    "request.too_large": {
        "nb": ("For stor forespørsel", "Innholdet er større enn tjenesten tar imot."),
        "nn": ("For stor førespurnad", "Innhaldet er større enn tenesta tek imot."),
        "en": ("Request too large", "The body is larger than the service accepts."),
    },
    "request.invalid": {
        "nb": ("Ugyldige verdier", "Ett eller flere felt har ugyldige verdier."),
        "nn": ("Ugyldige verdiar", "Eitt eller fleire felt har ugyldige verdiar."),
        "en": ("Invalid values", "One or more fields have invalid values."),
    },
    "not_found": {
        "nb": ("Finnes ikke", "Det du ba om finnes ikke, eller du har ikke tilgang til det."),
        "nn": ("Finst ikkje", "Det du bad om finst ikkje, eller du har ikkje tilgang til det."),
        "en": ("Not found", "What you asked for does not exist, or you have no access to it."),
    },
    "method_not_allowed": {
        "nb": ("Metoden er ikke tillatt", "Denne adressen støtter ikke metoden."),
        "nn": ("Metoden er ikkje tillaten", "Denne adressa støttar ikkje metoden."),
        "en": ("Method not allowed", "This address does not support that method."),
    },
    "forbidden": {
        "nb": ("Ikke tillatt", "Du kan se dette, men ikke endre det."),
        "nn": ("Ikkje tillate", "Du kan sjå dette, men ikkje endre det."),
        "en": ("Forbidden", "You may see this but not change it."),
    },
    "auth.missing_token": {
        "nb": ("Ikke innlogget", "Logg inn og send tilgangsnøkkelen som Bearer-token."),
        "nn": ("Ikkje innlogga", "Logg inn og send tilgangsnøkkelen som Bearer-token."),
        "en": ("Not signed in", "Sign in and send the access token as a Bearer token."),
    },
    "auth.invalid_token": {
        "nb": (
            "Ugyldig tilgangsnøkkel",
            "Tilgangsnøkkelen er ugyldig eller utløpt. Logg inn på nytt.",
        ),
        "nn": (
            "Ugyldig tilgangsnøkkel",
            "Tilgangsnøkkelen er ugyldig eller utgått. Logg inn på nytt.",
        ),
        "en": ("Invalid token", "The access token is invalid or expired. Sign in again."),
    },
    "auth.invalid_grant": {
        "nb": ("Innlogging avvist", "{reason}"),
        "nn": ("Innlogging avvist", "{reason}"),
        "en": ("Sign-in refused", "{reason}"),
    },
    "auth.provider_unavailable": {
        "nb": ("Innlogging utilgjengelig", "Innloggingstjenesten svarer ikke. Prøv igjen om litt."),
        "nn": ("Innlogging utilgjengeleg", "Innloggingstenesta svarar ikkje. Prøv igjen om litt."),
        "en": ("Sign-in unavailable", "The sign-in service is not answering. Try again shortly."),
    },
    "auth.unknown_user": {
        "nb": ("Ukjent bruker", "Brukeren finnes ikke i skolens register."),
        "nn": ("Ukjend brukar", "Brukaren finst ikkje i registeret til skulen."),
        "en": ("Unknown user", "The user is not in the school's roster."),
    },
    "idempotency.key_reused": {
        "nb": ("Nøkkelen er brukt", "Idempotency-Key er allerede brukt med et annet innhold."),
        "nn": ("Nøkkelen er brukt", "Idempotency-Key er allereie brukt med eit anna innhald."),
        "en": ("Key reused", "This Idempotency-Key was already used with a different body."),
    },
    "idempotency.key_empty": {
        "nb": ("Tom nøkkel", "Idempotency-Key kan ikke være tom."),
        "nn": ("Tom nøkkel", "Idempotency-Key kan ikkje vere tom."),
        "en": ("Empty key", "Idempotency-Key cannot be empty."),
    },
    "idempotency.key_too_long": {
        "nb": ("For lang nøkkel", "Idempotency-Key kan være høyst 64 tegn."),
        "nn": ("For lang nøkkel", "Idempotency-Key kan vere høgst 64 teikn."),
        "en": ("Key too long", "Idempotency-Key may be at most 64 characters."),
    },
    "rate_limited": {
        "nb": ("For mange forespørsler", "Vent litt og prøv igjen."),
        "nn": ("For mange førespurnader", "Vent litt og prøv igjen."),
        "en": ("Too many requests", "Wait a little and try again."),
    },
    "internal": {
        "nb": (
            "Noe gikk galt",
            "En uventet feil oppstod. Oppgi referansen {request_id} til brukerstøtte.",
        ),
        "nn": (
            "Noko gjekk gale",
            "Ein uventa feil oppstod. Oppgi referansen {request_id} til brukarstøtta.",
        ),
        "en": (
            "Something went wrong",
            "An unexpected error occurred. Give support the reference {request_id}.",
        ),
    },
    "unavailable": {
        "nb": ("Tjenesten er utilgjengelig", "Databasen svarer ikke. Prøv igjen om litt."),
        "nn": ("Tenesta er utilgjengeleg", "Databasen svarar ikkje. Prøv igjen om litt."),
        "en": ("Service unavailable", "The database is not answering. Try again shortly."),
    },
    "absence.past_day": {
        "nb": ("Dagen er passert", "Fravær kan ikke meldes for en dag som har vært."),
        "nn": ("Dagen er passert", "Fråvær kan ikkje meldast for ein dag som har vore."),
        "en": ("Day has passed", "Absence cannot be reported for a day that has passed."),
    },
    "absence.too_far_ahead": {
        "nb": ("For langt fram", "Fravær kan meldes høyst {days} dager fram i tid."),
        "nn": ("For langt fram", "Fråvær kan meldast høgst {days} dagar fram i tid."),
        "en": ("Too far ahead", "Absence can be reported at most {days} days ahead."),
    },
    "absence.span_too_long": {
        "nb": ("For lang periode", "En melding kan gjelde høyst {days} skoledager."),
        "nn": ("For lang periode", "Ei melding kan gjelde høgst {days} skuledagar."),
        "en": ("Span too long", "A report may cover at most {days} school days."),
    },
    "absence.no_school_day": {
        "nb": ("Ingen skoledag", "Perioden har ingen skoledager."),
        "nn": ("Ingen skuledag", "Perioden har ingen skuledagar."),
        "en": ("No school day", "The period contains no school day."),
    },
    "absence.last_before_first": {
        "nb": ("Ugyldig periode", "Siste dag kan ikke være før første dag."),
        "nn": ("Ugyldig periode", "Siste dag kan ikkje vere før første dag."),
        "en": ("Invalid span", "The last day cannot be before the first day."),
    },
    "absence.times_together": {
        "nb": ("Ugyldige klokkeslett", "Fra- og til-tid oppgis sammen eller ikke i det hele tatt."),
        "nn": (
            "Ugyldige klokkeslett",
            "Frå- og til-tid blir oppgitt saman eller ikkje i det heile.",
        ),
        "en": ("Invalid times", "From and to times go together or not at all."),
    },
    "absence.times_single_day": {
        "nb": (
            "Klokkeslett gjelder én dag",
            "Fra- og til-tid kan bare oppgis når meldingen gjelder én dag.",
        ),
        "nn": (
            "Klokkeslett gjeld éin dag",
            "Frå- og til-tid kan berre oppgjevast når meldinga gjeld éin dag.",
        ),
        "en": (
            "Times are for one day",
            "From and to times can only be given on a single-day report.",
        ),
    },
    "absence.times_order": {
        "nb": ("Ugyldige klokkeslett", "Fra-tid må være før til-tid."),
        "nn": ("Ugyldige klokkeslett", "Frå-tid må vere før til-tid."),
        "en": ("Invalid times", "The from time must be before the to time."),
    },
    "absence.times_required": {
        "nb": ("Klokkeslett mangler", "Fravær av typen «annet» krever fra- og til-tid."),
        "nn": ("Klokkeslett manglar", "Fråvær av typen «anna» krev frå- og til-tid."),
        "en": ("Times required", "Absence of kind 'other' needs a from and to time."),
    },
    "absence.overlap": {
        "nb": (
            "Overlappende melding",
            "Det finnes allerede en fraværsmelding for dette tidsrommet.",
        ),
        "nn": (
            "Overlappande melding",
            "Det finst allereie ei fråværsmelding for dette tidsrommet.",
        ),
        "en": ("Overlapping report", "An absence report already covers this time."),
    },
    "absence.withdraw_too_late": {
        "nb": ("For sent å trekke", "En melding kan bare trekkes før fristen første dag."),
        "nn": ("For seint å trekkje", "Ei melding kan berre trekkjast før fristen første dag."),
        "en": (
            "Too late to withdraw",
            "A report can only be withdrawn before the first day's deadline.",
        ),
    },
    "absence.not_submitter": {
        "nb": ("Ikke din melding", "Bare den som sendte meldingen kan trekke den."),
        "nn": ("Ikkje di melding", "Berre den som sende meldinga kan trekkje henne."),
        "en": ("Not your report", "Only the person who submitted the report can withdraw it."),
    },
    "absence.read_only": {
        "nb": ("Bare lesetilgang", "Du kan se eleven, men ikke melde fravær."),
        "nn": ("Berre lesetilgang", "Du kan sjå eleven, men ikkje melde fråvær."),
        "en": ("Read-only access", "You can see this pupil but not report absence."),
    },
}


def register_problems(entries: dict[str, dict[str, tuple[str, str]]]) -> None:
    """Let a domain package add its own problem texts (each in nb, nn and en)."""
    for code, texts in entries.items():
        missing = {"nb", "nn", "en"} - texts.keys()
        if missing:
            raise ValueError(f"problem {code} lacks texts in {sorted(missing)}")
        PROBLEMS[code] = texts


def negotiate_locale(accept_language: str | None, default: str = "nb") -> str:
    """Pick nb, nn or en from an Accept-Language header (``no`` means nb)."""
    if not accept_language:
        return default
    best: tuple[float, str] | None = None
    for part in accept_language.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0
        for p in pieces[1:]:
            if p.strip().startswith("q="):
                try:
                    q = float(p.strip()[2:])
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        locale = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}.get(primary)
        if locale and (best is None or q > best[0]):
            best = (q, locale)
    return best[1] if best else default


def problem_text(code: str, locale: str, **params: object) -> tuple[str, str]:
    entry = PROBLEMS.get(code) or PROBLEMS["internal"]
    title, detail = entry.get(locale) or entry["nb"]
    try:
        return title, detail.format(**params)
    except (KeyError, IndexError):
        return title, detail
