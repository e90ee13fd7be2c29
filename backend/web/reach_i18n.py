"""Web texts of the missing-pupil case page and the class's reachability (nb, nn, en)."""

from __future__ import annotations

from backend.web.i18n import TEXTS

TEXTS.update(
    {
        "case_title": ("Etterlysning: {pupil}", "Etterlysing: {pupil}", "Missing pupil: {pupil}"),
        "case_status": ("Status", "Status", "Status"),
        "case_status_pending": ("venter", "ventar", "pending"),
        "case_status_sought": ("etterlyst", "etterlyst", "sought"),
        "case_status_escalated": ("eskalert", "eskalert", "escalated"),
        "case_status_resolved": ("avsluttet", "avslutta", "resolved"),
        "case_sought_at": ("Etterlyst kl. {at}", "Etterlyst kl. {at}", "Sought at {at}"),
        "case_reached_at": (
            "En foresatt er nådd (kl. {at})",
            "Ein føresett er nådd (kl. {at})",
            "A guardian was reached at {at}",
        ),
        "case_not_reached": (
            "Ingen foresatte er nådd ennå",
            "Ingen føresette er nådde enno",
            "No guardian has been reached yet",
        ),
        "case_call_now": (
            "Ring de foresatte nå: ingen har svart eller åpnet varselet.",
            "Ring dei føresette no: ingen har svart eller opna varselet.",
            "Call the guardians now: nobody has answered or opened the alert.",
        ),
        "case_contacts": ("Kontaktforsøk", "Kontaktforsøk", "Contact attempts"),
        "case_no_contacts": ("Ingen ennå.", "Ingen enno.", "None yet."),
        "case_guardian": ("Foresatt", "Føresett", "Guardian"),
        "case_channel": ("Kanal", "Kanal", "Channel"),
        "case_time": ("Tid", "Tid", "Time"),
        "channel_push": ("varsel i appen", "varsel i appen", "app push"),
        "channel_sms": ("SMS", "SMS", "SMS"),
        "channel_email": ("e-post", "e-post", "e-mail"),
        "channel_call": ("telefon", "telefon", "phone call"),
        "contact_queued": ("i kø", "i kø", "queued"),
        "contact_sent": ("sendt", "sendt", "sent"),
        "contact_delivered": ("levert", "levert", "delivered"),
        "contact_failed": ("feilet", "feila", "failed"),
        "contact_opened": ("åpnet", "opna", "opened"),
        "contact_reached": ("nådd", "nådd", "reached"),
        "contact_no_answer": ("svarte ikke", "svarte ikkje", "no answer"),
        "call_list": ("Ringeliste", "Ringjeliste", "Call list"),
        "call_mobile": ("Mobil", "Mobil", "Mobile"),
        "call_reached": ("Nådd", "Nådd", "Reached"),
        "call_log": ("Før samtale", "Før samtale", "Log the call"),
        "call_outcome_reached": ("nådd", "nådd", "reached"),
        "call_outcome_no_answer": ("svarte ikke", "svarte ikkje", "no answer"),
        "call_outcome_wrong_number": ("feil nummer", "feil nummer", "wrong number"),
        "call_no_number": ("ingen mobil", "ingen mobil", "no mobile"),
        "yes": ("ja", "ja", "yes"),
        "no": ("nei", "nei", "no"),
        "done_call_logged": ("Samtalen er ført.", "Samtalen er ført.", "The call is logged."),
        "reach_title": (
            "Hvem kan vi nå i {class_name}?",
            "Kven kan vi nå i {class_name}?",
            "Who can we reach in {class_name}?",
        ),
        "reach_intro": (
            "Per elev: om minst én foresatt med tilgang kan nås med varsel i appen "
            "(telefon sett siste 30 dager), SMS eller e-post.",
            "Per elev: om minst éin føresett med tilgang kan nåast med varsel i appen "
            "(telefon sett siste 30 dagar), SMS eller e-post.",
            "Per pupil: whether at least one guardian with access can be reached by app push "
            "(a phone seen in the last 30 days), SMS or e-mail.",
        ),
        "reach_unreachable": (
            "{count} elev(er) kan ikke nås.",
            "{count} elev(ar) kan ikkje nåast.",
            "{count} pupil(s) cannot be reached.",
        ),
        "reach_confirmed": ("Bekreftet test", "Stadfesta test", "Confirmed test"),
        "reach_link": ("Hvem kan vi nå?", "Kven kan vi nå?", "Who can we reach?"),
        "case_link": ("Se saken", "Sjå saka", "See the case"),
    }
)
