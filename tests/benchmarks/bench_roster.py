"""Benchmark: a roster the size of Oslo through ``skolebro roster import``.

Generates a OneRoster 1.2 CSV export shaped like FINT's (term-only sessions
with the year in ``schoolYear``, ``{Feide:…}`` user ids, teaching groups
without grades): 180 schools under one district, 90,000 pupils in classes
of 20 with 7 teaching groups each, 150,000 guardians, 12,000 staff, about
1.4 million rows. Then runs the real command line three times against a
fresh embedded PostgreSQL and prints wall time and the peak memory (RSS) of
the importing process for each:

  1. the first import into an empty database,
  2. an unchanged re-run of the same files,
  3. a 1 % delta (a delta manifest: 2,500 users changed, 250 of them
     tobedeleted, 4,500 enrollments moved).

Goals: first import <= 3 min, re-run <= 60 s, memory <= 500 MB on 2 cores.

Run:  .venv/bin/python -m tests.benchmarks.bench_roster [--schools 180 --pupils 90000]
Not collected by pytest (no test_ prefix).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from backend.roster.names import FIRST_NAMES, SURNAMES
from tests.support.roster_sets import COLUMNS

SUBJECTS = ("Norsk", "Matematikk", "Engelsk", "Naturfag", "Samfunnsfag", "KRLE", "Kroppsøving")
MODIFIED = "2026-08-01T00:00:00Z"


class Writer:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: dict[str, tuple[object, csv.DictWriter[str]]] = {}
        self.rows = 0

    def row(self, kind: str, **values: str) -> None:
        if kind not in self.files:
            fh = (self.folder / f"{kind}.csv").open("w", newline="", encoding="utf-8")
            w = csv.DictWriter(fh, fieldnames=COLUMNS[kind], extrasaction="ignore")
            w.writeheader()
            self.files[kind] = (fh, w)
        values.setdefault("status", "active")
        values.setdefault("dateLastModified", MODIFIED)
        self.files[kind][1].writerow(values)
        self.rows += 1

    def close(self, modes: dict[str, str]) -> None:
        for fh, _ in self.files.values():
            fh.close()  # type: ignore[attr-defined]
        with (self.folder / "manifest.csv").open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["propertyName", "value"])
            w.writerow(["manifest.version", "1.0"])
            w.writerow(["oneroster.version", "1.2"])
            for kind in COLUMNS:
                w.writerow([f"file.{kind}", modes.get(kind, "bulk" if kind in self.files else "absent")])


def generate(folder: Path, schools: int, pupils: int, guardians: int, staff: int) -> dict[str, int]:
    rng = random.Random(2026)
    w = Writer(folder)
    w.row("orgs", sourcedId="oslo", name="Oslo kommune", type="district")
    w.row(
        "academicSessions",
        sourcedId="t-h26",
        title="Høst 2026",
        type="term",
        startDate="2026-08-17",
        endDate="2026-12-20",
        schoolYear="2027",
    )
    w.row(
        "academicSessions",
        sourcedId="t-v27",
        title="Vår 2027",
        type="term",
        startDate="2027-01-04",
        endDate="2027-06-18",
        schoolYear="2027",
    )
    per_school = pupils // schools
    staff_per_school = staff // schools
    pupil_no = 0
    for s in range(schools):
        org = f"skole-{s:03d}"
        w.row("orgs", sourcedId=org, name=f"Skole {s:03d}", type="school", parentSourcedId="oslo")
        teachers = [f"t-{s:03d}-{n:03d}" for n in range(staff_per_school)]
        for n, sid in enumerate(teachers):
            role = "administrator" if n == 0 else "teacher"
            user = f"{sid}.oslo"
            w.row(
                "users",
                sourcedId=sid,
                enabledUser="true",
                username=user,
                userIds=f"{{Feide:{user}@oslo.kommune.no}}",
                givenName=rng.choice(FIRST_NAMES),
                familyName=rng.choice(SURNAMES),
                primaryOrgSourcedId=org,
            )
            w.row(
                "roles",
                sourcedId=f"r-{sid}",
                userSourcedId=sid,
                roleType="primary",
                role=role,
                orgSourcedId=org,
            )
        classes = per_school // 20
        for c in range(classes):
            grade = 1 + c % 10
            cls = f"c-{s:03d}-{c:02d}"
            w.row(
                "classes",
                sourcedId=cls,
                title=f"{grade}{chr(65 + c // 10)}",
                grades=f"{grade:02d}",
                classType="homeroom",
                schoolSourcedId=org,
                termSourcedIds="t-h26,t-v27",
            )
            w.row(
                "enrollments",
                sourcedId=f"e-{cls}-t",
                classSourcedId=cls,
                schoolSourcedId=org,
                userSourcedId=teachers[1 + c % (len(teachers) - 1)],
                role="teacher",
                primary="true",
            )
            groups = [f"{cls}-{subject[:3].lower()}" for subject in SUBJECTS]
            for g, subject in zip(groups, SUBJECTS, strict=True):
                # FINT: teaching groups carry no grades.
                w.row(
                    "classes",
                    sourcedId=g,
                    title=f"{grade}{chr(65 + c // 10)} {subject}",
                    classType="scheduled",
                    schoolSourcedId=org,
                    termSourcedIds="t-h26,t-v27",
                    subjects=subject,
                )
                w.row(
                    "enrollments",
                    sourcedId=f"e-{g}-t",
                    classSourcedId=g,
                    schoolSourcedId=org,
                    userSourcedId=rng.choice(teachers[1:]),
                    role="teacher",
                    primary="false",
                )
            for _ in range(20):
                pid = f"p-{pupil_no:06d}"
                first = f"g-{pupil_no:06d}"
                agents = [first]
                if pupil_no < guardians - pupils:
                    agents.append(f"g-{pupils + pupil_no:06d}")
                user = f"elev{pupil_no:06d}"
                w.row(
                    "users",
                    sourcedId=pid,
                    enabledUser="true",
                    username=user,
                    userIds=f"{{Feide:{user}@oslo.kommune.no}}",
                    givenName=rng.choice(FIRST_NAMES),
                    familyName=rng.choice(SURNAMES),
                    grades=f"{grade:02d}",
                    agentSourcedIds=",".join(agents),
                    primaryOrgSourcedId=org,
                )
                w.row(
                    "roles",
                    sourcedId=f"r-{pid}",
                    userSourcedId=pid,
                    roleType="primary",
                    role="student",
                    orgSourcedId=org,
                )
                w.row("demographics", sourcedId=pid, birthDate=f"{2020 - grade}-{rng.randint(1, 12):02d}-15")
                w.row(
                    "enrollments",
                    sourcedId=f"e-{pid}",
                    classSourcedId=cls,
                    schoolSourcedId=org,
                    userSourcedId=pid,
                    role="student",
                    primary="false",
                )
                for g in groups:
                    w.row(
                        "enrollments",
                        sourcedId=f"e-{pid}-{g[-3:]}",
                        classSourcedId=g,
                        schoolSourcedId=org,
                        userSourcedId=pid,
                        role="student",
                        primary="false",
                    )
                for gid in agents:
                    w.row(
                        "users",
                        sourcedId=gid,
                        enabledUser="true",
                        username=f"foresatt.{gid}",
                        givenName=rng.choice(FIRST_NAMES),
                        familyName=rng.choice(SURNAMES),
                        identifier=f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(60, 99)}"
                        f"{rng.randint(10000, 99999)}",
                        agentSourcedIds=pid,
                        primaryOrgSourcedId=org,
                    )
                    w.row(
                        "roles",
                        sourcedId=f"r-{gid}",
                        userSourcedId=gid,
                        roleType="primary",
                        role="parent",
                        orgSourcedId=org,
                    )
                pupil_no += 1
    w.close({})
    return {"rows": w.rows, "pupils": pupil_no}


def generate_delta(folder: Path, schools: int, pupils: int, rng: random.Random) -> int:
    w = Writer(folder)
    later = "2026-11-20T00:00:00Z"
    for n in rng.sample(range(pupils), pupils // 36):  # 2,500 of Oslo's 90,000
        pid = f"p-{n:06d}"
        if n % 10 == 0:
            w.row("users", sourcedId=pid, status="tobedeleted", dateLastModified=later)
            continue
        w.row(
            "users",
            sourcedId=pid,
            enabledUser="true",
            username=f"elev{n:06d}",
            userIds=f"{{Feide:elev{n:06d}@oslo.kommune.no}}",
            givenName="Endret",
            familyName="Navn",
            grades="05",
            agentSourcedIds=f"g-{n:06d}",
            primaryOrgSourcedId="skole-000",
            dateLastModified=later,
        )
        w.row(
            "roles",
            sourcedId=f"r-{pid}",
            userSourcedId=pid,
            roleType="primary",
            role="student",
            orgSourcedId="skole-000",
            dateLastModified=later,
        )
    for n in rng.sample(range(pupils), pupils // 40):
        pid = f"p-{n:06d}"
        per_school = pupils // schools
        school, c = n // per_school, (n % per_school) // 20
        cls = f"c-{school:03d}-{c:02d}-nor"
        other = f"c-{school:03d}-{(c + 1) % (per_school // 20):02d}-nor"
        w.row(
            "enrollments",
            sourcedId=f"e-{pid}-nor",
            status="tobedeleted",
            classSourcedId=cls,
            userSourcedId=pid,
            role="student",
            dateLastModified=later,
        )
        w.row(
            "enrollments",
            sourcedId=f"e-{pid}-nor2",
            classSourcedId=other,
            schoolSourcedId=f"skole-{school:03d}",
            userSourcedId=pid,
            role="student",
            primary="false",
            dateLastModified=later,
        )
    w.close({k: "delta" for k in ("users", "roles", "enrollments")})
    return w.rows


def run_import(dsn: str, folder: Path, data_dir: Path) -> tuple[float, float, str]:
    """Wall seconds, peak RSS in MB of the importing process, and its summary."""
    env = {
        **os.environ,
        "DATABASE_URL": dsn,
        "SKOLEBRO_ENV": "dev",
        "SKOLEBRO_DATA_DIR": str(data_dir),
        "SKOLEBRO_LOG_LEVEL": "warning",
        # The guardians' national identity numbers are hashed, as in production.
        "SKOLEBRO_ROSTER_NATIONAL_ID_COLUMN": "identifier",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend.app.cli", "roster", "import", str(folder)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        print(out)
        raise SystemExit("import failed")
    return elapsed, usage.ru_maxrss / 1024, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=180)
    parser.add_argument("--pupils", type=int, default=90000)
    parser.add_argument("--guardians", type=int, default=150000)
    parser.add_argument("--staff", type=int, default=12000)
    parser.add_argument("--verbose", action="store_true", help="print each run's progress and summary")
    args = parser.parse_args()
    import pgserver

    with tempfile.TemporaryDirectory(prefix="skolebro-bench-roster-") as tmp:
        root = Path(tmp)
        bulk, delta = root / "bulk", root / "delta"
        bulk.mkdir()
        delta.mkdir()
        started = time.perf_counter()
        sizes = generate(bulk, args.schools, args.pupils, args.guardians, args.staff)
        delta_rows = generate_delta(delta, args.schools, sizes["pupils"], random.Random(7))
        took = time.perf_counter() - started
        print(f"generated {sizes['rows']:,} rows (+ a delta of {delta_rows:,}) in {took:.1f}s")
        server = pgserver.get_server(root / "pgdata", cleanup_mode="stop")
        try:
            dsn = str(server.get_uri())
            for label, folder in (("first import", bulk), ("unchanged re-run", bulk), ("1 % delta", delta)):
                elapsed, peak, out = run_import(dsn, folder, root / "data")
                print(f"{label:<18} {elapsed:7.1f} s   peak RSS {peak:6.0f} MB", flush=True)
                if args.verbose:
                    print(out)
        finally:
            server.cleanup()
    print(f"load average now: {os.getloadavg()}")


if __name__ == "__main__":
    main()
