"""A differential test of access: a random roster, every (viewer, pupil) pair.

A seeded generator builds two schools, each with last, this and next school
year; pupils either side of 18, without a birth date in upper secondary, with
and without consent; guardians with each access level; staff in each role this
year, last year and next year. Then, for every viewer and every pupil:

- an independent model of product.md's "Who may see what" (written here, in
  Python, from the rules — not from the SQL) agrees with the access policy;
- every pupil-scoped read endpoint answers 404 exactly when the policy says the
  viewer cannot read the pupil;
- the board, case, thread, leave and recipient lists hold exactly the pupils
  (or people) the policy allows.

Had it existed, it would have caught the next-year board defect (a teacher of a
class of next year got 200 on its board while the policy said 404).
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

import pytest

from backend.access.policy import CLASS_ROLES, PupilAccess, pupil_access
from backend.problems.errors import NotFound
from tests.support import factories as f
from tests.support.demo import DEFAULT_NOW

TODAY = date(2026, 11, 23)  # DEFAULT_NOW in Oslo
YEARS = {
    "last": (date(2025, 8, 15), date(2026, 6, 20)),
    "this": (date(2026, 8, 15), date(2027, 6, 20)),
    "next": (date(2027, 8, 15), date(2028, 6, 20)),
}
GRADES = (3, 12)  # a primary class and an upper secondary one (VG2)
PUPIL_READS = ("absence-reports", "absence-summary", "assessments")


@dataclass
class Pupil:
    id: uuid.UUID
    school: int
    grade: int  # this year's
    birth: date | None
    classes: dict[str, uuid.UUID] = field(default_factory=dict)  # year -> class
    groups: dict[str, uuid.UUID] = field(default_factory=dict)  # year -> group


@dataclass
class Roster:
    schools: list[f.School]
    years: list[dict[str, uuid.UUID]]  # per school: year -> school_year id
    classes: dict[uuid.UUID, tuple[int, str]] = field(default_factory=dict)  # class -> (school, year)
    groups: dict[uuid.UUID, tuple[int, str, uuid.UUID]] = field(default_factory=dict)
    pupils: list[Pupil] = field(default_factory=list)
    # guardian -> pupil -> (access, consent)
    relations: dict[uuid.UUID, dict[uuid.UUID, tuple[str, bool]]] = field(default_factory=dict)
    # staff -> [(role, school, year, class or group or None)]
    staff: dict[uuid.UUID, list[tuple[str, int, str, uuid.UUID | None]]] = field(default_factory=dict)
    usernames: dict[uuid.UUID, str] = field(default_factory=dict)
    # School owners (the roster's district administrators) of school 0: no pupil is theirs.
    owners: list[uuid.UUID] = field(default_factory=list)


def _adult(p: Pupil) -> bool | None:
    """True/False from the birth date; None: unknown."""
    if p.birth is None:
        return None
    try:
        birthday = p.birth.replace(year=p.birth.year + 18)
    except ValueError:  # 29 February
        birthday = date(p.birth.year + 18, 2, 28)
    return birthday <= TODAY


def model_reads(r: Roster, viewer: uuid.UUID, p: Pupil) -> bool:
    """product.md, Who may see what."""
    return viewer == p.id or model_guardian_reads(r, viewer, p) or bool(model_staff_roles(r, viewer, p))


def model_guardian_reads(r: Roster, viewer: uuid.UUID, p: Pupil) -> bool:
    """A relation with access; from 18 only with consent. Without a birth date a pupil
    in upper secondary may be an adult, but then guardians keep reading (product.md: Roster)."""
    access, consent = r.relations.get(viewer, {}).get(p.id, ("none", False))
    return access in ("full", "read_only") and (_adult(p) is not True or consent)


def model_staff_roles(r: Roster, viewer: uuid.UUID, p: Pupil) -> set[str]:
    roles = set()
    for role, school, year, unit in r.staff.get(viewer, []):
        if year != "this" or school != p.school:
            continue  # roles are per school year, and only the running one counts
        if role == "school_leader":
            roles.add(role)
        elif role in ("contact_teacher", "class_team") and unit == p.classes["this"]:
            roles.add(role)
        elif role == "subject_teacher" and unit == p.groups["this"]:
            roles.add(role)
    return roles


def model_may_act(r: Roster, guardian: uuid.UUID, p: Pupil) -> bool:
    access, _ = r.relations.get(guardian, {}).get(p.id, ("none", False))
    known_child = _adult(p) is False or (p.birth is None and p.grade < 11)
    return access == "full" and known_child


def model_class_matters(r: Roster, viewer: uuid.UUID, p: Pupil) -> bool:
    """Board, cases and leave are the pupil's, their guardians' and the class team's and leaders'."""
    return (
        viewer == p.id
        or model_guardian_reads(r, viewer, p)
        or bool(model_staff_roles(r, viewer, p) & set(CLASS_ROLES))
    )


def model_follow_up(r: Roster, viewer: uuid.UUID, p: Pupil) -> bool:
    """A follow-up is the contact teacher's of the pupil's class and the school's leaders'."""
    return bool(model_staff_roles(r, viewer, p) & {"contact_teacher", "school_leader"})


def model_board(r: Roster, viewer: uuid.UUID, class_id: uuid.UUID) -> bool:
    """A class's board is its class team's and its school's leaders', while its year runs."""
    school, year = r.classes[class_id]
    return year == "this" and any(
        y == "this"
        and s == school
        and (role == "school_leader" or (unit == class_id and role in CLASS_ROLES))
        for role, s, y, unit in r.staff.get(viewer, [])
    )


async def build_roster(db, seed: int) -> Roster:
    rng = random.Random(seed)
    schools, years = [], []
    for s in range(2):
        school = await f.create_school(db, f"Differansen skule {seed}-{s}")
        ids = {"this": school.year_id}
        for name, (starts, ends) in YEARS.items():
            if name == "this":
                continue
            ids[name] = uuid.uuid4()
            await db.execute(
                "INSERT INTO school_years (id, school_id, name, starts_on, ends_on)"
                " VALUES ($1, $2, $3, $4, $5)",
                ids[name],
                school.id,
                f"{starts.year}-{ends.year}",
                starts,
                ends,
            )
        schools.append(school)
        years.append(ids)
    r = Roster(schools, years)
    n = 0

    async def person(prefix: str, birth: date | None = None) -> uuid.UUID:
        nonlocal n
        n += 1
        username = f"diff.{seed}.{prefix}.{n}"
        pid = await f.create_person(db, username, f"{prefix.title()} {n}", birth)
        r.usernames[pid] = username
        return pid

    for s, school in enumerate(schools):
        units: dict[tuple[str, int], tuple[uuid.UUID, uuid.UUID]] = {}
        for year in YEARS:
            at = f.School(school.id, years[s][year], school.name)
            for grade in GRADES:
                shift = {"last": -1, "this": 0, "next": 1}[year]
                cls = await f.create_class(db, at, f"{grade + shift}{year[0]}", grade + shift)
                grp = await f.create_group(db, at, f"{grade + shift}{year[0]} norsk", f"Norsk {year}", cls)
                units[(year, grade)] = (cls, grp)
                r.classes[cls] = (s, year)
                r.groups[grp] = (s, year, cls)
        for grade in GRADES:
            births: list[date | None] = (
                [date(2008, 1, 5), date(2008, 11, 24), None] if grade > 10 else [date(2018, 3, 3), None]
            )
            for birth in births:
                p = Pupil(await person("elev", birth), s, grade, birth)
                for year in YEARS:
                    cls, grp = units[(year, grade)]
                    at = f.School(school.id, years[s][year], school.name)
                    await f.enroll(db, at, p.id, cls, grp)
                    p.classes[year], p.groups[year] = cls, grp
                r.pupils.append(p)
        # Staff: every role in every year at least once, spread over seven people,
        # some of whom hold two or three assignments.
        staff = [await person("tilsett") for _ in range(7)]
        for sid in staff:
            r.staff[sid] = []
        roles = ["contact_teacher", "class_team", "subject_teacher", "school_leader"]
        wanted = [(role, year) for role in roles for year in YEARS]
        wanted += [(rng.choice(roles), rng.choice(list(YEARS))) for _ in range(4)]
        for role, year in wanted:
            sid = rng.choice(staff)
            cls, grp = units[(year, rng.choice(GRADES))]
            unit = {"contact_teacher": cls, "class_team": cls, "subject_teacher": grp}.get(role)
            if (role, s, year, unit) in r.staff[sid]:
                continue
            at = f.School(school.id, years[s][year], school.name)
            await f.assign(
                db,
                at,
                sid,
                role,
                class_id=cls if role in ("contact_teacher", "class_team") else None,
                group_id=grp if role == "subject_teacher" else None,
            )
            r.staff[sid].append((role, s, year, unit))
    # Guardians: each has one or two children, with any access level and consent.
    for _ in range(8):
        gid = await person("foresatt")
        r.relations[gid] = {}
        for p in rng.sample(r.pupils, rng.randint(1, 2)):
            access = rng.choice(["full", "read_only", "none"])
            consent = rng.random() < 0.5
            await f.relate(db, gid, p.id, access, consent)
            r.relations[gid][p.id] = (access, consent)
    # A school owner of the first school's district: numbers, never a person.
    district = uuid.uuid4()
    await db.execute(
        "INSERT INTO districts (id, name) VALUES ($1, $2)", district, f"Differansen kommune {seed}"
    )
    await db.execute("UPDATE schools SET district_id = $2 WHERE id = $1", schools[0].id, district)
    owner = await person("eigar")
    await db.execute(
        "INSERT INTO district_administrators (person_id, district_id) VALUES ($1, $2)", owner, district
    )
    r.owners.append(owner)
    return r


async def add_pupil_records(db, r: Roster) -> None:
    """A leave request, a sought missing-pupil case and a thread for every pupil.

    Every viewer of the roster takes part in every thread, also those who may not
    (or may no longer) see the pupil: the thread list must still leave them out.
    """
    opener = next(iter(r.staff))
    everyone = [p.id for p in r.pupils] + list(r.relations) + list(r.staff) + r.owners
    for p in r.pupils:
        school = r.schools[p.school].id
        await db.execute(
            "INSERT INTO leave_requests (id, school_id, pupil_id, requested_by, first_day, last_day,"
            " reason, school_days, created_at) VALUES ($1, $2, $3, $3, $4, $4, 'Tur', 1, $5)",
            uuid.uuid4(),
            school,
            p.id,
            date(2026, 12, 1),
            DEFAULT_NOW,
        )
        await db.execute(
            "INSERT INTO missing_cases (id, school_id, class_id, pupil_id, day, missing_from, status,"
            " opened_by, opened_at, sought_at) VALUES ($1, $2, $3, $4, $5, '08:30', 'sought', $6, $7, $7)",
            uuid.uuid4(),
            school,
            p.classes["this"],
            p.id,
            TODAY,
            opener,
            DEFAULT_NOW,
        )
        thread = uuid.uuid4()
        await db.execute(
            "INSERT INTO message_threads (id, school_id, pupil_id, subject, created_by, created_at,"
            " last_message_at) VALUES ($1, $2, $3, 'Hei', $3, $4, $4)",
            thread,
            school,
            p.id,
            DEFAULT_NOW,
        )
        await db.execute(
            "INSERT INTO follow_ups (id, school_id, pupil_id, class_id, rules, opened_at, opened_on)"
            " VALUES ($1, $2, $3, $4, '[]', $5, $6)",
            uuid.uuid4(),
            school,
            p.id,
            p.classes["this"],
            DEFAULT_NOW,
            TODAY,
        )
        await db.executemany(
            "INSERT INTO thread_participants (thread_id, person_id, school_id, role, joined_at)"
            " VALUES ($1, $2, $3, 'teacher', $4)",
            [(thread, person, school, DEFAULT_NOW) for person in everyone],
        )


async def _policy(db, viewer: uuid.UUID, pupil: uuid.UUID, now: datetime) -> PupilAccess | None:
    try:
        return await pupil_access(db, viewer, pupil, now)
    except NotFound:
        return None


async def _items(client, path: str, headers: dict[str, str]) -> list[dict]:
    r = await client.get(path, params={"limit": 100}, headers=headers)
    assert r.status_code == 200, (path, r.text)
    return r.json()["items"]


@pytest.mark.parametrize("seed", [7])
async def test_every_endpoint_and_list_agrees_with_the_policy(client, tokens, db, seed):
    r = await build_roster(db, seed)
    await add_pupil_records(db, r)
    viewers = [p.id for p in r.pupils] + list(r.relations) + list(r.staff) + r.owners
    by_id = {p.id: p for p in r.pupils}
    mismatches: list[str] = []
    for viewer in viewers:
        h = await tokens.headers(r.usernames[viewer])
        readable: dict[uuid.UUID, PupilAccess] = {}
        for p in r.pupils:
            decided = await _policy(db, viewer, p.id, DEFAULT_NOW)
            expected = model_reads(r, viewer, p)
            if (decided is not None) != expected:
                mismatches.append(f"policy {decided is not None} != model {expected}: {viewer} -> {p}")
            if decided is not None:
                readable[p.id] = decided
                if viewer in r.relations and decided.relation == "guardian":
                    assert decided.can_report_absence == model_may_act(r, viewer, p), (viewer, p)
            for path in PUPIL_READS:
                status = (await client.get(f"/api/v1/pupils/{p.id}/{path}", headers=h)).status_code
                if (status != 404) != (decided is not None) or status not in (200, 404):
                    mismatches.append(f"{path}: {status} for {viewer} -> {p}, policy {decided}")
            rec = await client.get("/api/v1/messaging/recipients", params={"pupil_id": str(p.id)}, headers=h)
            if (rec.status_code != 404) != (decided is not None):
                mismatches.append(f"recipients: {rec.status_code} for {viewer} -> {p}")
            elif rec.status_code == 200:
                # Everyone offered by name may see the pupil; guardians are offered to staff
                # exactly when the pupil has a guardian with access.
                for option in rec.json():
                    if option.get("id") is not None:
                        other = uuid.UUID(option["id"])
                        if await _policy(db, other, p.id, DEFAULT_NOW) is None:
                            mismatches.append(f"recipients: {other} offered for {p} cannot see them")
                offered_guardians = any(o["kind"] == "guardians" for o in rec.json())
                has_guardians = any(model_guardian_reads(r, g, p) for g in r.relations if g != viewer)
                if decided is not None and decided.is_staff and decided.relation not in ("self", "guardian"):
                    if offered_guardians != has_guardians:
                        mismatches.append(f"recipients: guardians offered {offered_guardians} for {p}")

        # The lists: exactly the pupils the policy allows.
        matters = {pid for pid, a in readable.items() if a.sees_class_matters}
        assert matters == {p.id for p in r.pupils if model_class_matters(r, viewer, p)}, viewer
        leave = {uuid.UUID(i["pupil_id"]) for i in await _items(client, "/api/v1/leave-requests", h)}
        if leave & set(by_id) != matters:
            mismatches.append(f"leave list of {viewer}: {leave & set(by_id)} != {matters}")
        # A pupil is not shown their own missing-pupil case: it is for the adults around them.
        cases = {uuid.UUID(i["pupil_id"]) for i in await _items(client, "/api/v1/missing-cases", h)}
        if cases & set(by_id) != matters - {viewer}:
            mismatches.append(f"case list of {viewer}: {cases & set(by_id)} != {matters - {viewer}}")
        follow_ups = {uuid.UUID(i["pupil_id"]) for i in await _items(client, "/api/v1/follow-ups", h)}
        if follow_ups != {p.id for p in r.pupils if model_follow_up(r, viewer, p)}:
            mismatches.append(f"follow-up list of {viewer}: {follow_ups}")
        threads = {uuid.UUID(i["pupil_id"]) for i in await _items(client, "/api/v1/threads", h)}
        if threads != set(readable):
            mismatches.append(f"thread list of {viewer}: {threads} != {set(readable)}")
        for class_id, (_, year) in r.classes.items():
            board = await client.get(f"/api/v1/classes/{class_id}/attendance/", headers=h)
            on_board = {p.id for p in r.pupils if p.classes[year] == class_id}
            allowed = model_board(r, viewer, class_id)
            if allowed and not on_board <= {pid for pid, a in readable.items() if a.sees_class_matters}:
                mismatches.append(f"board {class_id}: the policy does not let {viewer} see all of it")
            if (board.status_code == 200) != allowed:
                mismatches.append(f"board {class_id} ({year}): {board.status_code} for {viewer}")
            elif board.status_code == 200:
                shown = {uuid.UUID(x["pupil_id"]) for x in board.json()["pupils"]}
                if shown != on_board:
                    mismatches.append(f"board {class_id}: {shown} != {on_board}")
    assert not mismatches, "\n".join(mismatches[:20])
