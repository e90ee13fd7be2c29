"""Reading OneRoster 1.1 and 1.2 data into plain rows.

The same rules apply whether the rows come from CSV files (a folder or a
``.zip``, bulk or delta per ``manifest.csv``) or from the REST binding
(``backend.roster.rest`` flattens its JSON into the CSV columns): so one
export gives one database, however it was delivered.

Real exports are untidy. What is sound is taken; a row that points at a
deleted or unknown class or user is skipped and counted as a warning; a row
the importer cannot understand at all is an error, and every error of a run
is reported together (up to ``MAX_PROBLEMS``) with its file, line and fix.

Guardian access levels are not part of OneRoster; an optional
``metadata.agentAccess`` column on a guardian's row (``pupilSourcedId:none``
pairs separated by ``;``) marks read-only or blocked relations.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from sys import intern
from typing import IO, Any

from backend.roster.contact_points import normalize_email, roster_mobile

PUPIL_ROLES = {"student"}
GUARDIAN_ROLES = {"parent", "guardian", "relative"}
TEACHER_ROLES = {"teacher", "aide"}
LEADER_ROLES = {"administrator", "principal", "districtAdministrator", "siteAdministrator"}
KNOWN_ROLES = PUPIL_ROLES | GUARDIAN_ROLES | TEACHER_ROLES | LEADER_ROLES | {"proctor"}
ACCESS_LEVELS = {"full", "read_only", "none"}
PROVIDERS = {"feide": "feide", "idporten": "idporten", "id-porten": "idporten"}
SCHOOL_TYPES = {"school"}
# Orgs above (or beside) a school: kept as its owner, never an error.
PARENT_TYPES = {"district", "department", "national", "state", "local"}

KINDS = ("orgs", "academicSessions", "classes", "courses", "users", "roles", "enrollments", "demographics")
BULK_REQUIRED = ("orgs", "academicSessions", "classes", "users", "enrollments")
MAX_PROBLEMS = 200

# The columns the importer reads, per file; any other column is listed once in
# the summary so nothing is dropped without the operator knowing.
USED_COLUMNS: dict[str, set[str]] = {
    "orgs": {"sourcedId", "status", "dateLastModified", "name", "type", "parentSourcedId"},
    "academicSessions": {
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    },
    "classes": {
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "classType",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
    },
    "courses": {"sourcedId", "status", "dateLastModified", "title"},
    "users": {
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "orgSourcedIds",
        "role",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "preferredFirstName",
        "agentSourcedIds",
        "grades",
        "primaryOrgSourcedId",
        "metadata.agentAccess",
        "sms",
        "phone",
        "email",
    },
    "roles": {"sourcedId", "status", "dateLastModified", "userSourcedId", "role", "orgSourcedId", "roleType"},
    "enrollments": {
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
    },
    "demographics": {"sourcedId", "status", "dateLastModified", "birthDate"},
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input: where, what, and how to fix it."""

    where: str
    message: str
    fix: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message} — {self.fix}"


class RosterError(Exception):
    """The input cannot be imported; every problem found is listed, nothing was changed."""

    def __init__(self, message: str | Problem, problems: list[Problem] | None = None) -> None:
        self.problems = problems or ([message] if isinstance(message, Problem) else [])
        self.total = len(self.problems)
        super().__init__(str(message))

    @classmethod
    def of(cls, problems: list[Problem], total: int) -> RosterError:
        err = cls(f"{total} problem(s) found", problems)
        err.total = total
        return err

    def lines(self) -> list[str]:
        out = [str(p) for p in self.problems] or [str(self)]
        if self.total > len(self.problems):
            out.append(f"… and {self.total - len(self.problems)} more problems of the same kinds")
        return out


@dataclass(slots=True)
class User:
    source_id: str
    username: str | None
    name: str
    birth_date: date | None
    role: str
    enabled: bool
    school: str | None
    # Contact points, normalised (backend.contact_points); None when the roster has none usable.
    mobile: str | None = None
    email: str | None = None


@dataclass
class Roster:
    version: str
    modes: dict[str, str] = field(default_factory=dict)
    schools: dict[str, dict[str, str]] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)  # school sourcedId -> owner org name
    years: dict[str, dict[str, Any]] = field(default_factory=dict)  # year key -> title/start/end
    classes: list[dict[str, object]] = field(default_factory=list)
    users: list[User] = field(default_factory=list)
    # (class sourcedId, user sourcedId, role, primary): tuples, not dicts, for an Oslo-size export.
    enrollments: list[tuple[str, str, str, bool]] = field(default_factory=list)
    relations: list[tuple[str, str, str]] = field(default_factory=list)
    identities: list[tuple[str, str, str]] = field(default_factory=list)
    leaders: list[tuple[str, str]] = field(default_factory=list)
    deleted_users: list[str] = field(default_factory=list)
    deleted_classes: list[str] = field(default_factory=list)
    deleted_enrollments: list[tuple[str, str, str]] = field(default_factory=list)
    deleted_relations: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unused_columns: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    rows_read: int = 0
    # Unusable sms/phone/email values: the user is imported without them, so not "skipped".
    contact_warnings: list[Problem] = field(default_factory=list)
    contact_warning_count: int = 0

    def warn_contact(self, problem: Problem) -> None:
        self.contact_warning_count += 1
        if len(self.contact_warnings) < MAX_PROBLEMS:
            self.contact_warnings.append(problem)

    def warn(self, kind: str, problem: Problem) -> None:
        self.skipped[kind] += 1
        self.warning_count += 1
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(problem)

    def is_bulk(self, kind: str) -> bool:
        return self.modes.get(kind) == "bulk"


Progress = Callable[[str, int], None]
Rows = Iterable[tuple[str, dict[str, str]]]


@dataclass
class ReadOptions:
    """How this operator's exports carry what OneRoster has no field for."""

    # Keyed hash of a national identity number (backend.auth.identity); the number is never kept.
    hash_national_id: Callable[[str], str] | None = field(default_factory=lambda: _dev_hash)
    # The column holding guardians' national identity numbers: "identifier" or "metadata.x".
    national_id_column: str | None = None


def _dev_hash(number: str) -> str:
    from backend.signin.identity import DEV_PEPPER, national_id_hash

    return national_id_hash(number, DEV_PEPPER)


# --- sources -----------------------------------------------------------------


class Source:
    """A folder or a zip of OneRoster CSV files, looked up by file name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}
        if path.is_dir():
            self._names = {p.name.lower(): str(p) for p in path.iterdir() if p.is_file()}
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            # Exports are often zipped with a folder inside: take files by their own name.
            for info in self._zip.infolist():
                if not info.is_dir():
                    self._names.setdefault(Path(info.filename).name.lower(), info.filename)
        elif path.exists():
            raise RosterError(
                Problem(
                    str(path), "is neither a folder nor a .zip", "give the export folder or its .zip file"
                )
            )
        else:
            raise RosterError(
                Problem(str(path), "is not a folder", "give the folder (or .zip) holding the CSV files")
            )

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def open(self, name: str) -> IO[bytes]:
        member = self._names[name.lower()]
        if self._zip is not None:
            return self._zip.open(member)
        return open(member, "rb")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def csv_rows(
    source: Source, name: str, errors: list[Problem], roster: Roster
) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows of one CSV file as (where, row); header and encoding problems go to ``errors``."""
    raw = source.open(name)
    try:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            header = text.readline()
        except UnicodeDecodeError:
            errors.append(
                Problem(
                    name, "is not UTF-8 text", "save it as 'CSV UTF-8' (Excel) or UTF-8 CSV (LibreOffice)"
                )
            )
            return
        if not header.strip():
            errors.append(Problem(name, "is empty", "export it again with its header line"))
            return
        delimiter = ","
        if header.count(";") > header.count(","):
            # What Norwegian spreadsheet programs write; read it, but say so.
            delimiter = ";"
            roster.notes.append(
                f"{name} is separated by semicolons; it was read as such. OneRoster files are "
                "comma-separated: export 'CSV UTF-8 (comma-separated)' to avoid surprises."
            )
        reader = csv.reader(io.StringIO(header), delimiter=delimiter)
        columns = [c.strip() for c in next(reader)]
        kind = name[:-4]
        unused = [c for c in columns if c and c not in USED_COLUMNS.get(kind, set())]
        if unused:
            roster.unused_columns[name] = unused
        body = csv.reader(text, delimiter=delimiter)
        line = 1
        try:
            strip = str.strip
            for values in body:
                line += 1
                # Done in C (map, zip, join): a million rows go through here.
                if not "".join(values).strip():
                    continue
                row = dict(zip(columns, map(strip, values), strict=False))
                row.pop("", None)
                yield f"{name} line {line}", row
        except UnicodeDecodeError:
            errors.append(
                Problem(
                    f"{name} line {line + 1}",
                    "is not UTF-8 text",
                    "save the file as 'CSV UTF-8' (Excel) or UTF-8 CSV (LibreOffice)",
                )
            )
        except csv.Error as exc:
            errors.append(Problem(f"{name} line {line + 1}", f"is not valid CSV ({exc})", "check its quotes"))
    finally:
        raw.close()


def read_manifest(source: Source) -> tuple[str, dict[str, str], list[Problem]]:
    """The OneRoster version and each file's mode (bulk, delta or absent)."""
    problems: list[Problem] = []
    modes: dict[str, str] = {}
    version = ""
    if source.has("manifest.csv"):
        scratch = Roster(version="")
        for where, row in csv_rows(source, "manifest.csv", problems, scratch):
            prop, value = row.get("propertyName", ""), row.get("value", "").strip().lower()
            if prop == "oneroster.version":
                version = row.get("value", "").strip()
            elif prop.startswith("file."):
                kind = prop[len("file.") :]
                if value not in ("bulk", "delta", "absent"):
                    problems.append(Problem(where, f"{prop} is {value!r}", "write bulk, delta or absent"))
                elif kind in KINDS:
                    modes[kind] = value
                    modes[prop] = value  # remembers that the manifest said it
        if version and not (version.startswith("1.1") or version.startswith("1.2")):
            raise RosterError(
                Problem("manifest.csv", f"names OneRoster {version!r}", "export OneRoster 1.1 or 1.2")
            )
    version = version[:3] if version else ("1.2" if source.has("roles.csv") else "1.1")
    for kind in KINDS:
        if kind not in modes:
            modes[kind] = "bulk" if source.has(f"{kind}.csv") else "absent"
        elif modes[kind] != "absent" and not source.has(f"{kind}.csv"):
            problems.append(
                Problem(
                    "manifest.csv", f"names {kind}.csv as {modes[kind]} but the file is missing", "add it"
                )
            )
    return version, modes, problems


def detect_version(folder: Path) -> str:
    source = Source(folder)
    try:
        return read_manifest(source)[0]
    finally:
        source.close()


def read_roster(path: Path, progress: Progress | None = None, options: ReadOptions | None = None) -> Roster:
    """Read a folder or .zip of OneRoster CSV files."""
    source = Source(path)
    try:
        version, modes, problems = read_manifest(source)
        if not any(m != "absent" for k, m in modes.items()):
            raise RosterError(
                Problem(
                    str(path),
                    "holds no OneRoster files",
                    "export orgs, academicSessions, classes, users, enrollments",
                )
            )
        declared = any(k.startswith("file.") for k in modes)
        if not declared:
            missing = [f"{k}.csv" for k in BULK_REQUIRED if modes[k] == "absent"]
            if missing:
                raise RosterError(
                    Problem(
                        str(path),
                        f"lacks {', '.join(missing)}",
                        "export the OneRoster bulk files (orgs, academicSessions, classes, users, "
                        "enrollments), or add a manifest.csv that names the delta files",
                    )
                )
        roster = Roster(version=version, modes=modes)
        tables: dict[str, Rows] = {
            kind: csv_rows(source, f"{kind}.csv", problems, roster)
            for kind in KINDS
            if modes[kind] != "absent"
        }
        build_roster(roster, tables, problems, progress, options or ReadOptions())
        return roster
    finally:
        source.close()


# --- the rules -----------------------------------------------------------------


def _need(where: str, row: dict[str, str], errors: list[Problem], *names: str) -> bool:
    missing = [n for n in names if not row.get(n)]
    if missing:
        errors.append(
            Problem(
                where, f"the column {missing[0]!r} is empty or missing", f"every row needs {', '.join(names)}"
            )
        )
        return False
    return True


def _date(where: str, text: str, column: str, errors: list[Problem]) -> date | None:
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


def _deleted(row: dict[str, str]) -> bool:
    status = row.get("status")
    return bool(status) and status.lower() == "tobedeleted"  # type: ignore[union-attr]


def _ids(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def school_year_key(end_year: int) -> str:
    return f"schoolYear:{end_year}"


def year_of_dates(start: date) -> int:
    """The calendar year a Norwegian school year (August–June) that contains ``start`` ends in."""
    return start.year + 1 if start.month >= 8 else start.year


def build_roster(
    roster: Roster,
    tables: dict[str, Rows],
    errors: list[Problem],
    progress: Progress | None,
    options: ReadOptions,
) -> None:
    tick = progress or (lambda name, n: None)

    def rows(kind: str) -> Iterator[tuple[str, dict[str, str]]]:
        for item in tables.get(kind, ()):
            roster.rows_read += 1
            if roster.rows_read % 20000 == 0:
                tick(kind, roster.rows_read)
            yield item

    orgs: dict[str, dict[str, str]] = {}
    for where, row in rows("orgs"):
        if not _need(where, row, errors, "sourcedId"):
            continue
        if _deleted(row):
            continue
        if not _need(where, row, errors, "sourcedId", "name", "type"):
            continue
        orgs[row["sourcedId"]] = row
    for sid, row in orgs.items():
        kind = row["type"]
        if kind in SCHOOL_TYPES:
            roster.schools[sid] = row
            parent = orgs.get(row.get("parentSourcedId", ""))
            if parent is not None:
                roster.owners[sid] = parent["name"]
        elif kind not in PARENT_TYPES:
            roster.notes.append(f"orgs: {row['name']!r} has type {kind!r}; only schools get pupils.")

    def school_of(org: str) -> str | None:
        """A class's or user's org, or the school a department belongs to."""
        hops = 0
        while org and hops < 5:
            if org in roster.schools:
                return org
            org = orgs.get(org, {}).get("parentSourcedId", "")
            hops += 1
        return None

    # Sessions: the school year of every term, from a schoolYear session above
    # it, or its schoolYear column, or its dates.
    sessions: dict[str, dict[str, Any]] = {}
    for where, row in rows("academicSessions"):
        if not _need(where, row, errors, "sourcedId", "type", "startDate", "endDate"):
            continue
        start = _date(where, row["startDate"], "startDate", errors)
        end = _date(where, row["endDate"], "endDate", errors)
        if start is None or end is None:
            continue
        if _deleted(row):
            continue
        year_col = row.get("schoolYear", "")
        sessions[row["sourcedId"]] = {
            "type": row["type"],
            "title": row.get("title") or row["sourcedId"],
            "start": start,
            "end": end,
            "parent": row.get("parentSourcedId") or "",
            "school_year": int(year_col) if year_col.isdigit() and len(year_col) == 4 else None,
        }
    term_year: dict[str, str] = {}
    for sid in sessions:
        key = _year_key(sessions, sid)
        term_year[sid] = key
        s = sessions[sid]
        year = roster.years.get(key)
        if key in sessions:  # a schoolYear session: its own title and dates
            own = sessions[key]
            roster.years[key] = {"title": own["title"], "start": own["start"], "end": own["end"]}
        elif year is None:
            end_year = int(key.split(":")[1])
            roster.years[key] = {"title": f"{end_year - 1}–{end_year}", "start": s["start"], "end": s["end"]}
        else:
            year["start"] = min(year["start"], s["start"])
            year["end"] = max(year["end"], s["end"])

    class_kinds: dict[str, str] = {}
    for where, row in rows("classes"):
        if not _need(where, row, errors, "sourcedId"):
            continue
        if _deleted(row):
            roster.deleted_classes.append(row["sourcedId"])
            continue
        if not _need(where, row, errors, "sourcedId", "title", "schoolSourcedId"):
            continue
        school = school_of(row["schoolSourcedId"])
        if school is None and (roster.is_bulk("orgs") or row["schoolSourcedId"] in orgs):
            roster.warn(
                "classes",
                Problem(
                    where,
                    f"class {row['title']!r} belongs to {row['schoolSourcedId']!r}, "
                    "which is not a school in orgs",
                    "skipped; give it its school's sourcedId",
                ),
            )
            continue
        terms = _ids(row.get("termSourcedIds", ""))
        year_key = next((term_year[t] for t in terms if t in term_year), None)
        if year_key is None and roster.is_bulk("academicSessions"):
            roster.warn(
                "classes",
                Problem(
                    where,
                    f"none of the terms {row.get('termSourcedIds', '')!r} of class {row['title']!r} "
                    "is in academicSessions",
                    "skipped; name the class's term or school year",
                ),
            )
            continue
        kind = "homeroom" if row.get("classType", "scheduled").lower() == "homeroom" else "scheduled"
        class_kinds[row["sourcedId"]] = kind
        subject = _ids(row.get("subjects", ""))
        roster.classes.append(
            {
                "source_id": row["sourcedId"],
                "name": row["title"],
                "kind": kind,
                "grade": grade_of(row.get("grades", "")),
                "school": school or row["schoolSourcedId"],
                "year": year_key,
                "subject": subject[0] if subject else row["title"],
            }
        )

    births: dict[str, date] = {}
    for where, row in rows("demographics"):
        if row.get("sourcedId") and row.get("birthDate") and not _deleted(row):
            born = _date(where, row["birthDate"], "birthDate", errors)
            if born is not None:
                births[row["sourcedId"]] = born

    # Shared frozensets and tuples: a quarter of a million users have a handful of distinct ones.
    shared: dict[object, object] = {}

    def share(value: frozenset[str] | tuple[str, ...]) -> frozenset[str] | tuple[str, ...]:
        return shared.setdefault(value, value)  # type: ignore[return-value]

    user_roles: dict[str, frozenset[str]] = {}
    user_orgs: dict[str, tuple[str, ...]] = {}
    for where, row in rows("roles"):
        if not _need(where, row, errors, "userSourcedId", "role", "orgSourcedId"):
            continue
        if _deleted(row):
            continue
        if row["role"] not in KNOWN_ROLES:
            errors.append(
                Problem(
                    where,
                    f"role {row['role']!r} is not a OneRoster role",
                    f"use one of {', '.join(sorted(KNOWN_ROLES))}",
                )
            )
            continue
        uid = intern(row["userSourcedId"])
        user_roles[uid] = share(user_roles.get(uid, frozenset()) | {row["role"]})  # type: ignore[assignment]
        user_orgs[uid] = share((*user_orgs.get(uid, ()), row["orgSourcedId"]))  # type: ignore[assignment]

    agents: list[tuple[str, str, str, str]] = []
    roles_by_user: dict[str, frozenset[str]] = {}
    pupil_grades: dict[str, int] = {}
    for where, row in rows("users"):
        if not _need(where, row, errors, "sourcedId"):
            continue
        sid = row["sourcedId"]
        if _deleted(row):
            roster.deleted_users.append(sid)
            continue
        roles = user_roles.get(sid, frozenset())
        if row.get("role"):
            roles = roles | {row["role"]}
        unknown = roles - KNOWN_ROLES
        if unknown:
            errors.append(
                Problem(
                    where,
                    f"role {sorted(unknown)[0]!r} is not a OneRoster role",
                    f"use one of {', '.join(sorted(KNOWN_ROLES))}",
                )
            )
            continue
        if not roles:
            roster.warn(
                "users",
                Problem(
                    where,
                    f"user {sid!r} has no role",
                    "skipped; 1.1: fill 'role'; 1.2: add a row in roles.csv",
                ),
            )
            continue
        orgs_of = list(user_orgs.get(sid) or _ids(row.get("orgSourcedIds", "")))
        if row.get("primaryOrgSourcedId"):
            orgs_of.append(row["primaryOrgSourcedId"])
        roles_by_user[intern(sid)] = share(roles)  # type: ignore[assignment]
        given = row.get("preferredFirstName") or row.get("givenName")
        name = (
            " ".join(p for p in (given, row.get("middleName"), row.get("familyName")) if p)
            or row.get("username")
            or sid
        )
        role = _role_of(roles)
        if role == "pupil" and (g := grade_of(row.get("grades", ""))) is not None:
            pupil_grades[sid] = g
        schools_of = [s for s in (school_of(o) for o in orgs_of) if s]
        sid = intern(sid)
        mobile, mobile_problem = roster_mobile(row.get("sms"), row.get("phone"))
        if mobile_problem:
            roster.warn_contact(
                Problem(
                    where, mobile_problem, "imported without a mobile number; fix it in the school system"
                )
            )
        email = normalize_email(row.get("email"))
        if email is None and row.get("email"):
            roster.warn_contact(
                Problem(
                    where,
                    f"email {row['email']!r} is not an e-mail address",
                    "imported without an e-mail address; fix it in the school system",
                )
            )
        roster.users.append(
            User(
                source_id=sid,
                username=row.get("username") or None,
                name=name,
                birth_date=births.get(sid),
                role=role,
                enabled=row.get("enabledUser", "true").lower() not in ("false", "0", "no"),
                school=schools_of[0] if schools_of else None,
                mobile=mobile,
                email=email,
            )
        )
        for entry in _ids(row.get("userIds", "")):
            provider, _, given_id = entry.strip("{}").partition(":")
            mapped = PROVIDERS.get(provider.strip().lower())
            given_id = given_id.strip()
            if not mapped or not given_id:
                continue
            if mapped == "idporten":
                if options.hash_national_id is None:
                    continue
                given_id = options.hash_national_id(given_id)
            roster.identities.append((mapped, given_id, sid))
        if role == "guardian" and options.national_id_column and options.hash_national_id:
            number = row.get(options.national_id_column, "").replace(" ", "")
            if number.isdigit() and len(number) == 11:
                roster.identities.append(("idporten", options.hash_national_id(number), sid))
        if roles & LEADER_ROLES:
            for school in schools_of:
                roster.leaders.append((sid, school))
        overrides = _agent_access(where, row.get("metadata.agentAccess", ""), errors)
        for agent in _ids(row.get("agentSourcedIds", "")):
            agents.append((sid, intern(agent), overrides.get(agent, ""), role))

    relations: dict[tuple[str, str], str] = {}
    for sid, agent, access, role in agents:
        where = f"users {sid}"
        theirs = roles_by_user.get(agent)
        if agent in roster.deleted_users or (theirs is None and roster.is_bulk("users")):
            roster.warn(
                "guardian relations",
                Problem(where, f"agent {agent!r} of {sid!r} is not an active user", "skipped"),
            )
            continue
        if role == "guardian" and (theirs is None or theirs & PUPIL_ROLES):
            guardian, pupil = sid, agent
        elif role == "pupil" and (theirs is None or theirs & GUARDIAN_ROLES):
            guardian, pupil = agent, sid
        else:
            continue
        # Both sides usually list each other; an explicit access level wins.
        if access or (guardian, pupil) not in relations:
            relations[(guardian, pupil)] = access or "full"
    roster.relations = [(g, p, a) for (g, p), a in relations.items()]

    class_ids = {str(c["source_id"]) for c in roster.classes}
    deleted_classes = set(roster.deleted_classes)
    deleted_users = set(roster.deleted_users)
    class_pupil_grades: dict[str, Counter[int]] = {}
    for where, row in rows("enrollments"):
        if _deleted(row):
            if row.get("classSourcedId") and row.get("userSourcedId"):
                roster.deleted_enrollments.append(
                    (row["classSourcedId"], row["userSourcedId"], row.get("role") or "student")
                )
            continue
        cls, user = row.get("classSourcedId"), row.get("userSourcedId")
        if not (cls and user and row.get("sourcedId") and row.get("role")):
            _need(where, row, errors, "sourcedId", "classSourcedId", "userSourcedId", "role")
            continue
        if cls in deleted_classes or (cls not in class_ids and roster.is_bulk("classes")):
            roster.warn(
                "enrollments",
                Problem(where, f"class {cls!r} is deleted or not in classes", "skipped"),
            )
            continue
        if user in deleted_users or (user not in roles_by_user and roster.is_bulk("users")):
            roster.warn(
                "enrollments",
                Problem(where, f"user {user!r} is deleted or not an active user", "skipped"),
            )
            continue
        role = (
            "student"
            if row["role"] == "student"
            else ("teacher" if row["role"] in TEACHER_ROLES else row["role"])
        )
        if role == "student" and user in pupil_grades:
            class_pupil_grades.setdefault(cls, Counter())[pupil_grades[user]] += 1
        roster.enrollments.append((intern(cls), intern(user), role, row.get("primary", "").lower() == "true"))

    _fill_grades(roster, class_kinds, class_pupil_grades)
    tick("done", roster.rows_read)
    if errors:
        raise RosterError.of(errors[:MAX_PROBLEMS], len(errors))


def _role_of(roles: AbstractSet[str]) -> str:
    if roles & PUPIL_ROLES:
        return "pupil"
    if roles & LEADER_ROLES:
        return "leader"
    if roles & TEACHER_ROLES:
        return "teacher"
    if roles & GUARDIAN_ROLES:
        return "guardian"
    return "other"


def _fill_grades(roster: Roster, kinds: dict[str, str], pupil_grades: dict[str, Counter[int]]) -> None:
    """A homeroom without a grade takes its pupils' level, else its school's most common one,
    else a county school's (``fylke``) VG level or the number its title starts with.

    Only the seek policy's band (and the upper-secondary rules) depend on it;
    the summary says how many classes got one this way.
    """
    by_school: dict[str, Counter[int]] = {}
    for c in roster.classes:
        if c["kind"] == "homeroom" and c["grade"] is not None:
            by_school.setdefault(str(c["school"]), Counter())[int(str(c["grade"]))] += 1
    guessed = 0
    kept: list[dict[str, object]] = []
    for c in roster.classes:
        if c["kind"] != "homeroom" or c["grade"] is not None:
            kept.append(c)
            continue
        counted = pupil_grades.get(str(c["source_id"])) or by_school.get(str(c["school"]))
        title = str(c["name"])
        lead = int(title[:2]) if title[:2].isdigit() else int(title[:1]) if title[:1].isdigit() else 0
        county = "fylke" in roster.owners.get(str(c["school"]), "").lower()
        if counted:
            c["grade"] = counted.most_common(1)[0][0]
        elif county:
            c["grade"] = 10 + lead if 1 <= lead <= 3 else 11
        elif 1 <= lead <= 13:
            c["grade"] = lead
        else:
            roster.warn(
                "classes",
                Problem(
                    f"classes {c['source_id']}",
                    f"homeroom class {title!r} has no grade and nothing to take one from",
                    "skipped; fill 'grades' (01–13 or VG1–VG3)",
                ),
            )
            continue
        guessed += 1
        kept.append(c)
    roster.classes = kept
    if guessed:
        roster.notes.append(
            f"{guessed} homeroom class(es) had no grade; each took its pupils' level, its school's most "
            "common one, or the number its name starts with (VG level at a county school)."
        )


def _year_key(sessions: dict[str, dict[str, Any]], sid: str) -> str:
    term, hops = sid, 0
    while term in sessions and hops < 6:
        if sessions[term]["type"] == "schoolYear":
            return term
        term = str(sessions[term]["parent"])
        hops += 1
    own = sessions[sid]
    if own["school_year"] is not None:
        return school_year_key(int(own["school_year"]))
    return school_year_key(year_of_dates(own["start"]))


def _agent_access(where: str, text: str, errors: list[Problem]) -> dict[str, str]:
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
