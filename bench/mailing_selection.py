"""Mass-mailing selection benchmark (issue 12): who is mailed, over the whole
population, with 送付停止 and 返戻未解決.

Builds a fresh SQLite database under ``instance/bench/mailing/`` with 89,086
dummy people (:func:`app.demo.people.generate_people`), about 257,000 passes
spread over fiscal 2014–2025 (a fifth of them mailed), 1 % of the people
送付停止 and 0.5 % with a returned letter, then measures on this machine:

* **ours**: :func:`app.letters.mass_mailing.select_people` — one query of the
  candidates (EXISTS on a pass since ``MASS_MAILING_SINCE_FY``) and three
  small sets (this year's passes, active stops, open returns);
* **naive**: the same answer asked person by person through the services
  (has a pass this year? :func:`app.mailing.stops.is_stopped`?
  :func:`app.mailing.returned.unresolved_for`?) — timed on the first 3,000
  candidates and scaled to all of them (said so in the output).

Usage: ``.venv/bin/python bench/mailing_selection.py [--quick]`` (``--quick``:
10,000 people).  Prints the figures and writes
``bench/results/mailing_selection.json``.
"""

import argparse
import json
import random
import shutil
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from letters import build_app  # noqa: E402  (bench/letters.py: a fresh migrated database)

RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "instance" / "bench" / "mailing"
MARCH_DAY = datetime(2026, 3, 23, 10, 0)
NAIVE_SAMPLE = 3_000


def _passes(ids, hq, rng):
    """About 2.9 passes a person over fiscal 2014–2025, numbered per year."""
    numbers, rows = {}, []
    now = datetime(2025, 6, 1, 9, 0)
    for rid in ids:
        for fy in sorted(rng.sample(range(2014, 2026), rng.choice((1, 2, 3, 4, 5)))):
            numbers[fy] = numbers.get(fy, 0) + 1
            mailed = rng.random() < 0.2
            rows.append({
                "resident_id": rid, "fiscal_year": fy, "control_no": numbers[fy], "kind": "new",
                "applied_on": date(fy, 6, 1), "issued_on": date(fy, 6, 1), "office_id": hq,
                "method": "mail" if mailed else "counter", "status": "valid",
                "mail_to_name": "x" if mailed else None, "mail_to_postal_code": None,
                "mail_to_address": None, "mail_to_address2": None,
                "created_at": now, "updated_at": now, "version": 1,
            })  # fmt: skip
    return rows, numbers


def load(count):
    from sqlalchemy import insert, select, update

    from app.demo.people import generate_people
    from app.extensions import db
    from app.mailing.models import MailStop
    from app.offices.models import Office
    from app.passes.models import ControlNumberCounter, Issuance
    from app.residents.models import Resident
    from app.text.kana import name_key, normalize_kana_query

    rng = random.Random(0)
    people = generate_people(count, seed=0, reference=date(2025, 4, 1))
    now = datetime(2025, 6, 1, 9, 0)
    for p in people:
        p.update(name_key=name_key(p["name"]), kana_key=normalize_kana_query(p["kana"]),
                 status="active", created_at=now, updated_at=now, version=1,
                 needs_review=False, has_gaiji=False)  # fmt: skip
    db.session.execute(insert(Resident.__table__), people)
    hq = db.session.execute(select(Office.id).where(Office.code == "HQ")).scalar_one()
    ids = db.session.execute(select(Resident.id).order_by(Resident.id)).scalars().all()
    rows, numbers = _passes(ids, hq, rng)
    for first in range(0, len(rows), 20_000):
        db.session.execute(insert(Issuance.__table__), rows[first : first + 20_000])
    db.session.execute(insert(ControlNumberCounter.__table__),
                       [{"fiscal_year": fy, "last_no": n} for fy, n in numbers.items()])  # fmt: skip
    stopped = rng.sample(ids, count // 100)
    db.session.execute(insert(MailStop.__table__), [
        {"resident_id": rid, "reason": "declined", "since": date(2025, 10, 1), "recorded_at": now}
        for rid in stopped
    ])  # fmt: skip
    # returned letters: the latest mailed pass of 0.5 % of the people, where it went = home
    mailed = db.session.execute(
        select(Issuance.id, Issuance.resident_id).where(Issuance.method == "mail")
        .order_by(Issuance.fiscal_year.desc())
    ).all()  # fmt: skip
    chosen = {}
    for pid, rid in mailed:
        chosen.setdefault(rid, pid)
    for pid in rng.sample(sorted(chosen.values()), count // 200):
        db.session.execute(update(Issuance).where(Issuance.id == pid).values(
            returned_on=date(2025, 12, 1),
            mail_to_postal_code=select(Resident.postal_code).where(Resident.id == Issuance.resident_id).scalar_subquery(),
            mail_to_address=select(Resident.address).where(Resident.id == Issuance.resident_id).scalar_subquery(),
            mail_to_address2=select(Resident.address2).where(Resident.id == Issuance.resident_id).scalar_subquery(),
        ))  # fmt: skip
    db.session.commit()
    return len(ids), len(rows)


def naive(sample_ids, fiscal_year):
    """Person by person through the services, as a first version would."""
    from sqlalchemy import select

    from app.extensions import db
    from app.mailing import returned, stops
    from app.passes.models import Issuance
    from app.residents.models import Resident

    mailed = 0
    for rid in sample_ids:
        resident = db.session.get(Resident, rid)
        has = db.session.execute(select(Issuance.id).where(
            Issuance.resident_id == rid, Issuance.fiscal_year == fiscal_year)).first()  # fmt: skip
        if has or stops.is_stopped(rid) or returned.unresolved_for(resident):
            continue
        mailed += 1
    return mailed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    count = 10_000 if args.quick else 89_086

    from app import clock

    clock._now = lambda: MARCH_DAY.replace(tzinfo=clock.TIMEZONE)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    app = build_app(WORK / "mailing.db", WORK / "output")
    with app.app_context():
        from app.letters import mass_mailing
        from app.mailing import notmailed

        t = time.perf_counter()
        people, passes = load(count)
        print(f"data: {people} people, {passes} passes ({time.perf_counter() - t:.0f}s)")
        runs = []
        for _ in range(3):
            t = time.perf_counter()
            mailed, skipped = mass_mailing.select_people(2026, date(2026, 2, 28))
            runs.append(time.perf_counter() - t)
        ours = sorted(runs)[1]
        figures = mass_mailing.summarize(mailed, skipped)
        print(f"ours: {ours:.2f} s (median of 3) — {figures['letters']} mailed, "
              f"{figures['not_mailed']} not mailed {figures['skipped']}")  # fmt: skip
        ids = [p["resident_id"] for p in mailed][:NAIVE_SAMPLE]
        t = time.perf_counter()
        naive(ids, 2026)
        sample_seconds = time.perf_counter() - t
        candidates = len(mailed) + len(skipped)
        scaled = sample_seconds / max(1, len(ids)) * candidates
        print(f"naive, person by person: {sample_seconds:.2f} s for {len(ids)} people, "
              f"scaled to {candidates}: {scaled:.0f} s ({scaled / ours:.0f} × ours)")  # fmt: skip
        t = time.perf_counter()
        pdf = notmailed.not_mailed_pdf(2026, date(2026, 2, 28), skipped, mass_mailing.SKIP_REASONS,
                                       mass_mailing.reason_label)  # fmt: skip
        pdf_seconds = time.perf_counter() - t
        t = time.perf_counter()
        xlsx = notmailed.not_mailed_xlsx(2026, date(2026, 2, 28), skipped,
                                         mass_mailing.SKIP_REASONS, mass_mailing.reason_label)  # fmt: skip
        xlsx_seconds = time.perf_counter() - t
        print(f"not-mailed list of {len(skipped)}: PDF {pdf_seconds:.1f} s ({len(pdf) // 1024} KB), "
              f"Excel {xlsx_seconds:.1f} s ({len(xlsx) // 1024} KB)")  # fmt: skip
    result = {
        "quick": args.quick, "people": people, "passes": passes, "candidates": candidates,
        "mailed": figures["letters"], "not_mailed": figures["not_mailed"],
        "skipped": figures["skipped"], "ours_seconds": round(ours, 2),
        "naive_sample": len(ids), "naive_sample_seconds": round(sample_seconds, 2),
        "naive_scaled_seconds": round(scaled, 1),
        "not_mailed_pdf_seconds": round(pdf_seconds, 1), "not_mailed_xlsx_seconds": round(xlsx_seconds, 1),
        "measured_at": datetime.now().isoformat(timespec="seconds"),
    }  # fmt: skip
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "mailing_selection-quick.json" if args.quick else "mailing_selection.json"
    (RESULTS / name).write_text(json.dumps(result, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
