"""Customer barcode benchmark: the mass mailing's letters with and without the
barcodes (issue 13), from the same run.

The part of the mass mailing the barcodes touch is each letter's context
(:func:`app.letters.covers.build_letter`, where the 住所表示番号 is extracted
and the symbol encoded) and the file's last step (:func:`app.letters.pdf.
stamp_background`, which now also writes each page's bars); the rest of a run
(selection, numbering, the shared background, lists) is the same with or
without.  So this measures that path whole — ``build_letter``, xhtml2pdf's
layout of the "variable" layer of ``pdf/cover_letter.html``, the overlays and
the stamping, as :func:`app.letters.pdf.render_batch` does — for files of 500 letters of dummy
people (:func:`app.demo.people.generate_people`: the ward's addresses, with
full-width digits and 「－」), once with the barcodes and once with them left
out, the two alternating file by file so that load on the machine falls on
both alike.  One process, CPU seconds; the figure that matters is the ratio.

Usage: ``.venv/bin/python bench/barcode.py [--quick]`` (default 4,000
letters, ``--quick`` 1,000).  Prints the figures and writes
``bench/results/barcode.json``.  Target: at most 10 % slower with barcodes.
"""

import argparse
import contextlib
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results"
BATCH = 500
TARGET_SLOWDOWN = 0.10
OFFICE = {"name": "地域包括ケア推進課", "phone": "03-0000-0001", "address": ""}


def build_app(db_path):
    from app import create_app
    from config import DevelopmentConfig

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"

    return create_app(BenchConfig)


def destinations(count):
    from app.demo.people import generate_people

    people = generate_people(count, seed=0, reference=date(2025, 4, 1))
    return [
        {
            "name": p["name"],
            "postal_code": p["postal_code"],
            "address": p["address"],
            "address2": p["address2"],
            "care_of": None,
        }  # fmt: skip
        for p in people
    ]


def _without_barcodes(letter, *_args):
    return {**letter, "postal_barcode": "", "postal_barcode_reason": "", "control_barcode": ""}


def one_file(settings, background, dests, first_no, with_barcodes):
    """Build, lay out and stamp one file of letters: ``(CPU seconds, letters
    with a customer barcode)`` (CPU time of this process, which other work on
    the machine disturbs much less than wall time)."""
    from flask import render_template

    from app.letters import barcodes, covers
    from app.letters.pdf import html_to_pdf, page_count, prepare_context, stamp_background

    patch = mock.patch.object(barcodes, "with_barcodes", _without_barcodes)
    started = time.process_time()
    with patch if not with_barcodes else contextlib.nullcontext():
        letters = [
            covers.build_letter(settings, kind="renewal", fiscal_year=2026, control_no=first_no + i,
                                letter_date=date(2026, 3, 23), destination=d, office=OFFICE)
            for i, d in enumerate(dests)
        ]  # fmt: skip
    html = render_template(
        covers.TEMPLATE, letters=prepare_context(letters, settings), layer="variable"
    )
    pages = html_to_pdf(html, settings)
    assert page_count(pages) == len(dests)
    overlays = [barcodes.cover_letter_overlay(letter) for letter in letters]
    stamp_background(background, pages, overlays if with_barcodes else None)
    seconds = time.process_time() - started
    return seconds, sum(1 for letter in letters if letter["postal_barcode"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 letters instead of 4,000")
    args = parser.parse_args()
    count = 1000 if args.quick else 4000
    with tempfile.TemporaryDirectory() as tmp:
        app = build_app(Path(tmp) / "bench.db")
        with app.test_request_context():
            from flask import render_template

            from app.letters import covers
            from app.letters.pdf import html_to_pdf, prepare_context, settings_from_config

            settings = settings_from_config(app.config)
            dests = destinations(count)
            sample = covers.build_letter(settings, kind="renewal", fiscal_year=2026, control_no=0,
                                         letter_date=date(2026, 3, 23), destination=dests[0],
                                         office=OFFICE)  # fmt: skip
            background = html_to_pdf(
                render_template(
                    covers.TEMPLATE, letters=prepare_context([sample], settings), layer="static"
                ),  # fmt: skip
                settings,
            )
            one_file(settings, background, dests[:50], 1, True)  # warm up fonts and caches
            times = {True: 0.0, False: 0.0}
            barcoded = 0
            for n, first in enumerate(range(0, count, BATCH)):
                chunk = dests[first : first + BATCH]
                # alternate which goes first, so a slow moment hits both alike
                for with_barcodes in (True, False) if n % 2 == 0 else (False, True):
                    seconds, bars = one_file(settings, background, chunk, first + 1, with_barcodes)
                    times[with_barcodes] += seconds
                    barcoded += bars if with_barcodes else 0
    slowdown = times[True] / times[False] - 1
    result = {
        "letters": count,
        "with_barcodes": {"cpu_seconds": round(times[True], 1),
                          "letters_per_second": round(count / times[True], 1)},
        "without_barcodes": {"cpu_seconds": round(times[False], 1),
                             "letters_per_second": round(count / times[False], 1)},
        "letters_with_a_barcode": barcoded,
        "slowdown_percent": round(100 * slowdown, 1),
        "target_percent": 100 * TARGET_SLOWDOWN,
        "estimate_26000_cpu_seconds": {
            "with": round(26000 * times[True] / count), "without": round(26000 * times[False] / count)
        },
    }  # fmt: skip
    print(f"with barcodes:    {result['with_barcodes']}")
    print(f"without barcodes: {result['without_barcodes']}")
    print(f"letters that carry a customer barcode: {barcoded} of {count}")
    print(f"slower with barcodes: {result['slowdown_percent']} % (target ≤ 10 %)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "barcode.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False))
    return 0 if slowdown <= TARGET_SLOWDOWN else 1


if __name__ == "__main__":
    sys.exit(main())
