"""Every problem code the service answers with, and its title and detail in each language.

The texts live in the catalogs, i18n/locales/<lang>/LC_MESSAGES/problems.po, as
``problem.<code>.title`` and ``problem.<code>.detail``: a service raises
``Invalid("leave.past_day")`` and so on, and a translator edits the .po files.
Add a code to nb, nn and en; tests check that every code raised anywhere has
its texts. Details may use {placeholders} filled from the error's parameters.
"""

from __future__ import annotations

from i18n import TextTable

# code -> locale -> (title, detail), read from the catalogs
PROBLEMS = TextTable("problem", ("title", "detail"))
