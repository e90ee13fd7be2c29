"""Choosing the language of an answer, and a problem's texts in it (registry: backend/problems.py)."""

from __future__ import annotations

from backend.problems.catalog import LOCALES, PROBLEMS

__all__ = ["LOCALES", "PROBLEMS", "negotiate_locale", "problem_text"]


def negotiate_locale(accept_language: str | None, default: str = "nb") -> str:
    """Pick nb, nn or en from an Accept-Language header (``no`` means nb)."""
    if not accept_language:
        return default
    best: tuple[float, str] | None = None
    for part in accept_language.split(","):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        q = 1.0
        for p in pieces[1:]:
            if p.strip().startswith("q="):
                try:
                    q = float(p.strip()[2:])
                except ValueError:
                    q = 0.0
        primary = tag.split("-")[0]
        locale = {"nb": "nb", "no": "nb", "nn": "nn", "en": "en"}.get(primary)
        if locale and (best is None or q > best[0]):
            best = (q, locale)
    return best[1] if best else default


def problem_text(code: str, locale: str, **params: object) -> tuple[str, str]:
    entry = PROBLEMS.get(code) or PROBLEMS["internal"]
    title, detail = entry.get(locale) or entry["nb"]
    try:
        return title, detail.format(**params)
    except (KeyError, IndexError):
        return title, detail
