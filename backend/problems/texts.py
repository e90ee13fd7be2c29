"""Choosing the language of an answer, and a problem's texts in it (codes: backend/problems/catalog.py)."""

from __future__ import annotations

from i18n import CATALOGS, negotiate_locale

__all__ = ["negotiate_locale", "problem_text"]


def problem_text(code: str, locale: str, **params: object) -> tuple[str, str]:
    if not CATALOGS.has(f"problem.{code}.title"):
        code = "internal"
    title = CATALOGS.text(locale, f"problem.{code}.title")
    detail = CATALOGS.text(locale, f"problem.{code}.detail")
    try:
        return title, detail.format(**params)
    except (KeyError, IndexError):
        return title, detail
