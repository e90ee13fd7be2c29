"""OneRoster 1.2 REST sync against a local provider (tests/fakes/oneroster.py)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import subprocess
import sys
from datetime import UTC, datetime

import asyncpg
import pytest

from backend.roster.importer import import_roster
from backend.roster.jobs import roster_sync_job
from backend.roster.oneroster.csv_reader import read_roster
from backend.roster.rest import Provider, SyncError, sync_roster
from tests.fakes.oneroster import FakeOneRoster
from tests.support.demo import DEFAULT_NOW
from tests.support.roster_sets import small_set, write_csv
from tests.support.roster_state import roster_state


@pytest.fixture
def provider():
    fake = FakeOneRoster(small_set())
    yield fake
    fake.close()


@pytest.fixture
def sync_settings(settings, provider):
    return dataclasses.replace(
        settings.roster,
        oneroster_url=provider.url,
        oneroster_token_url=provider.token_url,
        oneroster_client_id=provider.client_id,
        oneroster_client_secret=provider.client_secret,
    )


def _provider(settings, **kw):
    return Provider.from_settings(settings, backoff_seconds=0.01, **kw)


async def _people(db) -> int:
    return await db.fetchval("SELECT count(*) FROM people WHERE source_id LIKE 'u-%'")


async def test_the_same_data_by_rest_and_by_csv_give_the_same_database(db, sync_settings, provider, tmp_path):
    summary = await sync_roster(
        db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings, page_size=2)
    )
    assert summary.created["people"] == 8 and summary.created["classes"] == 1
    state = await roster_state(db)
    assert len(state["class_enrollments"]) == 3 and len(state["relations"]) == 3
    # Paged two by two to the end of every collection, with a bearer token.
    assert any("users?limit=2&offset=6" in r for r in provider.requests)
    assert provider.token_requests == 1
    csv = await import_roster(db, read_roster(write_csv(small_set(), tmp_path / "x")), now=DEFAULT_NOW)
    assert sum(csv.created.values()) + sum(csv.updated.values()) + sum(csv.removed.values()) == 0
    assert await roster_state(db) == state


async def test_later_runs_ask_only_for_what_changed(db, sync_settings, provider):
    await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings))
    tables = small_set()
    for u in tables["users"]:
        if u["sourcedId"] == "u-p1":
            u["givenName"], u["dateLastModified"] = "Omdøypt", "2026-11-20T10:00:00Z"
    tables["users"] = [u for u in tables["users"] if u["sourcedId"] != "u-g3"] + [
        {"sourcedId": "u-g3", "status": "tobedeleted", "dateLastModified": "2026-11-21T10:00:00Z"}
    ]
    provider.replace(tables)
    provider.requests.clear()
    summary = await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings))
    assert all("filter=dateLastModified%3E%272026-08-01T00%3A00%3A00Z%27" in r for r in provider.requests)
    assert summary.updated["people"] == 1 and summary.removed["people"] == 1
    assert await db.fetchval("SELECT name FROM people WHERE source_id = 'u-p1'") == "Omdøypt Lia"
    # A delta removes nobody else: the others' enrollments and relations stay.
    state = await roster_state(db)
    assert len(state["class_enrollments"]) == 3 and len(state["relations"]) == 2
    # The next run starts after the newest change it saw.
    provider.requests.clear()
    await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings))
    assert all("2026-11-21T10%3A00%3A00Z" in r for r in provider.requests)
    # --full asks for everything again.
    provider.requests.clear()
    await sync_roster(db, sync_settings, now=DEFAULT_NOW, full=True, provider=_provider(sync_settings))
    assert not any("filter" in r for r in provider.requests)


async def test_429_is_retried_with_backoff(db, sync_settings, provider):
    provider.throttle = 3
    summary = await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings))
    assert summary.created["people"] == 8
    assert provider.throttle == 0


async def test_a_run_that_fails_half_way_changes_nothing(db, sync_settings, provider):
    provider.fail = ("enrollments", 4)
    with pytest.raises(SyncError, match="enrollments at offset 4: the provider answered 500"):
        await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings, page_size=2))
    assert await _people(db) == 0
    assert await db.fetchval("SELECT count(*) FROM roster_sync_state") == 0
    # After a good full run, a broken incremental one keeps the old watermark.
    provider.fail = None
    await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings))
    before = await roster_state(db), await db.fetchrow("SELECT * FROM roster_sync_state")
    tables = small_set()
    tables["users"][2]["givenName"], tables["users"][2]["dateLastModified"] = "Ny", "2026-11-22T00:00:00Z"
    provider.replace(tables)
    provider.fail = ("demographics", 0)
    with pytest.raises(SyncError):
        await sync_roster(db, sync_settings, now=DEFAULT_NOW, provider=_provider(sync_settings, attempts=2))
    assert (await roster_state(db), await db.fetchrow("SELECT * FROM roster_sync_state")) == before


async def test_wrong_client_secret_is_named(db, sync_settings):
    wrong = dataclasses.replace(sync_settings, oneroster_client_secret="feil")
    with pytest.raises(SyncError, match="token endpoint answered 401; check SKOLEBRO_ONEROSTER_CLIENT_ID"):
        await sync_roster(db, wrong, now=DEFAULT_NOW, provider=_provider(wrong))


async def test_the_nightly_job_runs_once_a_day_from_roster_sync_at(db, db_dsn, sync_settings):
    await db.execute("UPDATE schools SET roster_sync_at = '05:30'")
    job = roster_sync_job(sync_settings)
    pool = await asyncpg.create_pool(db_dsn, min_size=1, max_size=2)
    try:
        assert await job(pool, datetime(2026, 11, 24, 4, 29, tzinfo=UTC)) == {"synced": 0}  # 05:29 in Oslo
        done = await job(pool, datetime(2026, 11, 24, 4, 31, tzinfo=UTC))
        assert done["synced"] == 1 and done["created"] > 0
        assert (await job(pool, datetime(2026, 11, 24, 9, 0, tzinfo=UTC)))["synced"] == 0
        # Without a provider the job does nothing.
        assert await roster_sync_job(dataclasses.replace(sync_settings, oneroster_url=None))(
            pool, datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
        ) == {"synced": 0}
    finally:
        await pool.close()
    assert await _people(db) == 8


async def test_cli_sync_prints_progress_and_the_summary(db_dsn, tmp_path, provider, db):
    env = {
        **os.environ,
        **provider.env(),
        "SKOLEBRO_ONEROSTER_CLIENT_SECRET": provider.client_secret,
        "DATABASE_URL": db_dsn,
        "SKOLEBRO_ENV": "test",
        "SKOLEBRO_DATA_DIR": str(tmp_path / "data"),
        "SKOLEBRO_LOG_LEVEL": "warning",
    }
    run = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.app.cli", "roster", "sync", "--dry-run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "fetched 8 users" in run.stdout and "can sign in: " in run.stdout
    assert "dry run: nothing was written" in run.stdout
    assert await _people(db) == 0
    env.pop("SKOLEBRO_ONEROSTER_URL")
    bad = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.app.cli", "roster", "sync"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and "no OneRoster provider is configured" in bad.stderr
    assert "Traceback" not in bad.stderr
