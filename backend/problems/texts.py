"""A problem's title and detail in the reader's language, and choosing that language.

The texts live in the catalogs (i18n/locales/<lang>/LC_MESSAGES/problems.po) as
``problem.<code>.title`` and ``problem.<code>.detail``, one pair per member of
``Code`` (backend/problems/codes.py); a translator edits the .po files. Details may
use {placeholders} filled from the error's parameters.
"""

from __future__ import annotations

from backend.problems.codes import Code
from i18n import CATALOGS, TextTable, negotiate_locale

__all__ = ["PROBLEMS", "negotiate_locale", "problem_text"]

# code -> locale -> (title, detail), read from the catalogs
PROBLEMS = TextTable("problem", ("title", "detail"))


def problem_text(code: Code, locale: str, **params: object) -> tuple[str, str]:
    if not CATALOGS.has(f"problem.{code}.title"):
        code = Code.INTERNAL
    title = CATALOGS.text(locale, f"problem.{code}.title")
    detail = CATALOGS.text(locale, f"problem.{code}.detail")
    try:
        return title, detail.format(**params)
    except (KeyError, IndexError):
        return title, detail
