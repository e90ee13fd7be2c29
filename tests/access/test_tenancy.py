"""infra/SCALING.md's tenancy table tells the truth: it lists every table in
the migrated database, and where it names a tenant column, the table has it."""

from __future__ import annotations

import re
from pathlib import Path

SCALING = Path(__file__).resolve().parents[2] / "infra" / "SCALING.md"


def _documented() -> dict[str, tuple[str, str]]:
    rows = re.findall(r"^\| `(\w+)` \| (`\w+`|—) \|(.*?)\|$", SCALING.read_text(), re.M)
    return {table: (column.strip("`"), note.strip()) for table, column, note in rows}


async def test_the_scaling_notes_list_every_table_and_its_tenant_column(db):
    rows = await db.fetch(
        "SELECT c.table_name, array_agg(c.column_name::text) AS columns"
        " FROM information_schema.columns c"
        " JOIN information_schema.tables t USING (table_schema, table_name)"
        " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE' GROUP BY c.table_name"
    )
    tables = {r["table_name"]: set(r["columns"]) for r in rows}
    documented = _documented()
    missing = sorted(set(tables) - set(documented))
    assert not missing, f"add these tables to infra/SCALING.md's tenancy table: {missing}"
    assert not set(documented) - set(tables), "infra/SCALING.md lists tables that do not exist"
    for table, (column, note) in documented.items():
        if column == "—":
            assert note, f"{table}: say why it has no tenant column"
            assert "school_id" not in tables[table], f"{table} has school_id; name it"
        else:
            assert column in tables[table], f"{table} has no column {column}"
    # The claim the page used to make, that every school-scoped table has school_id, is gone.
    assert "every school-scoped table carries" not in SCALING.read_text()
