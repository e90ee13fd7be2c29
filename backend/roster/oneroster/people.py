"""The people of a roster: birth dates, roles, users with their contact points
and sign-in identities, school leaders, and guardian relations."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from sys import intern

from backend.roster.contact_points import normalize_email, roster_mobile
from backend.roster.oneroster.build_state import BuildState
from backend.roster.oneroster.model import (
    DISTRICT_ADMIN_ROLES,
    GUARDIAN_ROLES,
    KNOWN_ROLES,
    LEADER_ROLES,
    PROVIDERS,
    PUPIL_ROLES,
    TEACHER_ROLES,
    Problem,
    Roster,
    User,
)
from backend.roster.oneroster.row_rules import agent_access, grade_of, ids, is_deleted, need, parse_date

# (user sourcedId, agent sourcedId, access level or "", the user's role)
Agent = tuple[str, str, str, str]


def read_births(b: BuildState) -> None:
    for where, row in b.rows("demographics"):
        if row.get("sourcedId") and row.get("birthDate") and not is_deleted(row):
            born = parse_date(where, row["birthDate"], "birthDate", b.errors)
            if born is not None:
                b.births[row["sourcedId"]] = born


def read_roles(b: BuildState) -> tuple[dict[str, frozenset[str]], dict[str, tuple[str, ...]]]:
    """OneRoster 1.2 ``roles.csv``: each user's roles and the orgs they hold them in."""
    errors = b.errors
    user_roles: dict[str, frozenset[str]] = {}
    user_orgs: dict[str, tuple[str, ...]] = {}
    for where, row in b.rows("roles"):
        if not need(where, row, errors, "userSourcedId", "role", "orgSourcedId"):
            continue
        if is_deleted(row):
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
        user_roles[uid] = b.share(user_roles.get(uid, frozenset()) | {row["role"]})  # type: ignore[assignment]
        user_orgs[uid] = b.share((*user_orgs.get(uid, ()), row["orgSourcedId"]))  # type: ignore[assignment]
    return user_roles, user_orgs


def read_users(
    b: BuildState, user_roles: dict[str, frozenset[str]], user_orgs: dict[str, tuple[str, ...]]
) -> list[Agent]:
    """Active users into ``roster.users``; returns the agents they name, for ``link_guardians``."""
    roster, errors = b.roster, b.errors
    agents: list[Agent] = []
    for where, row in b.rows("users"):
        if not need(where, row, errors, "sourcedId"):
            continue
        sid = row["sourcedId"]
        if is_deleted(row):
            roster.deleted_users.append(sid)
            continue
        roles = _roles_of_user(b, where, row, user_roles.get(sid, frozenset()))
        if roles is None:
            continue
        orgs_of = list(user_orgs.get(sid) or ids(row.get("orgSourcedIds", "")))
        if row.get("primaryOrgSourcedId"):
            orgs_of.append(row["primaryOrgSourcedId"])
        b.roles_by_user[intern(sid)] = b.share(roles)  # type: ignore[assignment]
        role = _role_of(roles)
        if role == "pupil" and (g := grade_of(row.get("grades", ""))) is not None:
            b.pupil_grades[sid] = g
        schools_of = [s for s in (b.school_of(o) for o in orgs_of) if s]
        sid = intern(sid)
        _add_user(b, where, row, sid, role, schools_of[0] if schools_of else None)
        _add_identities(b, row, sid, role)
        if roles & LEADER_ROLES:
            for school in schools_of:
                roster.leaders.append((sid, school))
        if roles & DISTRICT_ADMIN_ROLES:
            for district in _districts_of(roster, roles, orgs_of):
                roster.district_admins.append((sid, district))
        overrides = agent_access(where, row.get("metadata.agentAccess", ""), errors)
        for agent in ids(row.get("agentSourcedIds", "")):
            agents.append((sid, intern(agent), overrides.get(agent, ""), role))
    return agents


def _districts_of(roster: Roster, roles: AbstractSet[str], orgs: list[str]) -> list[str]:
    """The districts a user administers: an administrator at a district org, or a
    districtAdministrator of that district (or of the district of a school they list)."""
    found = [o for o in orgs if o in roster.districts]
    if "districtAdministrator" in roles:
        found += [roster.school_districts[o] for o in orgs if o in roster.school_districts]
    return list(dict.fromkeys(found))


def _roles_of_user(
    b: BuildState, where: str, row: dict[str, str], from_roles: frozenset[str]
) -> frozenset[str] | None:
    """The user's roles (1.1: its ``role`` column; 1.2: roles.csv); None when it is skipped."""
    roles = from_roles
    if row.get("role"):
        roles = roles | {row["role"]}
    unknown = roles - KNOWN_ROLES
    if unknown:
        b.errors.append(
            Problem(
                where,
                f"role {sorted(unknown)[0]!r} is not a OneRoster role",
                f"use one of {', '.join(sorted(KNOWN_ROLES))}",
            )
        )
        return None
    if not roles:
        b.roster.warn(
            "users",
            Problem(
                where,
                f"user {row['sourcedId']!r} has no role",
                "skipped; 1.1: fill 'role'; 1.2: add a row in roles.csv",
            ),
        )
        return None
    return roles


def _add_user(
    b: BuildState, where: str, row: dict[str, str], sid: str, role: str, school: str | None
) -> None:
    """The user with its name and contact points; unusable contact values are warned about, not kept."""
    roster = b.roster
    given = row.get("preferredFirstName") or row.get("givenName")
    name = (
        " ".join(p for p in (given, row.get("middleName"), row.get("familyName")) if p)
        or row.get("username")
        or sid
    )
    mobile, mobile_problem = roster_mobile(row.get("sms"), row.get("phone"))
    if mobile_problem:
        roster.warn_contact(
            Problem(where, mobile_problem, "imported without a mobile number; fix it in the school system")
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
            birth_date=b.births.get(sid),
            role=role,
            enabled=row.get("enabledUser", "true").lower() not in ("false", "0", "no"),
            school=school,
            mobile=mobile,
            email=email,
        )
    )


def _add_identities(b: BuildState, row: dict[str, str], sid: str, role: str) -> None:
    """Sign-in identities from ``userIds`` and, for guardians, the national-id column (hashed)."""
    options, identities = b.options, b.roster.identities
    for entry in ids(row.get("userIds", "")):
        provider, _, given_id = entry.strip("{}").partition(":")
        mapped = PROVIDERS.get(provider.strip().lower())
        given_id = given_id.strip()
        if not mapped or not given_id:
            continue
        if mapped == "idporten":
            if options.hash_national_id is None:
                continue
            given_id = options.hash_national_id(given_id)
        identities.append((mapped, given_id, sid))
    if role == "guardian" and options.national_id_column and options.hash_national_id:
        number = row.get(options.national_id_column, "").replace(" ", "")
        if number.isdigit() and len(number) == 11:
            identities.append(("idporten", options.hash_national_id(number), sid))


def link_guardians(b: BuildState, agents: list[Agent]) -> None:
    """Guardian relations from both sides' ``agentSourcedIds``; an explicit access level wins."""
    roster = b.roster
    relations: dict[tuple[str, str], str] = {}
    for sid, agent, access, role in agents:
        where = f"users {sid}"
        theirs = b.roles_by_user.get(agent)
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
