"""Where the schema's SQL files come from, and each file's checksum.

Two folders side by side: ``migrations/`` (applied once each, in name order) and
``definitions/`` (re-applied whenever their content changes). They ship in the
``backend.db`` package. Tests point ``SKOLEBRO_SCHEMA_DIR`` at a copy holding the
same two folders; production refuses the variable, so a deployment can never
migrate from anything but the files it was built with.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

log = logging.getLogger("skolebro.db")

SCHEMA_DIR_VARIABLE = "SKOLEBRO_SCHEMA_DIR"


class SchemaError(Exception):
    """The database cannot be brought up to date safely; the message says why and what to do."""


@dataclass(frozen=True)
class SchemaFile:
    name: str
    sql: str
    sha256: str


@dataclass(frozen=True)
class SchemaSource:
    root: Traversable

    def migrations(self) -> list[SchemaFile]:
        return _sql_files(self.root / "migrations")

    def definitions(self) -> list[SchemaFile]:
        return _sql_files(self.root / "definitions")


def _sql_files(folder: Traversable) -> list[SchemaFile]:
    if not folder.is_dir():
        return []
    files = []
    for name in sorted(p.name for p in folder.iterdir() if p.name.endswith(".sql")):
        data = (folder / name).read_bytes()
        files.append(SchemaFile(name, data.decode("utf-8"), hashlib.sha256(data).hexdigest()))
    return files


def packaged_schema() -> SchemaSource:
    return SchemaSource(resources.files("backend.db"))


def schema_source(environ: Mapping[str, str] | None = None) -> SchemaSource:
    """The package's files, or the folder ``SKOLEBRO_SCHEMA_DIR`` names outside production."""
    env = os.environ if environ is None else environ
    folder = env.get(SCHEMA_DIR_VARIABLE)
    if not folder:
        return packaged_schema()
    # SKOLEBRO_ENV read here, not through Settings: every caller (the service, the CLI,
    # the readiness probe) goes through this one function, with or without Settings.
    if env.get("SKOLEBRO_ENV") == "production":
        raise SchemaError(
            f"{SCHEMA_DIR_VARIABLE} is set ({folder}); production applies only the migrations"
            f" shipped with the service. Unset {SCHEMA_DIR_VARIABLE}."
        )
    _warn_once(folder)
    return SchemaSource(Path(folder))


@cache
def _warn_once(folder: str) -> None:
    # Once per process: the readiness probe asks on every call.
    log.warning("schema files from %s (%s), not from the package", folder, SCHEMA_DIR_VARIABLE)
