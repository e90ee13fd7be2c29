"""docs/privacy.md names every table of the schema (a new table needs its line there)."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "privacy.md"


async def test_every_table_appears_in_the_privacy_document(db):
    tables = [
        r["table_name"]
        for r in await db.fetch(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1"
        )
    ]
    assert len(tables) > 30
    text = DOC.read_text(encoding="utf-8")
    missing = [t for t in tables if f"`{t}`" not in text]
    assert missing == [], f"docs/privacy.md does not name these tables: {missing}"


def test_every_retention_category_is_in_the_table():
    from backend.retention.queries import CATEGORIES

    text = DOC.read_text(encoding="utf-8")
    for setting, targets in CATEGORIES.values():
        env = f"SKOLEBRO_RETAIN_{setting.removesuffix('_days').upper()}_DAYS"
        assert f"`{env}`" in text, env
        for target in targets:
            assert f"`{target.table}`" in text
