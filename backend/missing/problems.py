"""Problem texts of reaching guardians (nb, nn, en)."""

from __future__ import annotations

from backend.texts import register_problems

register_problems(
    {
        "missing.not_a_guardian": {
            "nb": ("Ikke en foresatt i saken", "Personen er ikke en foresatt med tilgang til denne eleven."),
            "nn": (
                "Ikkje ein føresett i saka",
                "Personen er ikkje ein føresett med tilgang til denne eleven.",
            ),
            "en": ("Not a guardian on this case", "This person is not a guardian with access to the pupil."),
        },
        "sms.bad_signature": {
            "nb": ("Ugyldig signatur", "Leveringsrapporten er ikke signert av SMS-leverandøren."),
            "nn": ("Ugyldig signatur", "Leveringsrapporten er ikkje signert av SMS-leverandøren."),
            "en": ("Bad signature", "The delivery report is not signed by the SMS provider."),
        },
    }
)
