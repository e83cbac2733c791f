"""Host-link benchmark: applying a full extract and a fortnight's extract.

Builds dummy extracts from :func:`app.demo.people.generate_people` (89,086
people; ``--quick``: 10,000) — a first snapshot, and one a fortnight later
with about 1 % new, 2 % changed and 1 % leaving — and measures, on SQLite and
on PostgreSQL, each in a fresh process:

* **read-slice-decode**: reading the file, slicing every field of every record
  by its byte offsets and decoding it from CP932 — the floor any importer pays;
* **parse**: :func:`app.hostlink.parser.parse_extract` (validation included);
* **import (ours)**: :func:`app.hostlink.imports.import_file` end to end — read,
  SHA-256, parse a chunk at a time into a staging table, compare with every
  resident in SQL, one transaction of bulk writes and history, the run
  records — into an empty database (full) and into the loaded one (fortnight);
* **naive per-row ORM upsert** (stock, for comparison only): one ORM query per
  record, attribute assignment, history rows through the ORM, one commit;
* **peak memory**: ``ru_maxrss`` of the importing process (the application
  itself included) and of the application alone before the import.

Each figure is measured in a fresh process; the read-slice-decode and parse
times of a file are measured right after its import, in the same run.

Usage: ``.venv/bin/python bench/hostlink.py [--quick] [--db sqlite|postgresql|both]
[--no-naive] [--naive-full] [--people 89086,1200000]`` (several sizes: each
measured in turn, then each figure at the largest against the smallest) (the per-row variant of the full load takes
minutes, so it runs only when asked).  Prints the figures and writes
``bench/results/hostlink.json``.
PostgreSQL is reached at ``BENCH_PG_URL`` (default
``postgresql+psycopg2://postgres@127.0.0.1:5432/fureai_bench_hostlink``).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _targets as databases  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "instance" / "bench" / "hostlink"
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/fureai_bench_hostlink"
)
FULL_COUNT, QUICK_COUNT = 89_086, 10_000
AS_OF = date(2026, 4, 1)
REFERENCE = date(2026, 4, 1)
TARGETS = {"sqlite_seconds": 4.0, "postgresql_seconds": 6.0, "peak_mb": 300,
           "times_read_slice_decode": 4.0}  # fmt: skip


# -- the measuring process ---------------------------------------------------------


def _maxrss_mb():
    """Peak resident set size of this process (VmHWM).

    ``ru_maxrss`` would do, except that Linux carries the parent's size at
    fork over an exec; the conductor is kept small anyway (files are built in
    a worker), and both are reported.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _make_app(url):
    from app import create_app
    from config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        HOST_INBOX_DIR = str(WORK / "inbox")

    return create_app(BenchConfig)


def read_slice_decode(path):
    """Read the file and decode every field of every data record; nothing else."""
    from app.hostlink.parser import DATA_FIELDS

    data = Path(path).read_bytes()
    slices = [(offset, offset + width) for _name, offset, width in DATA_FIELDS]
    records = []
    for line in data.split(b"\r\n")[1:-2]:
        records.append([line[a:b].decode("cp932") for a, b in slices])
    return len(records)


def _naive_apply(path, app):
    """Per-row ORM upsert: what one would write without thinking of volume."""
    from app import clock
    from app.extensions import db
    from app.history import services as history
    from app.hostlink.parser import parse_extract
    from app.residents.models import Resident

    result = parse_extract(Path(path).read_bytes())
    as_of = result.header.as_of
    fields = ("name", "kana", "sex", "birth_date", "postal_code", "address", "address2",
              "phone", "is_elderly", "is_disabled", "is_child_allowance", "has_gaiji")  # fmt: skip
    reasons = {2: "moved_out", 3: "deceased", 4: "struck_off"}
    counts = dict.fromkeys(("added", "updated", "excluded", "reinstated", "unchanged"), 0)
    seen = set()
    session = db.session
    # Without autoflush every query would first flush the changes so far.
    session.autoflush = False
    for record in result.records:
        seen.add(record.resident_no)
        person = session.query(Resident).filter_by(resident_no=record.resident_no).one_or_none()
        if person is None:
            if record.is_eligible:
                person = Resident(resident_no=record.resident_no, status="active", version=1,
                                  **{f: getattr(record, f) for f in fields})  # fmt: skip
                person.set_search_keys()
                session.add(person)
                session.flush()
                history.record("resident", person.id, person.id, "create", {},
                               source="naive")  # fmt: skip
                counts["added"] += 1
            continue
        changes = {}
        for f in fields:
            if getattr(person, f) != getattr(record, f):
                changes[f] = [getattr(person, f), getattr(record, f)]
                setattr(person, f, getattr(record, f))
        action = "update"
        if record.status in reasons and person.status == "active":
            changes["status"] = [person.status, "excluded"]
            person.status, person.excluded_on = "excluded", record.status_changed_on
            person.exclusion_reason, action = reasons[record.status], "exclude"
        elif not record.is_eligible and person.status == "active":
            changes["status"] = [person.status, "excluded"]
            person.status, person.excluded_on = "excluded", as_of
            person.exclusion_reason, action = "lost_eligibility", "exclude"
        elif record.is_eligible and person.status != "active":
            changes["status"] = [person.status, "active"]
            person.status, person.excluded_on, person.exclusion_reason = "active", None, None
            action = "reinstate"
        if changes:
            person.set_search_keys()
            history.record("resident", person.id, person.id, action, changes, source="naive")
            counts["excluded" if action == "exclude" else action + "d" if action == "update"
                   else "reinstated"] += 1  # fmt: skip
        else:
            counts["unchanged"] += 1
    for person in session.query(Resident).filter_by(status="active"):
        if person.resident_no not in seen:
            person.status, person.excluded_on = "excluded", as_of
            person.exclusion_reason, person.needs_review = "not_extracted", True
            history.record("resident", person.id, person.id, "exclude",
                           {"status": ["active", "excluded"]}, source="naive")  # fmt: skip
            counts["excluded"] += 1
    session.commit()
    del clock
    return counts


def worker(mode, url, path):
    """Measure one thing in this (fresh) process; print one JSON line."""
    if mode == "build":
        print(json.dumps({"files": _build_files(int(path))}))
        return
    app = _make_app(url)
    out = {"mode": mode}
    with app.app_context():
        if mode == "migrate":
            from flask_migrate import upgrade

            upgrade(directory=app.extensions["migrate"].directory, revision="heads")
            print(json.dumps(out))
            return
        from app.hostlink import imports
        from app.hostlink.parser import parse_extract

        if mode == "decode":
            # Its own process: what it allocates must not count as the import's peak.
            started = time.perf_counter()
            read_slice_decode(path)
            out["read_slice_decode_s"] = time.perf_counter() - started
            started = time.perf_counter()
            parse_extract(Path(path).read_bytes())
            out["parse_s"] = time.perf_counter() - started
            print(json.dumps(out))
            return
        out["baseline_mb"] = _maxrss_mb()
        started = time.perf_counter()
        if mode == "import":
            outcome = imports.import_file(Path(path), trigger="command", require_trigger=False)
            out["status"] = outcome.status
            out["counts"] = outcome.counts
        else:
            out["counts"] = _naive_apply(path, app)
            out["status"] = "applied"
        out["seconds"] = time.perf_counter() - started
        out["peak_mb"] = _maxrss_mb()
        out["ru_maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


# -- the conductor ----------------------------------------------------------------------


def _run_worker(mode, url, path=""):
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--url", url, "--file", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=dict(os.environ, PYTHONHASHSEED="0"),
    )
    if proc.returncode != 0:
        raise RuntimeError(f"worker {mode} failed:\n{proc.stderr[-3000:]}")
    if mode == "build":
        print(proc.stderr, end="")
    return json.loads(proc.stdout.strip().splitlines()[-1])


class SQLiteTarget(databases.SQLiteTarget):
    def fresh(self):
        super().fresh()
        _run_worker("migrate", self.url)


class PostgresTarget(databases.PostgresTarget):
    def fresh(self):
        super().fresh()
        _run_worker("migrate", self.url)


def _build_files(count):
    from app.hostlink import demo

    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = demo.build_demo_extracts(count, seed=1, as_of=AS_OF, changes=True,
                                     reference=REFERENCE)  # fmt: skip
    paths = []
    for name, data, summary in files:
        paths.append(str(demo.write_extract(WORK / "files", name, data)))
        print(f"  {name}: {len(data):,} bytes {summary}", file=sys.stderr)
    print(f"  built in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return paths


def measure(target, full_file, fortnight_file, naive, naive_full):
    print(f"=== {target.name}")
    figures = {}
    target.fresh()
    if naive_full:
        figures["full_naive"] = _run_worker("naive", target.url, full_file)
        target.fresh()
    figures["full"] = _run_worker("import", target.url, full_file)
    target.save()
    figures["fortnight"] = _run_worker("import", target.url, fortnight_file)
    if naive:
        target.restore()
        figures["fortnight_naive"] = _run_worker("naive", target.url, fortnight_file)
    for key, value in figures.items():
        file = full_file if key.startswith("full") else fortnight_file
        value.update(_run_worker("decode", target.url, file))
        ratio = value["seconds"] / value["read_slice_decode_s"]
        value["times_read_slice_decode"] = ratio
        print(
            f"  {key:16} {value['seconds']:7.2f} s  (read-slice-decode "
            f"{value['read_slice_decode_s']:.2f} s, {ratio:4.1f}x; parse {value['parse_s']:.2f} s)"
            f"  peak {value['peak_mb']:.0f} MB (application alone {value['baseline_mb']:.0f} MB)"
            f"  {value['counts']}"
        )
    return figures


# Issue 17 at 1.2 million people on PostgreSQL.
LARGE_CITY_TARGETS = {"fortnight_seconds": 60, "peak_mb": 1024, "full_times_read_slice_decode": 4}


def _print_growth(results, sizes):
    """Each figure at the largest size against the smallest (how it grows)."""
    first, last = sizes[0], sizes[-1]
    print(f"=== growth, {first:,} → {last:,} people ({last / first:.1f} × the people)")
    for name in ("sqlite", "postgresql"):
        small, large = results.get(f"{name} {first}"), results.get(f"{name} {last}")
        if not small or not large:
            continue
        for key in ("full", "fortnight"):
            a, b = small[key], large[key]
            print(
                f"  {name:10} {key:9} {a['seconds']:7.2f} s → {b['seconds']:7.2f} s"
                f" ({b['seconds'] / a['seconds']:.1f} ×); peak {a['peak_mb']:.0f} →"
                f" {b['peak_mb']:.0f} MB; {b['times_read_slice_decode']:.1f} × read-slice-decode"
            )
    print(f"  targets at 1.2 million (PostgreSQL): {LARGE_CITY_TARGETS}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--people", help="sizes to measure, comma-separated (default 89086; e.g. 89086,1200000)"
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--no-naive", action="store_true", help="skip the per-row ORM variant")
    parser.add_argument(
        "--naive-full", action="store_true", help="also load the full file the per-row way (slow)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.file)
        return 0
    sizes = [int(n) for n in args.people.split(",")] if args.people else []
    sizes = sizes or [QUICK_COUNT if args.quick else FULL_COUNT]
    results = {
        "people": sizes[0] if len(sizes) == 1 else sizes,
        "cpu_count": os.cpu_count(),
        "targets": TARGETS,
        "targets_large_city": LARGE_CITY_TARGETS,
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    for count in sizes:
        print(f"host extract benchmark: {count:,} people")
        # Built in a worker: the people take memory this process must not hold.
        full_file, fortnight_file = _run_worker("build", "", count)["files"]
        targets = []
        if args.db in ("sqlite", "both"):
            targets.append(SQLiteTarget(WORK))
        if args.db in ("postgresql", "both"):
            targets.append(PostgresTarget(PG_URL))
        for target in targets:
            key = target.name if len(sizes) == 1 else f"{target.name} {count}"
            results[key] = measure(
                target, full_file, fortnight_file, not args.no_naive, args.naive_full
            )
    if len(sizes) > 1:
        _print_growth(results, sizes)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / ("hostlink-quick.json" if args.quick else "hostlink.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written {out.relative_to(ROOT)}")
    failed = [
        (name, key)
        for name, figures in results.items()
        if name.split(" ")[0] in ("sqlite", "postgresql")
        for key in ("full", "fortnight")
        if figures[key]["status"] != "applied"
    ]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
