"""Every problem code the service answers with, and its title and detail in nb, nn and en.

The one registry of problem codes (RFC 9457 ``code``): a service raises
``Invalid("leave.past_day")`` and so on, and the texts live here, grouped by
domain. Add a code to its domain's section; tests/test_problem_codes.py checks
that every code raised anywhere has all three texts. Details may use
{placeholders} filled from the error's parameters.
"""

from __future__ import annotations

LOCALES = ("nb", "nn", "en")

# code -> locale -> (title, detail)
PROBLEMS: dict[str, dict[str, tuple[str, str]]] = {
    # --- general ---------------------------------------------------------------
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
    "rate_limited": {
        "nb": ("For mange forespørsler", "Vent litt og prøv igjen."),
        "nn": ("For mange førespurnader", "Vent litt og prøv igjen."),
        "en": ("Too many requests", "Wait a little and try again."),
    },
    "internal": {
        "nb": ("Noe gikk galt", "En uventet feil oppstod. Oppgi referansen {request_id} til brukerstøtte."),
        "nn": ("Noko gjekk gale", "Ein uventa feil oppstod. Oppgi referansen {request_id} til brukarstøtta."),
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
    # --- request ---------------------------------------------------------------
    "request.unsupported_media_type": {
        "nb": ("Feil innholdstype", "Innholdet må sendes som application/json."),
        "nn": ("Feil innhaldstype", "Innhaldet må sendast som application/json."),
        "en": ("Unsupported media type", "The body must be sent as application/json."),
    },
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
    # --- auth ------------------------------------------------------------------
    "auth.missing_token": {
        "nb": ("Ikke innlogget", "Logg inn og send tilgangsnøkkelen som Bearer-token."),
        "nn": ("Ikkje innlogga", "Logg inn og send tilgangsnøkkelen som Bearer-token."),
        "en": ("Not signed in", "Sign in and send the access token as a Bearer token."),
    },
    "auth.invalid_token": {
        "nb": ("Ugyldig tilgangsnøkkel", "Tilgangsnøkkelen er ugyldig eller utløpt. Logg inn på nytt."),
        "nn": ("Ugyldig tilgangsnøkkel", "Tilgangsnøkkelen er ugyldig eller utgått. Logg inn på nytt."),
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
    # --- absence ---------------------------------------------------------------
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
        "nn": ("Ugyldige klokkeslett", "Frå- og til-tid blir oppgitt saman eller ikkje i det heile."),
        "en": ("Invalid times", "From and to times go together or not at all."),
    },
    "absence.times_single_day": {
        "nb": ("Klokkeslett gjelder én dag", "Fra- og til-tid kan bare oppgis når meldingen gjelder én dag."),
        "nn": (
            "Klokkeslett gjeld éin dag",
            "Frå- og til-tid kan berre oppgjevast når meldinga gjeld éin dag.",
        ),
        "en": ("Times are for one day", "From and to times can only be given on a single-day report."),
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
        "nb": ("Overlappende melding", "Det finnes allerede en fraværsmelding for dette tidsrommet."),
        "nn": ("Overlappande melding", "Det finst allereie ei fråværsmelding for dette tidsrommet."),
        "en": ("Overlapping report", "An absence report already covers this time."),
    },
    "absence.withdraw_too_late": {
        "nb": ("For sent å trekke", "En melding kan bare trekkes før fristen første dag."),
        "nn": ("For seint å trekkje", "Ei melding kan berre trekkjast før fristen første dag."),
        "en": ("Too late to withdraw", "A report can only be withdrawn before the first day's deadline."),
    },
    "absence.not_submitter": {
        "nb": ("Ikke din melding", "Bare den som sendte meldingen kan trekke den."),
        "nn": ("Ikkje di melding", "Berre den som sende meldinga kan trekkje henne."),
        "en": ("Not your report", "Only the person who submitted the report can withdraw it."),
    },
    "access.former_pupil": {
        "nb": (
            "Eleven har sluttet",
            "Eleven har sluttet ved skolen din: du kan lese det som er registrert, men ikke endre noe.",
        ),
        "nn": (
            "Eleven har slutta",
            "Eleven har slutta ved skulen din: du kan lese det som er registrert, men ikkje endre noko.",
        ),
        "en": (
            "Pupil has left",
            "This pupil has left your school: you can read their records but not change them.",
        ),
    },
    "absence.read_only": {
        "nb": ("Bare lesetilgang", "Du kan se eleven, men ikke melde fravær."),
        "nn": ("Berre lesetilgang", "Du kan sjå eleven, men ikkje melde fråvær."),
        "en": ("Read-only access", "You can see this pupil but not report absence."),
    },
    # --- assessment ------------------------------------------------------------
    "assessment.not_group_teacher": {
        "nb": ("Ikke din gruppe", "Bare lærere i undervisningsgruppen kan gi vurderinger i den."),
        "nn": ("Ikkje gruppa di", "Berre lærarar i undervisningsgruppa kan gi vurderingar i henne."),
        "en": ("Not your group", "Only teachers of the teaching group may assess in it."),
    },
    "assessment.pupil_not_in_group": {
        "nb": ("Eleven er ikke i gruppen", "Eleven er ikke med i denne undervisningsgruppen."),
        "nn": ("Eleven er ikkje i gruppa", "Eleven er ikkje med i denne undervisningsgruppa."),
        "en": ("Pupil not in group", "The pupil is not in this teaching group."),
    },
    "assessment.grade_not_allowed": {
        "nb": (
            "Karakter ikke tillatt",
            "Elever på {grade}. trinn får bare vurdering med kommentar, ikke karakter (karakterer gis fra 8. trinn).",
        ),
        "nn": (
            "Karakter ikkje tillate",
            "Elevar på {grade}. trinn får berre vurdering med kommentar, ikkje karakter (karakterar blir gitt frå 8. trinn).",
        ),
        "en": (
            "Grade not allowed",
            "Pupils in grade {grade} get comments only, no grades (grades start in grade 8).",
        ),
    },
    "assessment.comment_required": {
        "nb": ("Kommentar mangler", "Denne vurderingen må ha en kommentar."),
        "nn": ("Kommentar manglar", "Denne vurderinga må ha ein kommentar."),
        "en": ("Comment required", "This assessment needs a comment."),
    },
    "assessment.grade_required": {
        "nb": ("Karakter mangler", "Halvårs-, standpunkt- og eksamensvurdering må ha en karakter."),
        "nn": ("Karakter manglar", "Halvårs-, standpunkt- og eksamensvurdering må ha ein karakter."),
        "en": ("Grade required", "Half-year, final and exam assessments need a grade."),
    },
    "assessment.publish_at_offset": {
        "nb": ("Tidspunkt uten tidssone", "publish_at må ha tidssone (RFC 3339 med offset)."),
        "nn": ("Tidspunkt utan tidssone", "publish_at må ha tidssone (RFC 3339 med offset)."),
        "en": ("Instant without offset", "publish_at needs a UTC offset (RFC 3339)."),
    },
    "assessment.publish_too_far": {
        "nb": ("For langt fram", "Publisering kan planlegges høyst {days} dager fram."),
        "nn": ("For langt fram", "Publisering kan planleggjast høgst {days} dagar fram."),
        "en": ("Too far ahead", "Publication can be scheduled at most {days} days ahead."),
    },
    # --- attendance ------------------------------------------------------------
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
    # --- devices ---------------------------------------------------------------
    "devices.token_busy": {
        "nb": ("Prøv igjen", "Enheten ble registrert samtidig fra et annet sted. Prøv igjen."),
        "nn": ("Prøv igjen", "Eininga vart registrert samstundes frå ein annan stad. Prøv igjen."),
        "en": ("Try again", "The device was being registered elsewhere at the same time. Retry."),
    },
    # --- idempotency -----------------------------------------------------------
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
    # --- jobs ------------------------------------------------------------------
    "jobs.unknown": {
        "nb": ("Ukjent jobb", "Det finnes ingen planlagt jobb med dette navnet."),
        "nn": ("Ukjend jobb", "Det finst ingen planlagd jobb med dette namnet."),
        "en": ("Unknown job", "There is no scheduled job with this name."),
    },
    # --- leave -----------------------------------------------------------------
    "leave.web_only": {
        "nb": (
            "Bare i nettportalen",
            "Permisjon søkes i Skolebros nettportal, ikke i appen. Logg inn i nettportalen (Skolebro på nett, siden «Permisjon») og send søknaden der.",
        ),
        "nn": (
            "Berre i nettportalen",
            "Permisjon søkjer du om i nettportalen til Skolebro, ikkje i appen. Logg inn i nettportalen (Skolebro på nett, sida «Permisjon») og send søknaden der.",
        ),
        "en": (
            "Web portal only",
            "Leave is applied for in the Skolebro web portal, not in the app. Sign in to the web portal (Skolebro on the web, the 'Leave' page) and apply there.",
        ),
    },
    "leave.read_only": {
        "nb": ("Bare lesetilgang", "Du kan se eleven, men ikke søke om permisjon."),
        "nn": ("Berre lesetilgang", "Du kan sjå eleven, men ikkje søkje om permisjon."),
        "en": ("Read-only access", "You can see this pupil but not apply for leave."),
    },
    "leave.not_applicant": {
        "nb": ("Kan ikke søke", "Bare foresatte med full tilgang og elever over 18 kan søke om permisjon."),
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
        "nb": ("Kan ikke avgjøre", "Bare kontaktlæreren eller skoleledelsen avgjør søknader om permisjon."),
        "nn": ("Kan ikkje avgjere", "Berre kontaktlæraren eller skuleleiinga avgjer søknader om permisjon."),
        "en": ("Cannot decide", "Only the contact teacher or the school's leaders decide leave requests."),
    },
    "leave.needs_leader": {
        "nb": (
            "Skoleledelsen avgjør",
            "Søknaden gjelder {days} skoledager; kontaktlæreren avgjør høyst {limit}. Skoleledelsen må avgjøre den.",
        ),
        "nn": (
            "Skuleleiinga avgjer",
            "Søknaden gjeld {days} skuledagar; kontaktlæraren avgjer høgst {limit}. Skuleleiinga må avgjere han.",
        ),
        "en": (
            "A school leader decides",
            "The request covers {days} school days; the contact teacher decides at most {limit}. A school leader must decide it.",
        ),
    },
    "leave.already_decided": {
        "nb": ("Allerede avgjort", "Søknaden er allerede avgjort."),
        "nn": ("Allereie avgjord", "Søknaden er allereie avgjord."),
        "en": ("Already decided", "The request has already been decided."),
    },
    # --- messaging -------------------------------------------------------------
    "messaging.pupil_under_18": {
        "nb": ("Ikke tilgjengelig ennå", "Elever kan sende meldinger til de ansatte fra de fyller 18 år."),
        "nn": (
            "Ikkje tilgjengeleg enno",
            "Elevar kan sende meldingar til dei tilsette frå dei fyller 18 år.",
        ),
        "en": ("Not available yet", "Pupils can message staff from the age of 18."),
    },
    "messaging.recipient_not_allowed": {
        "nb": (
            "Ugyldig mottaker",
            "Du kan ikke skrive til «{kind}» om denne eleven. Hent lovlige mottakere fra /api/v1/messaging/recipients.",
        ),
        "nn": (
            "Ugyldig mottakar",
            "Du kan ikkje skrive til «{kind}» om denne eleven. Hent lovlege mottakarar frå /api/v1/messaging/recipients.",
        ),
        "en": (
            "Recipient not allowed",
            "You cannot write to '{kind}' about this pupil. Get the allowed recipients from /api/v1/messaging/recipients.",
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
    # --- missing ---------------------------------------------------------------
    "missing.not_a_guardian": {
        "nb": ("Ikke en foresatt i saken", "Personen er ikke en foresatt med tilgang til denne eleven."),
        "nn": ("Ikkje ein føresett i saka", "Personen er ikkje ein føresett med tilgang til denne eleven."),
        "en": ("Not a guardian on this case", "This person is not a guardian with access to the pupil."),
    },
    "missing.already_resolved": {
        "nb": ("Saken er lukket", "Denne etterlysningen er allerede avsluttet."),
        "nn": ("Saka er lukka", "Denne etterlysinga er alt avslutta."),
        "en": ("Case closed", "This missing-pupil case has already been resolved."),
    },
    "missing.outcome_not_allowed": {
        "nb": (
            "Ugyldig svar",
            "Foresatte svarer «syk hjemme», «på vei» eller «funnet»; ansatte svarer «kommet» eller «annet».",
        ),
        "nn": (
            "Ugyldig svar",
            "Føresette svarar «sjuk heime», «på veg» eller «funnen»; tilsette svarar «komen» eller «anna».",
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
    # --- notifications ---------------------------------------------------------
    "notifications.quiet_hours_empty": {
        "nb": ("Ugyldige stilletimer", "Stilletimene må starte og slutte på ulike klokkeslett."),
        "nn": ("Ugyldige stilletimar", "Stilletimane må starte og slutte på ulike klokkeslett."),
        "en": ("Invalid quiet hours", "Quiet hours must start and end at different times."),
    },
    # --- school_year -----------------------------------------------------------
    "school_year.invalid": {
        "nb": ("Ugyldig skoleår", "Skoleåret skrives som to år etter hverandre, f.eks. 2026-2027."),
        "nn": ("Ugyldig skuleår", "Skuleåret blir skrive som to år etter kvarandre, t.d. 2026-2027."),
        "en": ("Invalid school year", "Write the school year as two consecutive years, e.g. 2026-2027."),
    },
    # --- schools ---------------------------------------------------------------
    "schools.closed_day_form": {
        "nb": ("Dag eller periode", "Oppgi enten date, eller first_day og last_day."),
        "nn": ("Dag eller periode", "Oppgi anten date, eller first_day og last_day."),
        "en": ("A day or a range", "Give either date, or first_day and last_day."),
    },
    "schools.closed_day_range": {
        "nb": ("Ugyldig periode", "Siste dag kan ikke være før første dag, og perioden er høyst ett år."),
        "nn": ("Ugyldig periode", "Siste dag kan ikkje vere før første dag, og perioden er høgst eitt år."),
        "en": ("Invalid range", "The last day cannot be before the first, and a range is at most a year."),
    },
    "schools.closed_day_exists": {
        "nb": ("Dagen er allerede stengt", "Denne dagen er allerede registrert som fridag."),
        "nn": ("Dagen er alt stengd", "Denne dagen er alt registrert som fridag."),
        "en": ("Day already closed", "This day is already listed as a closed day."),
    },
    # --- settings --------------------------------------------------------------
    "settings.unknown_timezone": {
        "nb": ("Ukjent tidssone", "Tidssonen må være en IANA-tidssone, for eksempel Europe/Oslo."),
        "nn": ("Ukjend tidssone", "Tidssona må vere ei IANA-tidssone, til dømes Europe/Oslo."),
        "en": ("Unknown time zone", "The time zone must be an IANA zone such as Europe/Oslo."),
    },
    "settings.times_out_of_order": {
        "nb": (
            "Tidene er i feil rekkefølge",
            "Første time må starte før den slutter, friminuttet kan ikke starte før første time er slutt, «fortsatt syk?» må komme før meldefristen, og påminnelsen senest kl. 21.",
        ),
        "nn": (
            "Tidene er i feil rekkjefølgje",
            "Første time må starte før han sluttar, friminuttet kan ikkje starte før første time er slutt, «framleis sjuk?» må kome før meldefristen, og påminninga seinast kl. 21.",
        ),
        "en": (
            "Times out of order",
            "The first lesson must start before it ends, the first recess cannot start before the first lesson ends, 'still sick?' must come before the report deadline, and the reminder at 21:00 at the latest.",
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
    # --- web -------------------------------------------------------------------
    "web.csrf": {
        "nb": (
            "Skjemaet er utløpt",
            "Skjemaet manglet en gyldig sikkerhetsnøkkel. Last siden på nytt og prøv igjen.",
        ),
        "nn": (
            "Skjemaet er gått ut",
            "Skjemaet mangla ein gyldig tryggleiksnøkkel. Last sida på nytt og prøv igjen.",
        ),
        "en": (
            "The form has expired",
            "The form lacked a valid security token. Reload the page and try again.",
        ),
    },
    "web.login_failed": {
        "nb": ("Innloggingen mislyktes", "Innloggingen kunne ikke fullføres ({reason}). Prøv igjen."),
        "nn": ("Innlogginga mislukkast", "Innlogginga kunne ikkje fullførast ({reason}). Prøv igjen."),
        "en": ("Sign-in failed", "Sign-in could not be completed ({reason}). Please try again."),
    },
    # --- guardians -------------------------------------------------------------
    "guardians.leaders_only": {
        "nb": ("Bare skoleledere", "Bare skolens ledere kan endre en foresattes tilgang."),
        "nn": ("Berre skoleleiarar", "Berre leiarane ved skulen kan endre tilgangen til ein føresett."),
        "en": ("School leaders only", "Only the school's leaders can change a guardian's access."),
    },
    "guardians.not_yours": {
        "nb": ("Ikke tilgjengelig", "Bare skoleledere og kontaktlæreren ser elevens foresatte."),
        "nn": ("Ikkje tilgjengeleg", "Berre skoleleiarar og kontaktlæraren ser dei føresette til eleven."),
        "en": ("Not available", "Only school leaders and the contact teacher see a pupil's guardians."),
    },
    # --- dev -------------------------------------------------------------------
    "dev.staff_only": {
        "nb": ("Bare for ansatte", "Bare ansatte og administratorer kan flytte tjenestens klokke."),
        "nn": ("Berre for tilsette", "Berre tilsette og administratorar kan flytte klokka til tenesta."),
        "en": ("Staff only", "Only staff and administrators may move the service clock."),
    },
    "dev.clock_range": {
        "nb": ("Tidspunkt utenfor rekkevidde", "Klokka kan settes mellom {earliest} og {latest}."),
        "nn": ("Tidspunkt utanfor rekkjevidd", "Klokka kan setjast mellom {earliest} og {latest}."),
        "en": ("Instant out of range", "The clock can be set between {earliest} and {latest}."),
    },
    # --- sms -------------------------------------------------------------------
    "sms.bad_signature": {
        "nb": ("Ugyldig signatur", "Leveringsrapporten er ikke signert av SMS-leverandøren."),
        "nn": ("Ugyldig signatur", "Leveringsrapporten er ikkje signert av SMS-leverandøren."),
        "en": ("Bad signature", "The delivery report is not signed by the SMS provider."),
    },
}
