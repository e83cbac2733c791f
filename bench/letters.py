"""Letters benchmark: the annual mass mailing end to end, and the daily checklist.

Builds a fresh SQLite database under ``instance/bench/`` with dummy people from
:func:`app.demo.people.generate_people`, each holding a valid pass for fiscal
2025, then measures on this machine:

* **mass mailing** (ours): selection, 26,000 passes in one transaction, the
  letters in files of ``MASS_MAILING_BATCH_SIZE`` rendered by 2 processes
  (shared part drawn once per file), the mailing lists, the CSV and the totals
  — wall time, letters per second, peak memory of all processes (sum of the
  resident set sizes of this process and its children, sampled every 0.2 s),
  size of the output;
* **plain xhtml2pdf** (stock): the same template with every letter complete,
  in one document, in one process — letters per second and peak memory;
* **daily checklist**: 2,000 entries of one day, all offices.

Usage: ``.venv/bin/python bench/letters.py [--quick]`` (``--quick``: 2,000
letters and a 500-entry checklist).  ``--scaling 1,2 [--letters 6000]``
measures only the mass mailing, once with each number of rendering processes,
and fits ``T(L, N) = L × issue + L × render / N`` to give a large city's
400,000 letters (issue 17).  Prints the figures and writes
``bench/results/letters.json``.
"""

import argparse
import io
import json
import os
import resource
import shutil
import sys
import threading
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procfs import process_tree, rss_kb  # noqa: E402  (bench/, the script's folder)

RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "instance" / "bench" / "letters"
MARCH_DAY = datetime(2026, 3, 23, 10, 0)
CHECKLIST_DAY = date(2026, 3, 24)
TARGETS = {"mass_mailing_seconds": 180, "peak_memory_mb": 500, "output_mb": 100,
           "checklist_seconds": 20}  # fmt: skip


class MemorySampler(threading.Thread):
    """Peak of the summed RSS of this process and all its descendants."""

    def __init__(self):
        super().__init__(daemon=True)
        self.peak_kb = 0
        self._halt = threading.Event()

    def sample(self):
        total = sum(rss_kb(p) for p in process_tree(os.getpid()))
        self.peak_kb = max(self.peak_kb, total)

    def run(self):
        while not self._halt.is_set():
            self.sample()
            time.sleep(0.2)

    def stop(self):
        self._halt.set()
        self.join()
        self.sample()
        return round(self.peak_kb / 1024)


def build_app(db_path, output_dir, workers=2):
    from flask_migrate import upgrade

    from app import create_app, setup
    from app.security import accounts
    from config import DevelopmentConfig

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        OUTPUT_DIR = str(output_dir)
        MASS_MAILING_WORKERS = workers

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        setup.initialise()
        accounts.create_user(username="bench-supervisor", role_name="Supervisor",
                             office_code="HQ", full_name="試験 係長",
                             password="correct-horse-battery-staple-42",
                             must_change_password=False)  # fmt: skip
    return app


def load_people(count):
    """``count`` people with a valid fiscal-2025 pass (bulk inserts)."""
    from sqlalchemy import insert, select

    from app.demo.people import generate_people
    from app.extensions import db
    from app.offices.models import Office
    from app.passes.models import ControlNumberCounter, Issuance
    from app.residents.models import Resident
    from app.text.kana import name_key, normalize_kana_query

    people = generate_people(count, seed=0, reference=date(2025, 4, 1))
    now = datetime(2025, 6, 1, 9, 0)
    for p in people:
        p.update(name_key=name_key(p["name"]), kana_key=normalize_kana_query(p["kana"]),
                 status="active", created_at=now, updated_at=now, version=1,
                 needs_review=False, has_gaiji="\ue000" in p["name"])  # fmt: skip
    db.session.execute(insert(Resident.__table__), people)
    hq = db.session.execute(select(Office.id).where(Office.code == "HQ")).scalar_one()
    ids = db.session.execute(select(Resident.id).order_by(Resident.id)).scalars().all()
    db.session.execute(
        insert(Issuance.__table__),
        [
            {
                "resident_id": rid,
                "fiscal_year": 2025,
                "control_no": n,
                "kind": "new",
                "applied_on": date(2025, 6, 1),
                "issued_on": date(2025, 6, 1),
                "office_id": hq,
                "method": "counter",
                "status": "valid",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }  # fmt: skip
            for n, rid in enumerate(ids, start=1)
        ],
    )
    db.session.add(ControlNumberCounter(fiscal_year=2025, last_no=len(ids)))
    db.session.commit()
    return len(ids)


def bench_mass_mailing(app, out_dir):
    from app.extensions import appbuilder, db
    from app.letters import mass_mailing

    with app.app_context():
        user = appbuilder.sm.find_user(username="bench-supervisor")
        sampler = MemorySampler()
        sampler.start()
        cpu_before = _cpu_seconds()
        started = time.perf_counter()
        run = mass_mailing.queue_run(2026, date(2026, 2, 28), date(2026, 3, 23), user,
                                     output_dir=out_dir)  # fmt: skip
        issue_started = time.perf_counter()
        mass_mailing.issue_passes(run)
        issued = time.perf_counter() - issue_started
        run = mass_mailing.execute_run(db.session.get(type(run), run.id))
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu_before
        peak = sampler.stop()
        assert run.status == "done", run.error
        size = sum(p.stat().st_size for p in Path(out_dir).iterdir() if p.is_file())
        return {
            "letters": run.total,
            "files": len(run.files),
            "seconds": round(seconds, 1),
            "issue_seconds": round(issued, 1),
            "letters_per_second": round(run.total / seconds, 1),
            "cpu_seconds": round(cpu, 1),
            "letters_per_cpu_second": round(run.total / cpu, 1),
            "peak_memory_mb": peak,
            "peak_rss_parent_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "peak_rss_worker_mb": round(
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            ),
            "output_mb": round(size / 1024 / 1024, 1),
            "batch_size": run.batch_size,
            "workers": app.config["MASS_MAILING_WORKERS"],
        }


def bench_plain(app, count):
    """The same template, every letter complete, one document, one process."""
    from flask import render_template
    from sqlalchemy import select

    from app.extensions import db
    from app.letters import covers
    from app.letters.pdf import html_to_pdf, prepare_context, settings_from_config
    from app.passes.models import Issuance

    with app.test_request_context():
        settings = settings_from_config(app.config)
        passes = db.session.execute(
            select(Issuance).where(Issuance.fiscal_year == 2026).order_by(Issuance.control_no)
            .limit(count)
        ).scalars().all()  # fmt: skip
        letters = [covers.letter_for(i, settings, date(2026, 3, 23)) for i in passes]
        html = render_template(covers.TEMPLATE, letters=prepare_context(letters, settings),
                               layer="all")  # fmt: skip
        sampler = MemorySampler()
        sampler.start()
        cpu_before = time.process_time()
        started = time.perf_counter()
        pdf = html_to_pdf(html, settings)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
        peak = sampler.stop()
    return {
        "letters": len(letters),
        "seconds": round(seconds, 1),
        "letters_per_second": round(len(letters) / seconds, 1),
        "cpu_seconds": round(cpu, 1),
        "letters_per_cpu_second": round(len(letters) / cpu, 1),
        "peak_memory_mb": peak,
        "output_mb": round(len(pdf) / 1024 / 1024, 2),
    }


def bench_checklist(app, entries):
    from pypdf import PdfReader
    from sqlalchemy import insert, select

    from app.extensions import db
    from app.letters import checklist
    from app.offices.models import Office
    from app.passes.models import Issuance
    from app.residents.models import Resident

    with app.app_context():
        offices = db.session.execute(select(Office.id)).scalars().all()
        residents = db.session.execute(select(Resident.id).limit(entries)).scalars().all()
        start = datetime.combine(CHECKLIST_DAY, datetime.min.time()) + timedelta(
            hours=8, minutes=30
        )
        db.session.execute(
            insert(Issuance.__table__),
            [
                {
                    "resident_id": rid,
                    "fiscal_year": 2025,
                    "control_no": 900_000 + n,
                    "kind": "new",
                    "applied_on": CHECKLIST_DAY,
                    "issued_on": CHECKLIST_DAY,
                    "office_id": offices[n % len(offices)],
                    "method": "counter",
                    "status": "superseded",
                    "created_at": start + timedelta(seconds=15 * n),
                    "updated_at": start,
                    "version": 1,
                }  # fmt: skip
                for n, rid in enumerate(residents)
            ],
        )
        db.session.commit()
    with app.test_request_context():
        cpu_before = time.process_time()
        started = time.perf_counter()
        pdf, count = checklist.render_checklist(CHECKLIST_DAY, None)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_before
    return {
        "entries": count,
        "pages": len(PdfReader(io.BytesIO(pdf)).pages),
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),
    }


def _cpu_seconds():
    """CPU time of this process and of its children that have ended."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _load():
    return round(os.getloadavg()[0], 1)


LARGE_CITY_LETTERS = 400_000


def bench_scaling(letters, workers):
    """The mass mailing of ``letters`` letters with each number of rendering
    processes in ``workers``, each on a fresh database; the formula fitted to
    them and the time it gives for a large city's 400,000 letters."""
    runs = []
    for n in workers:
        shutil.rmtree(WORK, ignore_errors=True)
        WORK.mkdir(parents=True)
        app = build_app(WORK / "letters.db", WORK / "output", workers=n)
        with app.app_context():
            load_people(letters)
        result = bench_mass_mailing(app, WORK / "output" / "run")
        result["render_seconds"] = round(result["seconds"] - result["issue_seconds"], 1)
        print(f"{n} process(es): {json.dumps(result)}", flush=True)
        runs.append(result)
    one = next((r for r in runs if r["workers"] == 1), runs[0])
    issue_per_letter = one["issue_seconds"] / one["letters"]
    render_per_letter = one["render_seconds"] / one["letters"]  # one process
    fitted = {
        "issue_seconds_per_letter": round(issue_per_letter, 6),
        "render_seconds_per_letter_one_process": round(render_per_letter, 5),
        "speed_up": {
            str(r["workers"]): round(one["render_seconds"] / r["render_seconds"], 2) for r in runs
        },
        "formula": "T(L, N) = L × issue + L × render / N (N ≤ cores)",
    }
    for n in (1, 2, 4, 8):
        minutes = LARGE_CITY_LETTERS * (issue_per_letter + render_per_letter / n) / 60
        fitted[f"minutes_for_400000_with_{n}"] = round(minutes, 1)
    print(f"fitted: {json.dumps(fitted)}")
    return {"runs": runs, "fitted": fitted}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--scaling",
        metavar="WORKERS",
        help="only the mass mailing, once per number of processes (e.g. 1,2), and the formula",
    )
    parser.add_argument("--letters", type=int, default=None, help="letters of --scaling")
    args = parser.parse_args()
    if args.scaling:
        from app import clock

        clock._now = lambda: MARCH_DAY.replace(tzinfo=clock.TIMEZONE)
        workers = [int(n) for n in args.scaling.split(",")]
        result = bench_scaling(args.letters or (1_000 if args.quick else 6_000), workers)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "letters-scaling.json").write_text(json.dumps(result, indent=2))
        return
    letters = 2_000 if args.quick else 26_000
    plain_letters = 300 if args.quick else 1_000
    checklist_entries = 500 if args.quick else 2_000

    from app import clock

    clock._now = lambda: MARCH_DAY.replace(tzinfo=clock.TIMEZONE)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    app = build_app(WORK / "letters.db", WORK / "output")
    print(f"load average before: {_load()} on {os.cpu_count()} cores (other work slows this down)")
    with app.app_context():
        t = time.perf_counter()
        people = load_people(letters)
        print(f"data: {people} people with a fiscal-2025 pass ({time.perf_counter() - t:.0f}s)")
    ours = bench_mass_mailing(app, WORK / "output" / "run")
    print(f"mass mailing (ours): {json.dumps(ours)}", flush=True)
    plain = bench_plain(app, plain_letters)
    print(f"plain xhtml2pdf, one document: {json.dumps(plain)}", flush=True)
    check = bench_checklist(app, checklist_entries)
    print(f"daily checklist: {json.dumps(check)}", flush=True)
    result = {
        "quick": args.quick,
        "cpus": os.cpu_count(),
        "load_average_at_end": _load(),
        "mass_mailing": ours,
        "plain_xhtml2pdf": plain,
        "checklist": check,
        "targets": TARGETS,
        "measured_at": datetime.now().isoformat(timespec="seconds"),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "letters.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(
        f"\nletters/s: ours {ours['letters_per_second']} (end to end, {ours['workers']} processes)"
        f" vs plain xhtml2pdf {plain['letters_per_second']} (one document, one process)\n"
        f"mass mailing: {ours['letters']} letters in {ours['seconds']} s, peak "
        f"{ours['peak_memory_mb']} MB, output {ours['output_mb']} MB\n"
        f"checklist: {check['entries']} entries, {check['pages']} pages in {check['seconds']} s"
    )


if __name__ == "__main__":
    main()
