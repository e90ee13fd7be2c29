"""Writing a OneRoster bulk export into the roster, idempotently by sourcedId.

Everything goes in one transaction: staged into temp tables with COPY, then
set-based upserts. A second import of the same files changes nothing; a
dry run does all the work and rolls it back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import asyncpg

from backend.roster import import_queries as q
from backend.roster.oneroster import Roster, RosterError

log = logging.getLogger("skolebro.roster")


@dataclass
class ImportSummary:
    version: str
    rows_read: int = 0
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    removed: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def lines(self) -> list[str]:
        out = [f"OneRoster {self.version}: {self.rows_read:,} rows read"]
        for kind in (
            "schools",
            "school years",
            "people",
            "classes",
            "groups",
            "guardian relations",
            "enrollments",
            "staff assignments",
        ):
            c, u, r = (self.created.get(kind, 0), self.updated.get(kind, 0), self.removed.get(kind, 0))
            out.append(f"  {kind:<20} {c:>8,} new {u:>8,} changed {r:>8,} removed")
        if self.dry_run:
            out.append("dry run: nothing was written")
        return out


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
) -> ImportSummary:
    say = progress or (lambda text: None)
    summary = ImportSummary(version=roster.version, rows_read=roster.rows_read, dry_run=dry_run)
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute(q.STAGE)
        say("staging rows")
        await _stage(conn, roster)

        say("schools and school years")
        summary.created["schools"], summary.updated["schools"] = _count(await conn.fetch(q.UPSERT_SCHOOLS))
        summary.created["school years"], summary.updated["school years"] = _count(
            await conn.fetch(q.UPSERT_YEARS)
        )

        clashes = await conn.fetch(q.USERNAME_CLASHES)
        if clashes:
            c = clashes[0]
            raise RosterError(
                f"users.csv: username {c['username']!r} of {c['incoming']!r} already belongs "
                f"to {c['existing']!r}; usernames must be unique — fix it in the source system."
            )
        say(f"people ({len(roster.users):,})")
        summary.created["people"], summary.updated["people"] = _count(await conn.fetch(q.UPSERT_PEOPLE))
        await conn.execute(q.UPSERT_IDENTITIES)

        say(f"classes and groups ({len(roster.classes):,})")
        summary.created["classes"], summary.updated["classes"] = _count(await conn.fetch(q.UPSERT_CLASSES))
        summary.created["groups"], summary.updated["groups"] = _count(await conn.fetch(q.UPSERT_GROUPS))
        await conn.execute(q.LINK_GROUPS)

        say(f"enrollments ({len(roster.enrollments):,})")
        removed = _affected(await conn.execute(q.DELETE_CLASS_ENROLLMENTS))
        removed += _affected(await conn.execute(q.DELETE_GROUP_ENROLLMENTS))
        added = _affected(await conn.execute(q.INSERT_CLASS_ENROLLMENTS))
        added += _affected(await conn.execute(q.INSERT_GROUP_ENROLLMENTS))
        summary.created["enrollments"], summary.removed["enrollments"] = added, removed

        await conn.execute(q.STAGED_ASSIGNMENTS)
        summary.removed["staff assignments"] = _affected(await conn.execute(q.DELETE_ASSIGNMENTS))
        summary.created["staff assignments"] = _affected(
            await conn.execute(q.INSERT_ASSIGNMENTS)
        ) + _affected(await conn.execute(q.INSERT_LEADERS))

        say(f"guardian relations ({len(roster.relations):,})")
        summary.removed["guardian relations"] = _affected(await conn.execute(q.DELETE_RELATIONS))
        (summary.created["guardian relations"], summary.updated["guardian relations"]) = _count(
            await conn.fetch(q.UPSERT_RELATIONS)
        )

        if roster.deleted_users:
            summary.removed["people"] = _affected(await conn.execute(q.DELETE_PEOPLE, roster.deleted_users))
    except BaseException:
        await tx.rollback()
        raise
    if dry_run:
        await tx.rollback()
    else:
        await tx.commit()
    log.info("roster import %s: %s", "dry run" if dry_run else "committed", "; ".join(summary.lines()[1:]))
    return summary


async def _stage(conn: asyncpg.Connection, roster: Roster) -> None:
    await conn.copy_records_to_table(
        "stage_schools", records=[(sid, row["name"]) for sid, row in roster.schools.items()]
    )
    years = {(str(c["year"]), str(c["school"])) for c in roster.classes}
    await conn.copy_records_to_table(
        "stage_years",
        records=[
            (
                f"{year}@{school}",
                school,
                roster.sessions[year]["title"],
                roster.sessions[year]["start"],
                roster.sessions[year]["end"],
            )
            for year, school in sorted(years)
        ],
    )
    await conn.copy_records_to_table(
        "stage_people",
        records=[(u["source_id"], u["username"], u["name"], u["birth_date"]) for u in roster.users],
    )
    await conn.copy_records_to_table("stage_identities", records=roster.identities)
    await conn.copy_records_to_table(
        "stage_classes",
        records=[
            (c["source_id"], c["name"], c["kind"], c["grade"], c["school"], f"{c['year']}", c["subject"])
            for c in roster.classes
        ],
    )
    await conn.copy_records_to_table(
        "stage_enrollments",
        records=[(e["class"], e["user"], e["role"], e["primary"]) for e in roster.enrollments],
    )
    await conn.copy_records_to_table("stage_relations", records=roster.relations)
    await conn.copy_records_to_table("stage_leaders", records=roster.leaders)
