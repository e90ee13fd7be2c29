"""The OneRoster data model: the vocabulary of the files, the rows the importer
writes (``Roster``), and the problems found on the way.

Guardian access levels are not part of OneRoster; an optional
``metadata.agentAccess`` column on a guardian's row (``pupilSourcedId:none``
pairs separated by ``;``) marks read-only or blocked relations.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
# The org type that owns schools (a municipality or county) and whose administrators
# are school owners: OneRoster districtAdministrator, or administrator at a district.
DISTRICT_TYPE = "district"
DISTRICT_ADMIN_ROLES = {"districtAdministrator", "administrator"}

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
    # Contact points, normalised (backend.roster.contact_points); None when the roster has none usable.
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
    # School owners (api.md: School owner statistics): district orgs by sourcedId -> name,
    # each school's district, and (user, district) for every district administrator.
    districts: dict[str, str] = field(default_factory=dict)
    school_districts: dict[str, str] = field(default_factory=dict)
    district_admins: list[tuple[str, str]] = field(default_factory=list)
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

    # Keyed hash of a national identity number (backend.signin.identity); the number is never kept.
    hash_national_id: Callable[[str], str] | None = field(default_factory=lambda: _dev_hash)
    # The column holding guardians' national identity numbers: "identifier" or "metadata.x".
    national_id_column: str | None = None


def _dev_hash(number: str) -> str:
    from backend.signin.identity import DEV_PEPPER, national_id_hash

    return national_id_hash(number, DEV_PEPPER)
