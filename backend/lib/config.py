"""Declaring settings: each field's environment variable beside its default.

A group of settings is a frozen dataclass whose fields carry ``metadata=from_var(...)``
(or a plain ``{"env": NAME}``, as ``notifications`` writes it without importing backend);
``read_group`` reads exactly the fields so marked, and nested groups in turn.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any


class SettingsError(RuntimeError):
    """A setting is missing or wrong; the message names the fix."""


def from_var(name: str, parse: Callable[[str], Any] = str) -> dict[str, Any]:
    """Field metadata: the environment variable that sets the field, and how its text is read."""
    return {"env": name, "parse": parse}


def read_group(kind: type[Any], source: Mapping[str, str], **given: Any) -> Any:
    """``kind`` from the environment: each declared variable that is set and not empty
    overrides its field's default; a field whose metadata names a ``group`` is that group,
    read the same way. ``given`` are values decided elsewhere (not from a variable)."""
    values: dict[str, Any] = dict(given)
    for f in dataclasses.fields(kind):
        if f.name in values:
            continue
        group = f.metadata.get("group")
        if group is not None:
            values[f.name] = read_group(group, source)
            continue
        name = f.metadata.get("env")
        raw = source.get(name) if name else None
        if not raw:
            continue
        try:
            values[f.name] = f.metadata.get("parse", str)(raw)
        except (ValueError, TypeError) as exc:
            raise SettingsError(f"{name}={raw!r} cannot be read: {exc}") from exc
    return kind(**values)


def nested(kind: type[Any]) -> dict[str, Any]:
    """Field metadata of a nested group (``default_factory=kind``): its fields are read in turn."""
    return {"group": kind}
