"""Statistics and export benchmark (issue 14).

With 89,086 dummy people and about 260,000 passes (``flask demo-data``), on
SQLite and on PostgreSQL (the database ``fureai_bench_stats``):

* **statistics screen** — ``GET /stats/`` (every figure, both charts, every
  table) through the application's test client signed in as a supervisor,
  median and worst of ``--repeat`` requests after one warm-up; beside it the
  naive way from the same run: the seed's table computed by loading every
  person and pass into Python and counting in loops;
* **Excel export of all 89,086 people** — ``GET /exports/residents/search.xlsx``
  with a 住民番号 prefix every demo number shares (every page of the search),
  in a fresh process so its peak memory (VmHWM) is its own; beside it the
  naive way in another fresh process: the same rows through ``.all()`` into
  openpyxl's normal (not write-only) workbook.

Targets: screen ≤ 300 ms, export ≤ 15 s and ≤ 300 MB; at 1.2 million people
on PostgreSQL (issue 17) screen ≤ 2 s and export ≤ 500 MB, beside the floor
(one count of the year's passes, one of the people; the naive ways are left
out at that size: they load every person into Python).  Usage:
``.venv/bin/python bench/stats.py [--quick] [--db sqlite|postgresql|both]
[--people 89086,1200000]`` (a large city reuses the search benchmark's
database ``fureai_bench_<n>`` when it holds that many people);
writes ``bench/results/stats.json``.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search import _env as search_env  # noqa: E402  (bench/, the script's folder)

VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
DATA_DIR = ROOT / "instance" / "bench"
PG_URL = os.environ.get(
    "BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/fureai_bench_stats"
)
FULL, QUICK = 89_086, 5_000
SEARCH_PG = "postgresql+psycopg2://postgres@127.0.0.1:5432/fureai_bench"
# Issue 17 at 1.2 million people (PostgreSQL).
LARGE_CITY_TARGETS = {"screen_ms": 2000, "export_peak_mb": 500}
SEED = 0
USER, PASSWORD = "benchstats", "bench-stats-password-42"
TARGETS = {"screen_ms": 300, "export_s": 15, "export_peak_mb": 300}


def _env(url):
    # the search benchmark's environment, without its stock views
    return search_env(url, EXTRA_VIEW_MODULES="")


def _flask(url, *args, check=True):
    result = subprocess.run(
        [str(VENV_BIN / "flask"), *args], cwd=ROOT, env=_env(url), capture_output=True,
        text=True, timeout=3600,
    )  # fmt: skip
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _count(url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM resident")).scalar()
    except SQLAlchemyError:
        return None
    finally:
        engine.dispose()


def prepare(kind, people):
    """The URL of a database of ``people`` demo residents (built when missing)."""
    from bench import _targets

    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        url = f"sqlite:///{DATA_DIR / f'stats-{people}.db'}"
    else:
        url = PG_URL if people == FULL else f"{PG_URL}_{people}"
        if people > FULL and _count(f"{SEARCH_PG}_{people}") == people:
            # the large city of the search benchmark: one build of 13 minutes is enough
            url = f"{SEARCH_PG}_{people}"
    if _count(url) != people:
        print(f"[{kind}] building {people:,} people …", flush=True)
        if kind == "postgresql":
            _targets.PostgresTarget(url).fresh()
        else:
            Path(url.removeprefix("sqlite:///")).unlink(missing_ok=True)
        _flask(url, "init")
        print(_flask(url, "demo-data", "--residents", str(people), "--seed", str(SEED)).strip())
    else:
        _flask(url, "init")
    _analyze(url)
    _flask(url, "users", "add", USER, "--role", "Supervisor", "--office", "HQ",
           "--name", "統計 計測", "--password", PASSWORD, check=False)  # fmt: skip
    return url


def _analyze(url):
    """Planner statistics (PostgreSQL) and ``sqlite_stat1`` (SQLite), as after
    a day of autovacuum / ``PRAGMA optimize``."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


# --- measurements, each in a fresh process -------------------------------------


def _peak_mb():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _app(url):
    os.environ.update(_env(url))
    from app import create_app
    from config import DevelopmentConfig

    class Config(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = url
        RATELIMIT_ENABLED = False
        WTF_CSRF_ENABLED = False

    return create_app(Config)


def _client(app):
    client = app.test_client()
    resp = client.post("/login/", data={"username": USER, "password": PASSWORD})
    assert resp.status_code == 302, resp.data[:300]
    return client


def _as_of(app):
    from app import clock
    from app.text.wareki import fiscal_year_of

    with app.app_context():
        today = clock.today()
    return today, fiscal_year_of(today)


def measure_screen(url, repeat):
    app = _app(url)
    client = _client(app)
    today, fy = _as_of(app)
    path = f"/stats/?as_of={today.isoformat()}&fiscal_year={fy}"
    assert client.get(path).status_code == 200  # warm-up
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        resp = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        assert resp.status_code == 200
    found = {"median_ms": statistics.median(times), "max_ms": max(times)}
    found.update(_floor(app, fy))
    if os.environ.get("BENCH_NAIVE", "1") == "1":
        found["naive_ms"] = _naive_table(app, today, fy)
    return found


def _floor(app, fy):
    """The physical floor: one count of the year's passes and one of the
    people, each a single pass over its index or table."""
    from sqlalchemy import text

    from app.extensions import db

    found = {}
    with app.app_context():
        for key, sql in (
            ("floor_count_passes_ms", "SELECT count(*) FROM issuance WHERE fiscal_year = :fy"),
            ("floor_count_people_ms", "SELECT count(*) FROM resident"),
        ):
            db.session.execute(text(sql), {"fy": fy}).scalar()  # warm
            started = time.perf_counter()
            db.session.execute(text(sql), {"fy": fy}).scalar()
            found[key] = (time.perf_counter() - started) * 1000
    return found


def _naive_table(app, day, fy):
    """The seed's table by loading every person and pass and counting in Python."""
    from app.extensions import db
    from app.passes.models import Issuance
    from app.residents.models import Resident
    from app.text.wareki import age_on

    with app.app_context():
        started = time.perf_counter()
        people = db.session.query(Resident).all()
        passes = db.session.query(Issuance).filter(Issuance.fiscal_year == fy).all()
        by_id = {p.id: p for p in people}
        eligible = [p for p in people if p.status == "active" or (p.excluded_on or day) > day]
        aged = sum(1 for p in eligible if age_on(p.birth_date, day) >= 60)
        issued = [i for i in passes if i.issued_on <= day]
        aged_passes = sum(1 for i in issued if age_on(by_id[i.resident_id].birth_date, day) >= 60)
        assert aged >= 0
        assert aged_passes >= 0
        return (time.perf_counter() - started) * 1000


def _prefix(app):
    """The longest 住民番号 prefix every person shares (a search for all)."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.residents.models import Resident

    with app.app_context():
        low, high, total = db.session.execute(
            select(func.min(Resident.resident_no), func.max(Resident.resident_no), func.count())
        ).one()
    common = os.path.commonprefix([low, high])
    return common or low[:1], total


def measure_export(url):
    app = _app(url)
    client = _client(app)
    prefix, total = _prefix(app)
    before = _peak_mb()
    started = time.perf_counter()
    resp = client.get(f"/exports/residents/search.xlsx?q={prefix}")
    size = sum(len(piece) for piece in resp.response)
    elapsed = time.perf_counter() - started
    assert resp.status_code == 200, resp.status_code
    with app.app_context():
        from sqlalchemy import select

        from app.audit.models import AccessLog
        from app.extensions import db

        logged = db.session.execute(
            select(AccessLog.detail).order_by(AccessLog.id.desc()).limit(1)
        ).scalar_one()
    return {
        "people": total, "rows": logged["rows"], "seconds": elapsed, "bytes": size,
        "peak_mb": _peak_mb(), "app_mb": before,
    }  # fmt: skip


def measure_naive_export(url):
    """The same people through ``.all()`` into openpyxl's normal workbook."""
    import io

    from openpyxl import Workbook

    app = _app(url)
    prefix, total = _prefix(app)
    from app.extensions import db
    from app.residents.models import Resident

    before = _peak_mb()
    with app.app_context():
        started = time.perf_counter()
        people = db.session.query(Resident).filter(Resident.resident_no.startswith(prefix)).all()
        book = Workbook()
        sheet = book.active
        sheet.append(["住民番号", "氏名", "カナ氏名", "生年月日", "住所"])
        for p in people:
            sheet.append([p.resident_no, p.name, p.kana, p.birth_date, p.address])
        out = io.BytesIO()
        book.save(out)
        elapsed = time.perf_counter() - started
    return {"people": len(people), "seconds": elapsed, "peak_mb": _peak_mb(), "app_mb": before}


def _in_child(kind, what, url, repeat, naive=True):
    out = subprocess.run(
        [sys.executable, __file__, "--child", what, "--url", url, "--repeat", str(repeat)],
        cwd=ROOT, env={**_env(url), "BENCH_NAIVE": "1" if naive else "0"}, capture_output=True,
        text=True, timeout=3600,
    )  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"[{kind}] {what} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _measure(kind, people, repeat):
    """Screen, export and (at a ward's size) the naive ways, each in a child."""
    url = prepare(kind, people)
    # The naive ways load every person into Python: minutes and gigabytes
    # at a large city's size, so they are measured at a ward's only.
    whats = ("screen", "export", "naive_export") if people <= FULL else ("screen", "export")
    found = {what: _in_child(kind, what, url, repeat, naive=people <= FULL) for what in whats}
    s, e = found["screen"], found["export"]
    naive = f" (naive Python counting: {s['naive_ms']:.0f} ms)" if "naive_ms" in s else ""
    print(
        f"[{kind} {people:,}] statistics screen: median {s['median_ms']:.0f} ms, worst "
        f"{s['max_ms']:.0f} ms{naive}; floor: count of the year's passes "
        f"{s['floor_count_passes_ms']:.0f} ms, of the people {s['floor_count_people_ms']:.0f} ms\n"
        f"[{kind} {people:,}] Excel export of {e['rows']:,} people: {e['seconds']:.1f} s, peak "
        f"{e['peak_mb']:.0f} MB (app alone {e['app_mb']:.0f} MB)",
        flush=True,
    )
    if "naive_export" in found:
        n = found["naive_export"]
        print(f"    naive openpyxl normal mode: {n['seconds']:.1f} s, peak {n['peak_mb']:.0f} MB")
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--people", help="sizes, comma-separated (default 89086); e.g. 89086,1200000"
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--child")
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        run = {"screen": measure_screen, "export": measure_export,
               "naive_export": measure_naive_export}[args.child]  # fmt: skip
        result = run(args.url, args.repeat) if args.child == "screen" else run(args.url)
        print(json.dumps(result))
        return
    sizes = [int(n) for n in args.people.split(",")] if args.people else []
    sizes = sizes or [QUICK if args.quick else FULL]
    kinds = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {"people": sizes[0] if len(sizes) == 1 else sizes, "targets": TARGETS,
               "targets_large_city": LARGE_CITY_TARGETS, "load_average": os.getloadavg()}  # fmt: skip
    for people in sizes:
        for kind in kinds:
            key = kind if len(sizes) == 1 else f"{kind} {people}"
            results[key] = _measure(kind, people, args.repeat)
    print(f"load average at the end: {os.getloadavg()} (2 cores)", flush=True)
    results["load_average_end"] = os.getloadavg()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / ("stats-quick.json" if args.quick else "stats.json")).write_text(
        json.dumps(results, indent=2)
    )


if __name__ == "__main__":
    main()
