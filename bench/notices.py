"""お知らせ benchmark: what the newly-eligible step costs an import, and the
postcards' rendering.

On SQLite, in one process: a full load of the demo extract (89,086 people;
``--quick``: 10,000), then the fortnight's extract (about 1 % new, 2 %
changed, 1 % leaving) applied twice from the same saved database — with the
newly-eligible hook and with it switched off — so the difference is the
hook's cost.  Then the detection itself from the run's plan (what the hook
uses) beside the same from the run's history rows (the fallback), and the
postcards of the people found: one PDF for all of them (ours) beside one
``render_pdf`` call per postcard (the naive way), for the first 100.

Usage: ``.venv/bin/python bench/notices.py [--quick]``; prints the figures
and writes ``bench/results/notices.json``.
"""

import argparse
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORK = ROOT / "instance" / "bench" / "notices"
RESULTS = ROOT / "bench" / "results"
AS_OF = date(2026, 4, 1)
NAIVE_SAMPLE = 100


def _app(db_path):
    from app import create_app
    from config import TestingConfig

    class BenchConfig(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        HOST_INBOX_DIR = str(WORK / "inbox")
        OUTPUT_DIR = str(WORK / "output")

    return create_app(BenchConfig)


def _files(count):
    from app.hostlink import demo

    built = demo.build_demo_extracts(count, seed=1, as_of=AS_OF, changes=True, reference=AS_OF)
    return [demo.write_extract(WORK / "files", name, data) for name, data, _s in built]


def _copy(src, dst):
    for suffix in ("", "-wal", "-shm"):
        source = src.with_name(src.name + suffix)
        target = dst.with_name(dst.name + suffix)
        target.unlink(missing_ok=True)
        if source.exists():
            shutil.copy(source, target)


def _import(path):
    from app.hostlink import imports

    started = time.perf_counter()
    outcome = imports.import_file(path, trigger="command", require_trigger=False)
    assert outcome.status == "applied", outcome.reason
    return outcome, time.perf_counter() - started


def _fortnight(path, hook):
    import app.notices.jobs as jobs

    original = jobs.extract_applied
    if not hook:
        jobs.extract_applied = lambda *args, **kwargs: None
    try:
        return _import(path)
    finally:
        jobs.extract_applied = original


def _detections(run_id):
    """The detection from the run's history (the plan's is timed in the import)."""
    from sqlalchemy import delete

    from app.extensions import db
    from app.notices import detection
    from app.notices.models import NewlyEligible, NoticeDetection, NoticeRun

    for table in (NewlyEligible, NoticeRun, NoticeDetection):
        db.session.execute(delete(table))
    db.session.commit()
    started = time.perf_counter()
    found = detection.detect(run_id)
    return found.count, time.perf_counter() - started


def _timed_detect():
    """Wrap detection.detect to time the hook's own call."""
    from app.notices import detection

    times = []
    original = detection.detect

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times.append(time.perf_counter() - started)

    detection.detect = timed
    return times


def _render(figures):
    from flask import current_app
    from sqlalchemy import select

    from app.extensions import db
    from app.letters.pdf import render_pdf, settings_from_config
    from app.notices import postcard, runs
    from app.notices.models import NewlyEligible
    from app.residents.models import Resident

    run = runs.queue_run("command", output_dir=WORK / "output" / "run", only_unsent=False)
    started = time.perf_counter()
    run = runs.execute_run(run)
    ours = time.perf_counter() - started
    assert run.status == "done", run.error
    pdf_bytes = (Path(run.output_dir) / "postcards.pdf").stat().st_size
    figures["postcards"] = run.total
    figures["postcards_seconds"] = ours
    figures["postcards_per_second"] = run.total / ours if ours else None
    figures["postcards_pdf_mb"] = pdf_bytes / 1e6
    people = (
        db.session.execute(
            select(Resident)
            .join(NewlyEligible, NewlyEligible.resident_id == Resident.id)
            .limit(NAIVE_SAMPLE)
        )
        .scalars()
        .all()
    )
    destinations = [postcard.destination_of(p) for p in people]
    settings = settings_from_config(current_app.config)
    common = postcard.common_context(settings)
    started = time.perf_counter()
    for destination in destinations:
        render_pdf(postcard.TEMPLATE, {"cards": [postcard.card_for(settings, destination)],
                                       "common": common})  # fmt: skip
    naive = time.perf_counter() - started
    started = time.perf_counter()
    postcard.render_postcards(destinations)
    one = time.perf_counter() - started
    figures["sample"] = len(destinations)
    figures["sample_one_pdf_seconds"] = one
    figures["sample_naive_per_card_seconds"] = naive


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 10_000 if args.quick else 89_086
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    full_file, fortnight_file = _files(count)
    db_path, saved = WORK / "bench.db", WORK / "saved.db"
    app = _app(db_path)
    figures = {"people": count}
    with app.app_context():
        from flask_migrate import upgrade

        from app import setup
        from app.extensions import db

        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        setup.initialise()
        _outcome, figures["full_seconds"] = _import(full_file)
        db.session.remove()
        db.engine.dispose()
        _copy(db_path, saved)
        outcome, figures["fortnight_without_hook_seconds"] = _fortnight(fortnight_file, False)
        figures["counts"] = outcome.counts
        db.session.remove()
        db.engine.dispose()
        _copy(saved, db_path)
        times = _timed_detect()
        outcome, figures["fortnight_with_hook_seconds"] = _fortnight(fortnight_file, True)
        figures["detect_from_plan_seconds"] = times[0]
        figures["newly_eligible"], figures["detect_from_history_seconds"] = _detections(
            outcome.run_id
        )
        from app.notices import services

        figures["by_reason"] = services.counts_by_reason()
        _render(figures)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "notices-quick.json" if args.quick else "notices.json"
    (RESULTS / name).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
