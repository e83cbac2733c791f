"""Ledger migration benchmark: checking and importing the go-live workbook.

Builds the dummy ledger of ``flask demo-ledger`` (90,000 people, five fiscal
years, about 130,000 passes, with the clerks' faults; ``--quick``: 10,000
people) and the matching host extract, applies the extract, then measures on
SQLite and on PostgreSQL, each in a fresh process on a copy of that database:

* **check** — ``flask ledger check`` (dry run): read, compare with every
  resident and pass, the run record and its report lines;
* **import** — ``flask ledger import``: the same, then every person, pass,
  history row and counter written in ONE transaction;
* **read alone** — the same workbook read by python-calamine (every row of
  every sheet as Python lists) and by openpyxl ``read_only`` (``iter_rows``),
  the floor and the stock way of reading it;
* **peak memory** — VmHWM of the measuring process, and of the application
  alone before it starts.

Targets (issue 10): check ≤ 15 s, import ≤ 30 s on SQLite and ≤ 45 s on
PostgreSQL, peak ≤ 500 MB.  Usage: ``.venv/bin/python bench/ledger_import.py
[--quick] [--people N] [--db sqlite|postgresql|both]`` (issue 17: a ledger
of 500,000 rows, ``--people 350000``, checked and imported in ≤ 60 s); writes
``bench/results/ledger_import.json``.  PostgreSQL is reached at
``BENCH_PG_URL`` (default ``…/fureai_bench_ledger``).
"""

import argparse
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _targets as databases  # noqa: E402

RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "instance" / "bench" / "ledger"
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/fureai_bench_ledger"
)
FULL_COUNT, QUICK_COUNT = 90_000, 10_000
SEED = 7
HOLDERS = 0.395
TARGETS = {"check_s": 15.0, "import_sqlite_s": 30.0, "import_postgresql_s": 45.0, "peak_mb": 500}


def _peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _make_app(url):
    from app import create_app
    from config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = url
        HOST_INBOX_DIR = str(WORK / "inbox")
        LEDGER_UPLOAD_DIR = str(WORK / "uploads")

    return create_app(BenchConfig)


def _build(count):
    from app.demo.ledger import build_demo_ledger
    from app.hostlink import demo

    WORK.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    # The demo history has about 73 % of the people holding a pass each year;
    # the ward about 29 % (25,972 of 89,086): the 130,000 passes.
    data, summary = build_demo_ledger(count, seed=SEED, years=5, holders=HOLDERS)
    (WORK / "ledger.xlsx").write_bytes(data)
    built = time.perf_counter() - started
    (name, extract, _),  = demo.build_demo_extracts(count, SEED, demo_day())  # fmt: skip
    (WORK / "extract.DAT").write_bytes(extract)
    return {"ledger_mb": len(data) / 1e6, "build_s": built, "people": summary["people"],
            "passes": summary["passes"], "rejects": len(summary["rejects"])}  # fmt: skip


def demo_day():
    from app import clock
    from app.hostlink.status import expected_as_of

    return expected_as_of(clock.today())


def _prepare(url):
    """Migrate, set up, one account, and apply the host extract."""
    from flask_migrate import upgrade

    from app import setup
    from app.hostlink import imports
    from app.security import accounts

    app = _make_app(url)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="head")
        setup.initialise()
        accounts.create_user(username="migrator", role_name="Supervisor", office_code="HQ",
                             full_name="移行 担当", password="bench-password-0001",
                             must_change_password=False)  # fmt: skip
        outcome = imports.import_file(
            WORK / "extract.DAT", trigger="command", require_trigger=False
        )
        return {"extract": outcome.status, "added": outcome.counts.get("added")}


def _ledger_run(url, action):
    from app.extensions import appbuilder
    from app.migration import runs

    app = _make_app(url)
    with app.app_context():
        user = appbuilder.sm.find_user(username="migrator")
        baseline = _peak_mb()
        started = time.perf_counter()
        data = (WORK / "ledger.xlsx").read_bytes()
        run_id = runs.start_run("ledger.xlsx", data, trigger="command", user=user)
        run = getattr(runs, action)(run_id, data, user=user)
        seconds = time.perf_counter() - started
        return {"status": run.status, "seconds": seconds, "peak_mb": _peak_mb(),
                "baseline_mb": baseline, "people": run.summary["people"],
                "passes": run.summary["passes"], "reason": run.reason}  # fmt: skip


def _read(mode):
    data = (WORK / "ledger.xlsx").read_bytes()
    baseline = _peak_mb()
    started = time.perf_counter()
    rows = 0
    if mode == "calamine":
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        for name in workbook.sheet_names:
            rows += sum(1 for _ in workbook.get_sheet_by_name(name).iter_rows())
    else:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        for sheet in workbook.worksheets:
            rows += sum(1 for _ in sheet.iter_rows(values_only=True))
        workbook.close()
    return {"seconds": time.perf_counter() - started, "rows": rows, "peak_mb": _peak_mb(),
            "baseline_mb": baseline}  # fmt: skip


def worker(mode, url, arg):
    if mode == "build":
        result = _build(int(arg))
    elif mode == "prepare":
        result = _prepare(url)
    elif mode in ("check", "import"):
        result = _ledger_run(url, "check_ledger" if mode == "check" else "import_ledger")
    else:
        result = _read(mode)
    print(json.dumps(result, ensure_ascii=False))


def _run_worker(mode, url="", arg=""):
    proc = subprocess.run(
        [sys.executable, __file__, "--worker", mode, "--url", url, "--arg", str(arg)],
        cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, PYTHONHASHSEED="0"),
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"worker {mode} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def measure(target):
    print(f"=== {target.name}", flush=True)
    target.fresh()
    prepared = _run_worker("prepare", target.url)
    print(f"  host extract applied: {prepared}", flush=True)
    target.save()
    figures = {"check": _run_worker("check", target.url)}
    target.restore()
    figures["import"] = _run_worker("import", target.url)
    for key, value in figures.items():
        print(f"  {key:8} {value['seconds']:7.2f} s  peak {value['peak_mb']:5.0f} MB "
              f"(application alone {value['baseline_mb']:.0f} MB)  {value['status']}  "
              f"people {value['people']}  passes {value['passes']}", flush=True)  # fmt: skip
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--people", type=int, help="people of the ledger (default 90,000; 350,000 ≈ 500,000 rows)"
    )
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--arg", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.url, args.arg)
        return 0
    count = args.people or (QUICK_COUNT if args.quick else FULL_COUNT)
    built = _run_worker("build", arg=count)
    print(f"ledger benchmark: {built}", flush=True)
    results = {"built": built, "targets": TARGETS, "cpu_count": os.cpu_count(),
               "measured_at": time.strftime("%Y-%m-%d %H:%M:%S")}  # fmt: skip
    results["read"] = {mode: _run_worker(mode) for mode in ("calamine", "openpyxl")}
    for mode, value in results["read"].items():
        print(f"  read alone, {mode:9} {value['seconds']:6.2f} s  {value['rows']:,} rows  "
              f"peak {value['peak_mb']:.0f} MB", flush=True)  # fmt: skip
    targets = {
        "sqlite": [databases.SQLiteTarget(WORK)],
        "postgresql": [databases.PostgresTarget(PG_URL)],
    }
    chosen = targets["sqlite"] + targets["postgresql"] if args.db == "both" else targets[args.db]
    for target in chosen:
        results[target.name] = measure(target)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "ledger_import-quick" if args.quick else "ledger_import"
    out = RESULTS / (f"{name}-{count}.json" if args.people else f"{name}.json")
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"written {out.relative_to(ROOT)}")
    bad = [t.name for t in chosen if results[t.name]["import"]["status"] != "applied"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
