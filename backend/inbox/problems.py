"""Problem texts of the inbox, devices and push preferences."""

from backend.texts import register_problems

register_problems(
    {
        "notifications.quiet_hours_empty": {
            "nb": ("Ugyldige stilletimer", "Stilletimene må starte og slutte på ulike klokkeslett."),
            "nn": ("Ugyldige stilletimar", "Stilletimane må starte og slutte på ulike klokkeslett."),
            "en": ("Invalid quiet hours", "Quiet hours must start and end at different times."),
        },
        "devices.token_busy": {
            "nb": ("Prøv igjen", "Enheten ble registrert samtidig fra et annet sted. Prøv igjen."),
            "nn": ("Prøv igjen", "Eininga vart registrert samstundes frå ein annan stad. Prøv igjen."),
            "en": ("Try again", "The device was being registered elsewhere at the same time. Retry."),
        },
    }
)
