"""Problem texts of the web portal (nb, nn, en)."""

from __future__ import annotations

from backend.texts import register_problems

register_problems(
    {
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
    }
)
