"""Writing OneRoster data into the roster, idempotently by sourcedId.

Everything goes in one transaction: staged into temp tables with COPY, then
set-based statements. A second import of the same data changes nothing; a
dry run does all the work and rolls it back; a failure changes nothing.

Bulk files are the truth for what they name; delta files only update the
rows they hold, and their ``tobedeleted`` rows remove. A removed person is
deactivated, never deleted: their reports, marks, cases and messages stay.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from backend.roster import import_queries as q
from backend.roster.oneroster.model import MAX_PROBLEMS, Problem, Roster, RosterError

log = logging.getLogger("skolebro.roster")

KINDS = (
    "schools",
    "school years",
    "people",
    "classes",
    "groups",
    "guardian relations",
    "enrollments",
    "staff assignments",
)
# The tables behind each kind of row: what ANALYZE refreshes after an import changed them.
TABLES = {
    "schools": ("schools",),
    "school years": ("school_years",),
    "people": ("people", "identities"),
    "classes": ("classes",),
    "groups": ("teaching_groups",),
    "guardian relations": ("guardian_relations",),
    "enrollments": ("class_enrollments", "group_enrollments"),
    "staff assignments": ("staff_assignments",),
}
ROLE_NAMES = {
    "pupil": "pupils",
    "guardian": "guardians",
    "teacher": "teachers",
    "leader": "leaders",
    "other": "others",
}


@dataclass
class ImportSummary:
    version: str
    rows_read: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[Problem] = field(default_factory=list)
    warning_count: int = 0
    notes: list[str] = field(default_factory=list)
    unused_columns: dict[str, list[str]] = field(default_factory=dict)
    sign_in: dict[str, tuple[int, int]] = field(default_factory=dict)  # role -> (can, total)
    cannot_sign_in: list[str] = field(default_factory=list)
    missing_birth_dates: list[str] = field(default_factory=list)
    missing_birth_date_count: int = 0
    contact_warnings: list[Problem] = field(default_factory=list)
    contact_warning_count: int = 0
    guardian_contacts: dict[str, int] = field(default_factory=dict)  # total/mobile/email/neither
    dry_run: bool = False
    analyzed: list[str] = field(default_factory=list)

    def changed_tables(self) -> list[str]:
        """The tables this import wrote to, for ANALYZE."""
        changed = [
            table
            for kind, tables in TABLES.items()
            if self.created.get(kind, 0) or self.updated.get(kind, 0) or self.removed.get(kind, 0)
            for table in tables
        ]
        return changed

    def warn(self, kind: str, problem: Problem) -> None:
        self.skipped[kind] += 1
        self.warning_count += 1
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(problem)

    def as_record(self) -> dict[str, Any]:
        """What the portal's roster page shows of the run (``roster_runs.summary``)."""
        return {
            "version": self.version,
            "rows_read": self.rows_read,
            "created": self.created,
            "updated": self.updated,
            "removed": self.removed,
            "warning_count": self.warning_count,
            "warnings": [str(w) for w in self.warnings],
            # Counted only: a contact warning quotes the bad phone number or e-mail
            # address, and the roster is every school's, its leaders each see the run.
            "contact_warning_count": self.contact_warning_count,
            "missing_birth_date_count": self.missing_birth_date_count,
            "notes": self.notes,
        }

    def lines(self) -> list[str]:
        out = [f"OneRoster {self.version}: {self.rows_read:,} rows read"]
        out.append(f"  {'':<20} {'new':>9} {'changed':>9} {'removed':>9} {'skipped':>9}")
        for kind in KINDS:
            c, u, r = (self.created.get(kind, 0), self.updated.get(kind, 0), self.removed.get(kind, 0))
            s = self.skipped.get(kind, 0)
            out.append(f"  {kind:<20} {c:>9,} {u:>9,} {r:>9,} {s:>9,}")
        out.append("  (removed people are deactivated: their records stay, they cannot sign in)")
        if self.sign_in:
            parts = [
                f"{can:,} of {total:,} {ROLE_NAMES.get(role, role)}"
                for role, (can, total) in self.sign_in.items()
            ]
            out.append("can sign in: " + ", ".join(parts))
        if self.cannot_sign_in:
            cannot = sum(total - can for can, total in self.sign_in.values())
            out.append(f"cannot sign in ({cannot:,}; no Feide or ID-porten identity, or enabledUser=false):")
            out.extend(f"  {who}" for who in self.cannot_sign_in[:20])
            if cannot > 20:
                out.append(f"  … and {cannot - 20:,} more")
        if self.missing_birth_date_count:
            out.append(
                f"warning: {self.missing_birth_date_count:,} pupil(s) have no birth date; at upper "
                "secondary they count as possibly adult:"
            )
            out.extend(f"  {who}" for who in self.missing_birth_dates)
        if self.guardian_contacts.get("total"):
            g = self.guardian_contacts
            out.append(
                f"guardians reachable outside the app: {g['mobile']:,} of {g['total']:,} have a mobile "
                f"number, {g['email']:,} an e-mail address, {g['neither']:,} neither"
            )
        if self.contact_warning_count:
            out.append(f"{self.contact_warning_count:,} warning(s), contact values not used:")
            out.extend(f"  {w}" for w in self.contact_warnings)
            if self.contact_warning_count > len(self.contact_warnings):
                out.append(f"  … and {self.contact_warning_count - len(self.contact_warnings):,} more")
        if self.warning_count:
            out.append(f"{self.warning_count:,} warning(s), rows skipped:")
            out.extend(f"  {w}" for w in self.warnings)
            if self.warning_count > len(self.warnings):
                out.append(f"  … and {self.warning_count - len(self.warnings):,} more")
        for name, columns in self.unused_columns.items():
            out.append(f"not used from {name}: {', '.join(columns)}")
        out.extend(f"note: {n}" for n in self.notes)
        if self.dry_run:
            out.append("dry run: nothing was written")
        elif self.analyzed:
            out.append(f"statistics updated (ANALYZE): {', '.join(self.analyzed)}")
        return out


# The pool's command timeout (30 s) guards requests; an Oslo-size import runs
# statements over a million rows, on a busy machine longer than that.
LONG_SECONDS = 3600.0


class _Long:
    """The connection, with the long timeout on every statement of the import."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self.conn = conn

    async def execute(self, sql: str, *args: object) -> str:
        return str(await self.conn.execute(sql, *args, timeout=LONG_SECONDS))

    async def fetch(self, sql: str, *args: object) -> list[asyncpg.Record]:
        return list(await self.conn.fetch(sql, *args, timeout=LONG_SECONDS))

    async def fetchval(self, sql: str, *args: object) -> Any:
        return await self.conn.fetchval(sql, *args, timeout=LONG_SECONDS)

    async def fetchrow(self, sql: str, *args: object) -> Any:
        return await self.conn.fetchrow(sql, *args, timeout=LONG_SECONDS)

    async def copy_records_to_table(self, table: str, *, records: Iterable[tuple[Any, ...]]) -> None:
        await self.conn.copy_records_to_table(table, records=records, timeout=LONG_SECONDS)


def _count(rows: list[asyncpg.Record]) -> tuple[int, int]:
    created = sum(1 for r in rows if r["inserted"])
    return created, len(rows) - created


def _affected(status: str) -> int:
    return int(status.split()[-1]) if status and status.split()[-1].isdigit() else 0


async def import_roster(
    conn: asyncpg.Connection,
    roster: Roster,
    *,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    now: datetime | None = None,
    after: Callable[[asyncpg.Connection], Awaitable[None]] | None = None,
    source: str = "import",
    analyze: bool = True,
) -> ImportSummary:
    """Import a roster in one transaction; ``analyze=False`` (benchmarks only) leaves the
    statistics to autovacuum, as imports did before."""
    say = progress or (lambda text: None)
    at = now or datetime.now(UTC)
    summary = ImportSummary(
        version=roster.version,
        rows_read=roster.rows_read,
        dry_run=dry_run,
        skipped=Counter(roster.skipped),
        warnings=list(roster.warnings),
        warning_count=roster.warning_count,
        notes=list(roster.notes),
        unused_columns=dict(roster.unused_columns),
        contact_warnings=list(roster.contact_warnings),
        contact_warning_count=roster.contact_warning_count,
    )
    tx = conn.transaction()
    await tx.start()
    try:
        # A service pool may carry a statement_timeout meant for requests; not for this.
        await conn.execute("SET LOCAL statement_timeout = 0")
        await _run(_Long(conn), roster, summary, say, at)
        if after is not None:
            # The caller's own bookkeeping (the REST sync's watermark) commits with the data or not at all.
            await after(conn)
        await conn.execute(q.RECORD_RUN, source, at, json.dumps(summary.as_record()))
    except BaseException:
        await tx.rollback()
        raise
    if dry_run:
        await tx.rollback()
    else:
        await tx.commit()
        if analyze:
            await analyze_changed(conn, summary, say)
    log.info("roster import %s: %s", "dry run" if dry_run else "committed", "; ".join(summary.lines()[2:10]))
    return summary


async def analyze_changed(
    conn: asyncpg.Connection, summary: ImportSummary, say: Callable[[str], None]
) -> None:
    """ANALYZE the tables the import changed, once it has committed.

    A bulk import replaces most of what the planner knows about these tables; until
    autovacuum gets round to analysing them (a minute or more after a large import)
    the morning's queries were planned on empty-table statistics and ran at a quarter
    of their speed. Analysing here makes the import's end the moment it is ready.
    """
    tables = summary.changed_tables()
    if not tables:
        return
    say(f"updating statistics of {len(tables)} table(s)")
    async with conn.transaction():
        # Not the request pool's statement timeout: a sample of a million-row table on a
        # busy machine may take longer.
        await conn.execute("SET LOCAL statement_timeout = 0")
        for table in tables:  # names from TABLES, never from the input
            await conn.execute(f"ANALYZE {table}", timeout=LONG_SECONDS)
    summary.analyzed = tables


async def _run(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None], at: datetime
) -> None:
    await conn.execute(q.STAGE)
    say(f"staging {roster.rows_read:,} rows")
    await _stage(conn, roster)
    await conn.execute(q.ANALYZE_STAGE)
    await _write_schools_and_people(conn, roster, summary, say)
    await _write_classes(conn, roster, summary, say)
    if roster.deleted_users:
        say(f"deactivating {len(roster.deleted_users):,} removed people")
        await conn.execute(q.DEACTIVATE, at)
        summary.removed["people"] = int(await conn.fetchval("SELECT count(*) FROM gone_people"))
        await conn.execute(q.DEACTIVATE_EFFECTS)
    await _resolve_ids(conn, summary, say)
    await _write_enrollments(conn, roster, summary, say)
    await _write_assignments(conn, roster, summary, say)
    await _write_relations(conn, roster, summary, say)
    await _write_districts(conn, roster, summary, say)
    await _check_result(conn, roster, summary, say, at)


async def _write_schools_and_people(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None]
) -> None:
    say(f"schools ({len(roster.schools):,}) and school years")
    summary.created["schools"], summary.updated["schools"] = _count(await conn.fetch(q.UPSERT_SCHOOLS))
    summary.created["school years"], summary.updated["school years"] = _count(
        await conn.fetch(q.UPSERT_YEARS)
    )

    clashes = await conn.fetch(q.USERNAME_CLASHES)
    if clashes:
        raise RosterError.of(
            [
                Problem(
                    f"users {c['incoming']}",
                    f"username {c['username']!r} already belongs to {c['existing']!r}",
                    "usernames must be unique; fix it in the school system",
                )
                for c in clashes
            ],
            len(clashes),
        )
    say(f"people ({len(roster.users):,})")
    summary.created["people"], summary.updated["people"] = _count(await conn.fetch(q.UPSERT_PEOPLE))


async def _write_classes(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None]
) -> None:
    say(f"classes and groups ({len(roster.classes):,})")
    summary.created["classes"], summary.updated["classes"] = _count(await conn.fetch(q.UPSERT_CLASSES))
    summary.created["groups"], summary.updated["groups"] = _count(await conn.fetch(q.UPSERT_GROUPS))
    for row in await conn.fetch(q.CLASSES_WITHOUT_YEAR):
        summary.warn(
            "classes",
            Problem(
                f"classes {row['source_id']}",
                "is new but its term is in no academicSessions the run knows (or it has no grade)",
                "skipped; send its academicSessions row too",
            ),
        )


async def _resolve_ids(conn: _Long, summary: ImportSummary, say: Callable[[str], None]) -> None:
    say("resolving roster ids")
    await conn.execute(q.RESOLVE)
    await conn.execute(q.UPSERT_IDENTITIES)
    await conn.execute(q.REALM_IDENTITIES)
    unknown = await conn.fetch(q.UNKNOWN_ENROLLMENTS)
    if unknown:
        # Counted in full, listed up to the limit.
        summary.skipped["enrollments"] += unknown[0]["total"] - len(unknown)
        summary.warning_count += unknown[0]["total"] - len(unknown)
    for row in unknown:
        summary.warn(
            "enrollments",
            Problem(
                f"enrollments {row['class_source']}/{row['user_source']}",
                "names a class or person that is not (or no longer) in the roster",
                "skipped",
            ),
        )


async def _write_enrollments(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None]
) -> None:
    say(f"enrollments ({len(roster.enrollments):,})")
    await conn.execute(q.LINK_GROUPS)
    removed = 0
    if roster.is_bulk("enrollments"):
        removed += _affected(await conn.execute(q.DELETE_CLASS_ENROLLMENTS))
        removed += _affected(await conn.execute(q.DELETE_GROUP_ENROLLMENTS))
    if roster.deleted_enrollments or roster.deleted_classes:
        removed += _affected(await conn.execute(q.DELETE_NAMED_CLASS_ENROLLMENTS))
        removed += _affected(await conn.execute(q.DELETE_NAMED_GROUP_ENROLLMENTS))
    added = _affected(await conn.execute(q.INSERT_CLASS_ENROLLMENTS))
    added += _affected(await conn.execute(q.INSERT_GROUP_ENROLLMENTS))
    summary.created["enrollments"], summary.removed["enrollments"] = added, removed


async def _write_assignments(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None]
) -> None:
    say("staff assignments")
    await conn.execute(q.STAGED_ASSIGNMENTS)
    gone = 0
    if roster.is_bulk("enrollments"):
        gone += _affected(await conn.execute(q.DELETE_ASSIGNMENTS))
    if roster.deleted_enrollments or roster.deleted_classes:
        gone += _affected(await conn.execute(q.DELETE_NAMED_ASSIGNMENTS))
    summary.removed["staff assignments"] = gone
    summary.created["staff assignments"] = _affected(await conn.execute(q.INSERT_ASSIGNMENTS)) + _affected(
        await conn.execute(q.INSERT_LEADERS)
    )


async def _write_relations(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None]
) -> None:
    say(f"guardian relations ({len(roster.relations):,})")
    await conn.execute(q.STAGED_RELATIONS)
    if roster.is_bulk("users"):
        summary.removed["guardian relations"] = int(await conn.fetchval(q.DELETE_RELATIONS))
    summary.created["guardian relations"], summary.updated["guardian relations"] = _count(
        await conn.fetch(q.UPSERT_RELATIONS)
    )


async def _write_districts(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None]
) -> None:
    """School owners: the districts, the schools they own, and their administrators."""
    if not roster.districts and not roster.district_admins:
        return
    say(f"districts ({len(roster.districts):,}) and school owners ({len(roster.district_admins):,})")
    await conn.execute(q.UPSERT_DISTRICTS)
    await conn.execute(q.LINK_SCHOOL_DISTRICTS)
    if roster.is_bulk("users"):
        summary.removed["school owners"] = _affected(await conn.execute(q.DELETE_DISTRICT_ADMINS))
    summary.created["school owners"] = _affected(await conn.execute(q.INSERT_DISTRICT_ADMINS))


async def _check_result(
    conn: _Long, roster: Roster, summary: ImportSummary, say: Callable[[str], None], at: datetime
) -> None:
    """What the operator should know after the writes: sign-in, birth dates, contacts, the year."""
    say("checking sign-in and birth dates")
    for row in await conn.fetch(q.SIGN_IN):
        summary.sign_in[row["role"]] = (row["can"], row["total"])
    summary.cannot_sign_in = [
        f"{r['name']} ({r['role']}, {r['source_id']}){'' if r['sign_in_enabled'] else ': enabledUser=false'}"
        for r in await conn.fetch(q.CANNOT_SIGN_IN)
    ]
    missing = [u for u in roster.users if u.role == "pupil" and u.birth_date is None]
    summary.missing_birth_date_count = len(missing)
    summary.missing_birth_dates = [f"{u.name} ({u.source_id})" for u in missing[:50]]
    contacts = await conn.fetchrow(q.GUARDIAN_CONTACTS)
    summary.guardian_contacts = {k: int(contacts[k]) for k in ("total", "mobile", "email", "neither")}
    today = at.astimezone(ZoneInfo("Europe/Oslo")).date()
    years = await conn.fetchrow(q.YEARS_RUNNING, today)
    if years["total"] and not years["running"]:
        summary.notes.append(
            f"warning: the imported school year ({years['some_name']}) is not the one running today "
            f"({today.isoformat()}); pupils will not appear on boards until it starts."
        )


async def _stage(conn: _Long, roster: Roster) -> None:
    await conn.copy_records_to_table(
        "stage_schools",
        records=[(sid, row["name"], roster.owners.get(sid)) for sid, row in roster.schools.items()],
    )
    years = {(str(c["year"]), str(c["school"])) for c in roster.classes if c["year"] is not None}
    await conn.copy_records_to_table(
        "stage_years",
        records=[
            (
                f"{year}@{school}",
                school,
                roster.years[year]["title"],
                roster.years[year]["start"],
                roster.years[year]["end"],
            )
            for year, school in sorted(years)
            if year in roster.years
        ],
    )
    await conn.copy_records_to_table(
        "stage_people",
        records=(
            (u.source_id, u.username, u.name, u.birth_date, u.role, u.enabled, u.school, u.mobile, u.email)
            for u in roster.users
        ),
    )
    await conn.copy_records_to_table("stage_identities", records=roster.identities)
    await conn.copy_records_to_table(
        "stage_classes",
        records=[
            (c["source_id"], c["name"], c["kind"], c["grade"], c["school"], c["year"], c["subject"])
            for c in roster.classes
        ],
    )
    await conn.copy_records_to_table(
        "stage_enrollments",
        records=roster.enrollments,
    )
    await conn.copy_records_to_table("stage_relations", records=roster.relations)
    await conn.copy_records_to_table("stage_leaders", records=roster.leaders)
    await conn.copy_records_to_table("stage_districts", records=list(roster.districts.items()))
    await conn.copy_records_to_table("stage_school_districts", records=list(roster.school_districts.items()))
    await conn.copy_records_to_table("stage_district_admins", records=roster.district_admins)
    await conn.copy_records_to_table("stage_deleted_users", records=[(u,) for u in roster.deleted_users])
    await conn.copy_records_to_table("stage_deleted_classes", records=[(c,) for c in roster.deleted_classes])
    await conn.copy_records_to_table("stage_deleted_enrollments", records=roster.deleted_enrollments)
