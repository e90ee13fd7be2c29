"""Small OneRoster 1.2 sets in the shapes real exports have, as tables of rows.

One set can be written as CSV files (a folder, a .zip, comma or semicolon,
bulk or delta per manifest) or served by the fake REST provider
(tests/fakes/oneroster.py), so tests can check that both give one database.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path

Tables = dict[str, list[dict[str, str]]]

COLUMNS = {
    "orgs": ["sourcedId", "status", "dateLastModified", "name", "type", "identifier", "parentSourcedId"],
    "academicSessions": [
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ],
    "classes": [
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
    ],
    "users": [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "primaryOrgSourcedId",
        "metadata.agentAccess",
    ],
    "roles": [
        "sourcedId",
        "status",
        "dateLastModified",
        "userSourcedId",
        "roleType",
        "role",
        "orgSourcedId",
        "userProfileSourcedId",
        "beginDate",
        "endDate",
    ],
    "enrollments": [
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ],
    "demographics": ["sourcedId", "status", "dateLastModified", "birthDate", "sex"],
}
MODIFIED = "2026-08-01T00:00:00Z"


def national_id(n: int) -> str:
    return f"0101{n:07d}"


def small_set(
    *,
    term_only: bool = True,
    vg: bool = False,
    pupils: int = 3,
    grades_on_classes: bool = True,
    owner: str = "Vestland fylkeskommune",
) -> Tables:
    """One school under a district org, one homeroom, one teaching group.

    ``term_only``: two terms and no schoolYear-type session (FINT, Visma), the
    year only in the ``schoolYear`` column. ``vg``: upper secondary (VG1).
    """
    t: Tables = {k: [] for k in COLUMNS}
    t["orgs"] = [
        {"sourcedId": "org-owner", "name": owner, "type": "district"},
        {
            "sourcedId": "org-lia",
            "name": "Lia skule",
            "type": "school",
            "identifier": "975000001",
            "parentSourcedId": "org-owner",
        },
        {
            "sourcedId": "org-lia-dept",
            "name": "Lia skule, trinn 1-4",
            "type": "department",
            "parentSourcedId": "org-lia",
        },
    ]
    if term_only:
        t["academicSessions"] = [
            {
                "sourcedId": "t-haust",
                "title": "Haust 2026",
                "type": "term",
                "startDate": "2026-08-17",
                "endDate": "2026-12-20",
                "schoolYear": "2027",
            },
            {
                "sourcedId": "t-vaar",
                "title": "Vår 2027",
                "type": "term",
                "startDate": "2027-01-04",
                "endDate": "2027-06-18",
                "schoolYear": "2027",
            },
        ]
        terms = "t-haust,t-vaar"
    else:
        t["academicSessions"] = [
            {
                "sourcedId": "sy-2026",
                "title": "2026–2027",
                "type": "schoolYear",
                "startDate": "2026-08-17",
                "endDate": "2027-06-18",
                "schoolYear": "2027",
            },
            {
                "sourcedId": "t-haust",
                "title": "Haust",
                "type": "term",
                "startDate": "2026-08-17",
                "endDate": "2026-12-20",
                "parentSourcedId": "sy-2026",
                "schoolYear": "2027",
            },
        ]
        terms = "sy-2026"
    grade = "VG1" if vg else "04"
    t["classes"] = [
        {
            "sourcedId": "cls-a",
            "title": "1STA" if vg else "4A",
            "grades": grade if grades_on_classes else "",
            "classType": "homeroom",
            "schoolSourcedId": "org-lia",
            "termSourcedIds": terms,
        },
        {
            "sourcedId": "grp-mat",
            "title": "Matematikk",
            "grades": grade if grades_on_classes else "",
            "classType": "scheduled",
            "schoolSourcedId": "org-lia-dept",
            "termSourcedIds": "t-haust",
            "subjects": "Matematikk",
        },
    ]
    people = [
        ("u-teacher", "teacher", "lia.teacher", "Liv", "Lærar", ""),
        ("u-rektor", "administrator", "lia.rektor", "Rut", "Rektor", ""),
    ]
    t["enrollments"] = [
        {
            "sourcedId": "e-t1",
            "classSourcedId": "cls-a",
            "userSourcedId": "u-teacher",
            "role": "teacher",
            "primary": "true",
        },
        {
            "sourcedId": "e-t2",
            "classSourcedId": "grp-mat",
            "userSourcedId": "u-teacher",
            "role": "teacher",
            "primary": "false",
        },
    ]
    for n in range(1, pupils + 1):
        people.append((f"u-p{n}", "student", f"lia.p{n}", f"Elev{n}", "Lia", f"u-g{n}"))
        people.append((f"u-g{n}", "parent", f"lia.g{n}", f"Forelder{n}", "Lia", f"u-p{n}"))
        for cls in ("cls-a", "grp-mat"):
            t["enrollments"].append(
                {
                    "sourcedId": f"e-{cls}-{n}",
                    "classSourcedId": cls,
                    "userSourcedId": f"u-p{n}",
                    "role": "student",
                    "primary": "false",
                }
            )
        t["demographics"].append(
            {"sourcedId": f"u-p{n}", "birthDate": f"{2010 if vg else 2017}-04-0{n % 9 + 1}", "sex": "female"}
        )
    for sid, role, username, given, family, agents in people:
        t["users"].append(
            {
                "sourcedId": sid,
                "enabledUser": "true",
                "username": username,
                "userIds": "" if role == "parent" else f"{{Feide:{username}@lia.no}}",
                "givenName": given,
                "familyName": family,
                "identifier": national_id(int(sid[3:])) if role == "parent" else "",
                "agentSourcedIds": agents,
                "grades": grade if role == "student" else "",
                "primaryOrgSourcedId": "org-lia",
            }
        )
        t["roles"].append(
            {
                "sourcedId": f"r-{sid}",
                "userSourcedId": sid,
                "roleType": "primary",
                "role": role,
                "orgSourcedId": "org-lia",
            }
        )
    for kind in t:
        for row in t[kind]:
            row.setdefault("status", "active")
            row.setdefault("dateLastModified", MODIFIED)
    return t


def write_csv(
    tables: Tables,
    folder: Path,
    *,
    delimiter: str = ",",
    modes: dict[str, str] | None = None,
    version: str = "1.2",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.csv"):
        old.unlink()
    manifest = [["manifest.version", "1.0"], ["oneroster.version", version]]
    for kind, columns in COLUMNS.items():
        mode = (modes or {}).get(kind, "bulk" if tables.get(kind) else "absent")
        manifest.append([f"file.{kind}", mode])
        if mode == "absent":
            continue
        with (folder / f"{kind}.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh, delimiter=delimiter)
            w.writerow(columns)
            for row in tables.get(kind, []):
                w.writerow([row.get(c, "") for c in columns])
    with (folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(["propertyName", "value"])
        w.writerows(manifest)
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
        for f in sorted(folder.glob("*.csv")):
            z.write(f, f"export/{f.name}")
    return target
