"""Reading OneRoster CSV files (a folder or a ``.zip``, bulk or delta per
``manifest.csv``) into rows for ``build.build_roster``.

The REST binding (``backend.roster.rest``) flattens its JSON into the same
columns, so one export gives one database, however it was delivered.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from backend.roster.oneroster.build import build_roster
from backend.roster.oneroster.model import (
    BULK_REQUIRED,
    KINDS,
    USED_COLUMNS,
    Problem,
    Progress,
    ReadOptions,
    Roster,
    RosterError,
    Rows,
)


class Source:
    """A folder or a zip of OneRoster CSV files, looked up by file name."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}
        if path.is_dir():
            self._names = {p.name.lower(): str(p) for p in path.iterdir() if p.is_file()}
        elif path.is_file() and zipfile.is_zipfile(path):
            self._zip = zipfile.ZipFile(path)
            # Exports are often zipped with a folder inside: take files by their own name.
            for info in self._zip.infolist():
                if not info.is_dir():
                    self._names.setdefault(Path(info.filename).name.lower(), info.filename)
        elif path.exists():
            raise RosterError(
                Problem(
                    str(path), "is neither a folder nor a .zip", "give the export folder or its .zip file"
                )
            )
        else:
            raise RosterError(
                Problem(str(path), "is not a folder", "give the folder (or .zip) holding the CSV files")
            )

    def has(self, name: str) -> bool:
        return name.lower() in self._names

    def open(self, name: str) -> IO[bytes]:
        member = self._names[name.lower()]
        if self._zip is not None:
            return self._zip.open(member)
        return open(member, "rb")

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


# Spellings of the demographics columns found in published exports (1.0 and 1.1
# sets, spreadsheets saved by hand), compared without case, "_", "-" or spaces.
_SPELLINGS = {
    "demographics": {
        "usersourcedid": "sourcedId",
        "birthdate": "birthDate",
        "dateofbirth": "birthDate",
        "dob": "birthDate",
        "birthday": "birthDate",
    },
}


def _plain(column: str) -> str:
    return "".join(ch for ch in column.lower() if ch not in "_- ")


def canonical_columns(name: str, columns: list[str], roster: Roster) -> list[str]:
    """The file's columns under the names OneRoster gives them, with a note where renamed.

    A ``userSourcedId`` column names the user even where the file also has a
    ``sourcedId`` of its own (then the record's id, not used).
    """
    spellings = _SPELLINGS.get(name[:-4])
    if not spellings:
        return columns
    out = list(columns)
    renamed: list[str] = []
    for i, column in enumerate(columns):
        target = spellings.get(_plain(column))
        if target is None or column == target:
            continue
        if target in columns:
            if target != "sourcedId" or _plain(column) != "usersourcedid":
                continue  # the proper column is there too: it wins
            out[columns.index(target)] = f"{target} (record)"
        elif target in out:
            continue  # an earlier spelling took it
        out[i] = target
        renamed.append(f"{column} as {target}")
    if renamed:
        roster.notes.append(f"{name}: read {', '.join(renamed)}")
    return out


def csv_rows(
    source: Source, name: str, errors: list[Problem], roster: Roster
) -> Iterator[tuple[str, dict[str, str]]]:
    """Rows of one CSV file as (where, row); header and encoding problems go to ``errors``."""
    raw = source.open(name)
    try:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            header = text.readline()
        except UnicodeDecodeError:
            errors.append(
                Problem(
                    name, "is not UTF-8 text", "save it as 'CSV UTF-8' (Excel) or UTF-8 CSV (LibreOffice)"
                )
            )
            return
        if not header.strip():
            errors.append(Problem(name, "is empty", "export it again with its header line"))
            return
        delimiter = ","
        if header.count(";") > header.count(","):
            # What Norwegian spreadsheet programs write; read it, but say so.
            delimiter = ";"
            roster.notes.append(
                f"{name} is separated by semicolons; it was read as such. OneRoster files are "
                "comma-separated: export 'CSV UTF-8 (comma-separated)' to avoid surprises."
            )
        reader = csv.reader(io.StringIO(header), delimiter=delimiter)
        columns = canonical_columns(name, [c.strip() for c in next(reader)], roster)
        kind = name[:-4]
        unused = [c for c in columns if c and c not in USED_COLUMNS.get(kind, set())]
        if unused:
            roster.unused_columns[name] = unused
        body = csv.reader(text, delimiter=delimiter)
        line = 1
        try:
            strip = str.strip
            for values in body:
                line += 1
                # Done in C (map, zip, join): a million rows go through here.
                if not "".join(values).strip():
                    continue
                row = dict(zip(columns, map(strip, values), strict=False))
                row.pop("", None)
                yield f"{name} line {line}", row
        except UnicodeDecodeError:
            errors.append(
                Problem(
                    f"{name} line {line + 1}",
                    "is not UTF-8 text",
                    "save the file as 'CSV UTF-8' (Excel) or UTF-8 CSV (LibreOffice)",
                )
            )
        except csv.Error as exc:
            errors.append(Problem(f"{name} line {line + 1}", f"is not valid CSV ({exc})", "check its quotes"))
    finally:
        raw.close()


def read_manifest(source: Source) -> tuple[str, dict[str, str], list[Problem], list[str]]:
    """The OneRoster version, each file's mode (bulk, delta or absent), problems and notes."""
    problems: list[Problem] = []
    notes: list[str] = []
    empty: list[str] = []
    modes: dict[str, str] = {}
    version = ""
    if source.has("manifest.csv"):
        scratch = Roster(version="")
        for where, row in csv_rows(source, "manifest.csv", problems, scratch):
            prop, value = row.get("propertyName", ""), row.get("value", "").strip().lower()
            if prop == "oneroster.version":
                version = row.get("value", "").strip()
            elif prop.startswith("file."):
                kind = prop[len("file.") :]
                if not value:
                    # Published sets leave the files they do not ship blank.
                    empty.append(prop)
                    value = "absent"
                if value not in ("bulk", "delta", "absent"):
                    problems.append(Problem(where, f"{prop} is {value!r}", "write bulk, delta or absent"))
                elif kind in KINDS:
                    modes[kind] = value
                    modes[prop] = value  # remembers that the manifest said it
        if version and not (version.startswith("1.1") or version.startswith("1.2")):
            raise RosterError(
                Problem("manifest.csv", f"names OneRoster {version!r}", "export OneRoster 1.1 or 1.2")
            )
    if empty:
        notes.append(f"manifest.csv leaves {', '.join(empty)} empty; read as absent")
    version = version[:3] if version else ("1.2" if source.has("roles.csv") else "1.1")
    for kind in KINDS:
        if kind not in modes:
            modes[kind] = "bulk" if source.has(f"{kind}.csv") else "absent"
        elif modes[kind] != "absent" and not source.has(f"{kind}.csv"):
            problems.append(
                Problem(
                    "manifest.csv", f"names {kind}.csv as {modes[kind]} but the file is missing", "add it"
                )
            )
    return version, modes, problems, notes


def detect_version(folder: Path) -> str:
    source = Source(folder)
    try:
        return read_manifest(source)[0]
    finally:
        source.close()


def read_roster(path: Path, progress: Progress | None = None, options: ReadOptions | None = None) -> Roster:
    """Read a folder or .zip of OneRoster CSV files."""
    source = Source(path)
    try:
        version, modes, problems, notes = read_manifest(source)
        if not any(m != "absent" for k, m in modes.items()):
            raise RosterError(
                Problem(
                    str(path),
                    "holds no OneRoster files",
                    "export orgs, academicSessions, classes, users, enrollments",
                )
            )
        declared = any(k.startswith("file.") for k in modes)
        if not declared:
            missing = [f"{k}.csv" for k in BULK_REQUIRED if modes[k] == "absent"]
            if missing:
                raise RosterError(
                    Problem(
                        str(path),
                        f"lacks {', '.join(missing)}",
                        "export the OneRoster bulk files (orgs, academicSessions, classes, users, "
                        "enrollments), or add a manifest.csv that names the delta files",
                    )
                )
        roster = Roster(version=version, modes=modes)
        roster.notes.extend(notes)
        tables: dict[str, Rows] = {
            kind: csv_rows(source, f"{kind}.csv", problems, roster)
            for kind in KINDS
            if modes[kind] != "absent"
        }
        build_roster(roster, tables, problems, progress, options or ReadOptions())
        return roster
    finally:
        source.close()
