"""Translated texts of Skolebro (push, SMS, e-mail, problem documents, the portal).

See i18n/catalogs.py for the layout of the catalogs and the message-id scheme.
notifications/ uses this package too, so it imports nothing from backend/.
"""

from i18n.catalogs import (
    CATALOGS,
    DEFAULT_LOCALE,
    LOCALES_DIR,
    Catalogs,
    gettext,
    locales,
    negotiate_locale,
    ngettext,
)
from i18n.tables import TextTable

__all__ = [
    "CATALOGS",
    "DEFAULT_LOCALE",
    "LOCALES_DIR",
    "Catalogs",
    "TextTable",
    "gettext",
    "locales",
    "negotiate_locale",
    "ngettext",
]
