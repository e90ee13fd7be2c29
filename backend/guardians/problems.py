"""Problem texts of guardian administration (nb, nn, en)."""

from __future__ import annotations

from backend.texts import register_problems

register_problems(
    {
        "guardians.leaders_only": {
            "nb": ("Bare skoleledere", "Bare skolens ledere kan endre en foresattes tilgang."),
            "nn": ("Berre skoleleiarar", "Berre leiarane ved skulen kan endre tilgangen til ein føresett."),
            "en": ("School leaders only", "Only the school's leaders can change a guardian's access."),
        },
        "guardians.not_yours": {
            "nb": ("Ikke tilgjengelig", "Bare skoleledere og kontaktlæreren ser elevens foresatte."),
            "nn": (
                "Ikkje tilgjengeleg",
                "Berre skoleleiarar og kontaktlæraren ser dei føresette til eleven.",
            ),
            "en": ("Not available", "Only school leaders and the contact teacher see a pupil's guardians."),
        },
    }
)
