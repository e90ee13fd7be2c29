"""Reading OneRoster 1.1 and 1.2 CSV bulk files into plain rows.

Only what Skolebro needs is read: orgs (schools), academicSessions (school
years), classes (homeroom → class, scheduled → teaching group), users (with
`userIds` like ``{Feide:ola@skole.no}`` and guardians' `agentSourcedIds`),
roles (1.2 only), enrollments and demographics (birth dates).

Guardian access levels are not part of OneRoster; an optional
``metadata.agentAccess`` column on a guardian's row (``pupilSourcedId:none``
pairs separated by ``;``) marks read-only or blocked relations.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

PUPIL_ROLES = {"student"}
GUARDIAN_ROLES = {"parent", "guardian", "relative"}
TEACHER_ROLES = {"teacher", "aide"}
LEADER_ROLES = {"administrator", "principal", "districtAdministrator", "siteAdministrator"}
KNOWN_ROLES = PUPIL_ROLES | GUARDIAN_ROLES | TEACHER_ROLES | LEADER_ROLES | {"proctor"}
ACCESS_LEVELS = {"full", "read_only", "none"}
PROVIDERS = {"feide": "feide", "idporten": "idporten", "id-porten": "idporten"}

REQUIRED_FILES = ("orgs.csv", "academicSessions.csv", "classes.csv", "users.csv", "enrollments.csv")


class RosterError(Exception):
    """A roster file is wrong; the message names the file, the line and the fix."""


@dataclass
class Roster:
    version: str
    schools: dict[str, dict[str, str]] = field(default_factory=dict)
    sessions: dict[str, dict[str, object]] = field(default_factory=dict)
    classes: list[dict[str, object]] = field(default_factory=list)
    users: list[dict[str, object]] = field(default_factory=list)
    enrollments: list[dict[str, object]] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    identities: list[tuple[str, str, str]] = field(default_factory=list)
    leaders: list[tuple[str, str]] = field(default_factory=list)
    deleted_users: list[str] = field(default_factory=list)
    deleted_enrollments: list[str] = field(default_factory=list)
    rows_read: int = 0


Progress = Callable[[str, int], None]


def _rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            if reader.fieldnames is None:
                raise RosterError(f"{path.name} is empty; it needs a header line.")
            for line, row in enumerate(reader, start=2):
                yield line, {k.strip(): (v or "").strip() for k, v in row.items() if k}
    except UnicodeDecodeError as exc:
        raise RosterError(f"{path.name} is not UTF-8 text: save it as UTF-8 CSV.") from exc


def _need(path: Path, line: int, row: dict[str, str], *names: str) -> None:
    for name in names:
        if not row.get(name):
            raise RosterError(
                f"{path.name} line {line}: the column {name!r} is empty or missing; every row needs it."
            )


def _date(path: Path, line: int, text: str, column: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise RosterError(
            f"{path.name} line {line}: {column} {text!r} is not a date (write YYYY-MM-DD)."
        ) from exc


def _grade(text: str) -> int | None:
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if part.isdigit() and 1 <= int(part) <= 13:
            return int(part)
    return None


def _deleted(row: dict[str, str]) -> bool:
    return row.get("status", "").lower() == "tobedeleted"


def detect_version(folder: Path) -> str:
    manifest = folder / "manifest.csv"
    if manifest.exists():
        for _, row in _rows(manifest):
            if row.get("propertyName") == "oneroster.version":
                version = row.get("value", "")
                if version.startswith("1.1") or version.startswith("1.2"):
                    return version[:3]
                raise RosterError(f"manifest.csv names OneRoster {version!r}; Skolebro reads 1.1 and 1.2.")
    return "1.2" if (folder / "roles.csv").exists() else "1.1"


def read_roster(folder: Path, progress: Progress | None = None) -> Roster:
    if not folder.is_dir():
        raise RosterError(f"{folder} is not a folder; give the folder holding the CSV files.")
    missing = [name for name in REQUIRED_FILES if not (folder / name).exists()]
    if missing:
        raise RosterError(
            f"{folder} lacks {', '.join(missing)}; export the OneRoster bulk "
            "files (orgs, academicSessions, classes, users, enrollments)."
        )
    roster = Roster(version=detect_version(folder))
    tick = progress or (lambda name, n: None)

    def count(name: str) -> None:
        roster.rows_read += 1
        if roster.rows_read % 5000 == 0:
            tick(name, roster.rows_read)

    path = folder / "orgs.csv"
    for line, row in _rows(path):
        count(path.name)
        _need(path, line, row, "sourcedId", "name", "type")
        if row["type"] == "school" and not _deleted(row):
            roster.schools[row["sourcedId"]] = row

    path = folder / "academicSessions.csv"
    for line, row in _rows(path):
        count(path.name)
        _need(path, line, row, "sourcedId", "type", "startDate", "endDate")
        roster.sessions[row["sourcedId"]] = {
            "type": row["type"],
            "title": row.get("title") or row["sourcedId"],
            "start": _date(path, line, row["startDate"], "startDate"),
            "end": _date(path, line, row["endDate"], "endDate"),
            "parent": row.get("parentSourcedId") or None,
        }

    path = folder / "classes.csv"
    for line, row in _rows(path):
        count(path.name)
        _need(path, line, row, "sourcedId", "title", "schoolSourcedId", "termSourcedIds")
        if _deleted(row):
            continue
        if row["schoolSourcedId"] not in roster.schools:
            raise RosterError(
                f"{path.name} line {line}: school {row['schoolSourcedId']!r} is not a school in orgs.csv."
            )
        year = _school_year_of(roster, row["termSourcedIds"])
        if year is None:
            raise RosterError(
                f"{path.name} line {line}: none of the terms "
                f"{row['termSourcedIds']!r} is (in) a schoolYear session of "
                "academicSessions.csv."
            )
        kind = row.get("classType", "scheduled").lower()
        grade = _grade(row.get("grades", ""))
        if kind == "homeroom" and grade is None:
            raise RosterError(
                f"{path.name} line {line}: homeroom class {row['title']!r} needs "
                "a grade between 01 and 13 in 'grades'."
            )
        subjects = row.get("subjects", "").split(",")[0].strip() or row["title"]
        roster.classes.append(
            {
                "source_id": row["sourcedId"],
                "name": row["title"],
                "kind": kind,
                "grade": grade,
                "school": row["schoolSourcedId"],
                "year": year,
                "subject": subjects,
            }
        )

    births: dict[str, date] = {}
    path = folder / "demographics.csv"
    if path.exists():
        for line, row in _rows(path):
            count(path.name)
            if row.get("birthDate"):
                births[row["sourcedId"]] = _date(path, line, row["birthDate"], "birthDate")

    user_roles: dict[str, set[str]] = {}
    user_orgs: dict[str, list[str]] = {}
    path = folder / "roles.csv"
    if roster.version == "1.2" and path.exists():
        for line, row in _rows(path):
            count(path.name)
            _need(path, line, row, "userSourcedId", "role", "orgSourcedId")
            if _deleted(row):
                continue
            user_roles.setdefault(row["userSourcedId"], set()).add(row["role"])
            user_orgs.setdefault(row["userSourcedId"], []).append(row["orgSourcedId"])

    path = folder / "users.csv"
    agents: list[tuple[int, str, str, str]] = []
    roles_by_user: dict[str, set[str]] = {}
    for line, row in _rows(path):
        count(path.name)
        _need(path, line, row, "sourcedId")
        sid = row["sourcedId"]
        if _deleted(row):
            roster.deleted_users.append(sid)
            continue
        roles = set(user_roles.get(sid, set()))
        if row.get("role"):
            roles.add(row["role"])
        orgs = user_orgs.get(sid) or [o.strip() for o in row.get("orgSourcedIds", "").split(",") if o.strip()]
        if row.get("primaryOrgSourcedId"):
            orgs.append(row["primaryOrgSourcedId"])
        if not roles:
            raise RosterError(
                f"{path.name} line {line}: user {sid!r} has no role "
                "(1.1: the 'role' column; 1.2: a row in roles.csv)."
            )
        unknown = roles - KNOWN_ROLES
        if unknown:
            raise RosterError(
                f"{path.name} line {line}: role {sorted(unknown)[0]!r} is not a "
                f"OneRoster role; use one of {', '.join(sorted(KNOWN_ROLES))}."
            )
        roles_by_user[sid] = roles
        name = (
            " ".join(p for p in (row.get("givenName"), row.get("middleName"), row.get("familyName")) if p)
            or row.get("username")
            or sid
        )
        roster.users.append(
            {
                "source_id": sid,
                "username": row.get("username") or None,
                "name": name,
                "birth_date": births.get(sid),
            }
        )
        for entry in row.get("userIds", "").split(","):
            entry = entry.strip().strip("{}")
            provider, _, subject = entry.partition(":")
            mapped = PROVIDERS.get(provider.strip().lower())
            if mapped and subject.strip():
                roster.identities.append((mapped, subject.strip(), sid))
        if roles & LEADER_ROLES:
            for org in orgs:
                if org in roster.schools:
                    roster.leaders.append((sid, org))
        access_overrides = _agent_access(path, line, row.get("metadata.agentAccess", ""))
        for agent in row.get("agentSourcedIds", "").split(","):
            if agent.strip():
                agents.append((line, sid, agent.strip(), access_overrides.get(agent.strip(), "")))

    relations: dict[tuple[str, str], str] = {}
    for _line, sid, agent, access in agents:
        mine, theirs = roles_by_user.get(sid, set()), roles_by_user.get(agent, set())
        if mine & GUARDIAN_ROLES and theirs & PUPIL_ROLES:
            guardian, pupil = sid, agent
        elif mine & PUPIL_ROLES and theirs & GUARDIAN_ROLES:
            guardian, pupil = agent, sid
        else:
            continue
        # Both sides usually list each other; an explicit access level wins.
        if access or (guardian, pupil) not in relations:
            relations[(guardian, pupil)] = access or "full"
    roster.relations = [(g, p, a) for (g, p), a in relations.items()]

    path = folder / "enrollments.csv"
    class_ids = {c["source_id"] for c in roster.classes}
    for line, row in _rows(path):
        count(path.name)
        _need(path, line, row, "sourcedId", "classSourcedId", "userSourcedId", "role")
        if _deleted(row):
            roster.deleted_enrollments.append(row["sourcedId"])
            continue
        if row["classSourcedId"] not in class_ids:
            raise RosterError(
                f"{path.name} line {line}: class {row['classSourcedId']!r} is not in classes.csv."
            )
        if row["userSourcedId"] not in roles_by_user:
            raise RosterError(f"{path.name} line {line}: user {row['userSourcedId']!r} is not in users.csv.")
        roster.enrollments.append(
            {
                "source_id": row["sourcedId"],
                "class": row["classSourcedId"],
                "user": row["userSourcedId"],
                "role": row["role"],
                "primary": row.get("primary", "").lower() == "true",
            }
        )
    tick("done", roster.rows_read)
    return roster


def _agent_access(path: Path, line: int, text: str) -> dict[str, str]:
    result: dict[str, str] = {}
    for pair in text.split(";"):
        if not pair.strip():
            continue
        pupil, _, access = pair.partition(":")
        if access.strip() not in ACCESS_LEVELS:
            raise RosterError(
                f"{path.name} line {line}: metadata.agentAccess {pair!r} must be "
                "pupilSourcedId:full, :read_only or :none."
            )
        result[pupil.strip()] = access.strip()
    return result


def _school_year_of(roster: Roster, term_ids: str) -> str | None:
    for term in (t.strip() for t in term_ids.split(",")):
        session = roster.sessions.get(term)
        hops = 0
        while session is not None and hops < 5:
            if session["type"] == "schoolYear":
                return term
            term = str(session["parent"]) if session["parent"] else ""
            session = roster.sessions.get(term)
            hops += 1
    return None
