"""The nightly ``retention`` job, plugged into the scheduler's job table."""

from __future__ import annotations

import os
from datetime import datetime
from typing import Any

import asyncpg

from backend.lib.config import read_group
from backend.retention.service import nightly
from backend.retention.settings import RetentionSettings


def retention_settings() -> RetentionSettings:
    """The deployment's periods (SKOLEBRO_RETAIN_*), checked."""
    settings: RetentionSettings = read_group(RetentionSettings, os.environ)
    settings.check()
    return settings


async def retention(pool: asyncpg.Pool, now: datetime) -> dict[str, Any]:
    report = await nightly(pool, now, retention_settings())
    if report is None:
        return {"due": 0}
    return report.effects()
