"""Small rules for reading one OneRoster row: required columns, dates, lists, status, grades."""

from __future__ import annotations

from datetime import date

from backend.roster.oneroster.model import ACCESS_LEVELS, Problem


def need(where: str, row: dict[str, str], errors: list[Problem], *names: str) -> bool:
    missing = [n for n in names if not row.get(n)]
    if missing:
        errors.append(
            Problem(
                where, f"the column {missing[0]!r} is empty or missing", f"every row needs {', '.join(names)}"
            )
        )
        return False
    return True


def parse_date(where: str, text: str, column: str, errors: list[Problem]) -> date | None:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        errors.append(Problem(where, f"{column} {text!r} is not a date", "write YYYY-MM-DD"))
        return None


def grade_of(text: str) -> int | None:
    """The lowest school level named in OneRoster ``grades`` (01–13, VG1–VG3), if any."""
    found: list[int] = []
    for part in text.replace(";", ",").split(","):
        code = part.strip().upper()
        if code.startswith("VG") and code[2:].isdigit() and 1 <= int(code[2:]) <= 3:
            found.append(10 + int(code[2:]))
        elif code.isdigit() and 1 <= int(code) <= 13:
            found.append(int(code))
    return min(found) if found else None


def is_deleted(row: dict[str, str]) -> bool:
    status = row.get("status")
    return bool(status) and status.lower() == "tobedeleted"  # type: ignore[union-attr]


def ids(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def school_year_key(end_year: int) -> str:
    return f"schoolYear:{end_year}"


def year_of_dates(start: date) -> int:
    """The calendar year a Norwegian school year (August–June) that contains ``start`` ends in."""
    return start.year + 1 if start.month >= 8 else start.year


def agent_access(where: str, text: str, errors: list[Problem]) -> dict[str, str]:
    """A guardian row's ``metadata.agentAccess``: pupil sourcedId -> access level."""
    result: dict[str, str] = {}
    for pair in text.split(";"):
        if not pair.strip():
            continue
        pupil, _, access = pair.partition(":")
        if access.strip() not in ACCESS_LEVELS:
            errors.append(
                Problem(
                    where,
                    f"metadata.agentAccess {pair!r} is not understood",
                    "write pupilSourcedId:full, :read_only or :none",
                )
            )
            continue
        result[pupil.strip()] = access.strip()
    return result
