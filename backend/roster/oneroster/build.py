"""Building the roster from OneRoster rows, whichever reader gave them.

Real exports are untidy. What is sound is taken; a row that points at a
deleted or unknown class or user is skipped and counted as a warning; a row
the importer cannot understand at all is an error, and every error of a run
is reported together (up to ``MAX_PROBLEMS``) with its file, line and fix.

The steps run in the order the tables depend on each other: orgs, sessions,
classes, then people (``people.py``), then enrollments.
"""

from __future__ import annotations

from collections import Counter
from sys import intern
from typing import Any

from backend.roster.oneroster.build_state import BuildState
from backend.roster.oneroster.model import (
    DISTRICT_TYPE,
    MAX_PROBLEMS,
    PARENT_TYPES,
    SCHOOL_TYPES,
    TEACHER_ROLES,
    Problem,
    Progress,
    ReadOptions,
    Roster,
    RosterError,
    Rows,
)
from backend.roster.oneroster.people import link_guardians, read_births, read_roles, read_users
from backend.roster.oneroster.row_rules import (
    grade_of,
    ids,
    is_deleted,
    need,
    parse_date,
    school_year_key,
    year_of_dates,
)


def build_roster(
    roster: Roster,
    tables: dict[str, Rows],
    errors: list[Problem],
    progress: Progress | None,
    options: ReadOptions,
) -> None:
    """Fill ``roster`` from ``tables``; raise ``RosterError`` listing every error found."""
    b = BuildState(roster, tables, errors, progress or (lambda name, n: None), options)
    _read_orgs(b)
    _read_sessions(b)
    _read_classes(b)
    read_births(b)
    user_roles, user_orgs = read_roles(b)
    agents = read_users(b, user_roles, user_orgs)
    link_guardians(b, agents)
    class_pupil_grades = _read_enrollments(b)
    _fill_grades(roster, b.class_kinds, class_pupil_grades)
    b.tick("done", roster.rows_read)
    if errors:
        raise RosterError.of(errors[:MAX_PROBLEMS], len(errors))


def _read_orgs(b: BuildState) -> None:
    """Schools, and the org each one belongs to (its owner)."""
    roster, errors = b.roster, b.errors
    for where, row in b.rows("orgs"):
        if not need(where, row, errors, "sourcedId"):
            continue
        if is_deleted(row):
            continue
        if not need(where, row, errors, "sourcedId", "name", "type"):
            continue
        b.orgs[row["sourcedId"]] = row
    for sid, row in b.orgs.items():
        kind = row["type"]
        if kind == DISTRICT_TYPE:
            roster.districts[sid] = row["name"]
        if kind in SCHOOL_TYPES:
            roster.schools[sid] = row
            parent = b.orgs.get(row.get("parentSourcedId", ""))
            if parent is not None:
                roster.owners[sid] = parent["name"]
                if parent["type"] == DISTRICT_TYPE:
                    roster.school_districts[sid] = parent["sourcedId"]
        elif kind not in PARENT_TYPES:
            roster.notes.append(f"orgs: {row['name']!r} has type {kind!r}; only schools get pupils.")


def _read_sessions(b: BuildState) -> None:
    """The school year of every term, from a schoolYear session above it, or its
    schoolYear column, or its dates; and each year's title and dates."""
    errors = b.errors
    sessions: dict[str, dict[str, Any]] = {}
    for where, row in b.rows("academicSessions"):
        if not need(where, row, errors, "sourcedId", "type", "startDate", "endDate"):
            continue
        start = parse_date(where, row["startDate"], "startDate", errors)
        end = parse_date(where, row["endDate"], "endDate", errors)
        if start is None or end is None:
            continue
        if is_deleted(row):
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
    years = b.roster.years
    for sid in sessions:
        key = _year_key(sessions, sid)
        b.term_year[sid] = key
        s = sessions[sid]
        year = years.get(key)
        if key in sessions:  # a schoolYear session: its own title and dates
            own = sessions[key]
            years[key] = {"title": own["title"], "start": own["start"], "end": own["end"]}
        elif year is None:
            end_year = int(key.split(":")[1])
            years[key] = {"title": f"{end_year - 1}–{end_year}", "start": s["start"], "end": s["end"]}
        else:
            year["start"] = min(year["start"], s["start"])
            year["end"] = max(year["end"], s["end"])


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


def _read_classes(b: BuildState) -> None:
    roster, errors = b.roster, b.errors
    for where, row in b.rows("classes"):
        if not need(where, row, errors, "sourcedId"):
            continue
        if is_deleted(row):
            roster.deleted_classes.append(row["sourcedId"])
            continue
        if not need(where, row, errors, "sourcedId", "title", "schoolSourcedId"):
            continue
        school = b.school_of(row["schoolSourcedId"])
        if school is None and (roster.is_bulk("orgs") or row["schoolSourcedId"] in b.orgs):
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
        terms = ids(row.get("termSourcedIds", ""))
        year_key = next((b.term_year[t] for t in terms if t in b.term_year), None)
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
        b.class_kinds[row["sourcedId"]] = kind
        subject = ids(row.get("subjects", ""))
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


def _read_enrollments(b: BuildState) -> dict[str, Counter[int]]:
    """Enrollments of active users in live classes; returns each class's count of pupils per grade."""
    roster, errors = b.roster, b.errors
    class_ids = {str(c["source_id"]) for c in roster.classes}
    deleted_classes = set(roster.deleted_classes)
    deleted_users = set(roster.deleted_users)
    class_pupil_grades: dict[str, Counter[int]] = {}
    for where, row in b.rows("enrollments"):
        if is_deleted(row):
            if row.get("classSourcedId") and row.get("userSourcedId"):
                roster.deleted_enrollments.append(
                    (row["classSourcedId"], row["userSourcedId"], row.get("role") or "student")
                )
            continue
        cls, user = row.get("classSourcedId"), row.get("userSourcedId")
        if not (cls and user and row.get("sourcedId") and row.get("role")):
            need(where, row, errors, "sourcedId", "classSourcedId", "userSourcedId", "role")
            continue
        if cls in deleted_classes or (cls not in class_ids and roster.is_bulk("classes")):
            roster.warn(
                "enrollments",
                Problem(where, f"class {cls!r} is deleted or not in classes", "skipped"),
            )
            continue
        if user in deleted_users or (user not in b.roles_by_user and roster.is_bulk("users")):
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
        if role == "student" and user in b.pupil_grades:
            class_pupil_grades.setdefault(cls, Counter())[b.pupil_grades[user]] += 1
        roster.enrollments.append((intern(cls), intern(user), role, row.get("primary", "").lower() == "true"))
    return class_pupil_grades


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
