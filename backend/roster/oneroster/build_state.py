"""What the steps of building a roster share: the input tables, the roster
being filled, the errors found, and what one step learns for the next."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from backend.roster.oneroster.model import Problem, Progress, ReadOptions, Roster, Rows


@dataclass
class BuildState:
    roster: Roster
    tables: dict[str, Rows]
    errors: list[Problem]
    tick: Progress
    options: ReadOptions
    orgs: dict[str, dict[str, str]] = field(default_factory=dict)  # live orgs by sourcedId
    term_year: dict[str, str] = field(default_factory=dict)  # session sourcedId -> year key
    class_kinds: dict[str, str] = field(default_factory=dict)  # class sourcedId -> homeroom/scheduled
    births: dict[str, date] = field(default_factory=dict)
    roles_by_user: dict[str, frozenset[str]] = field(default_factory=dict)  # active users only
    pupil_grades: dict[str, int] = field(default_factory=dict)
    # Shared frozensets and tuples: a quarter of a million users have a handful of distinct ones.
    shared: dict[object, object] = field(default_factory=dict)

    def rows(self, kind: str) -> Iterator[tuple[str, dict[str, str]]]:
        """The rows of one table, counted (and reported every 20,000) as they are read."""
        roster = self.roster
        for item in self.tables.get(kind, ()):
            roster.rows_read += 1
            if roster.rows_read % 20000 == 0:
                self.tick(kind, roster.rows_read)
            yield item

    def school_of(self, org: str) -> str | None:
        """A class's or user's org, or the school a department belongs to."""
        hops = 0
        while org and hops < 5:
            if org in self.roster.schools:
                return org
            org = self.orgs.get(org, {}).get("parentSourcedId", "")
            hops += 1
        return None

    def share(self, value: frozenset[str] | tuple[str, ...]) -> frozenset[str] | tuple[str, ...]:
        return self.shared.setdefault(value, value)  # type: ignore[return-value]
