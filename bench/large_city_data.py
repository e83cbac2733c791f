"""Data at scale (issue 17): ``flask demo-data`` and ``flask demo-extract`` for
a city of up to 1.2 million eligible people, on PostgreSQL, beside the
physical floor.

For each size (``--people``, default ``89086,1200000``): a fresh PostgreSQL
database ``<prefix>_<n>k`` (``flask init``, then ``flask demo-data --residents
n --seed 0``) timed with ``/usr/bin/time -v`` (wall time, peak RSS); its rows
(residents, passes, history) and ``pg_database_size``; the floor, a plain
``COPY`` of the same resident and pass rows from a file into an empty copy of
each table (without indexes, then its indexes built), timed the same way; and
``flask demo-extract --changes`` of the same people (wall time, peak RSS, file
sizes).  The ratio of each figure to the smallest size's shows how the cost
grows with the data.

Usage::

    .venv/bin/python bench/large_city_data.py [--people 89086,1200000]
        [--pg-prefix fureai_city] [--reuse 1200000] [--no-extract] [--profile]

``--reuse`` keeps the databases of the sizes it lists when they already hold
that many residents (no build; their build figures are then missing: the one
build of 1.2 million takes some 6 minutes).  ``--profile`` also runs the load under
cProfile and keeps the top functions.  The databases are left in place for
the other benchmarks.  Results are printed and written to
``bench/results/large-city-data-*.json``.  Only the PostgreSQL server on
127.0.0.1 is used.
"""

import argparse
import json
import pstats
import re
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from search import PG_SERVER, RESULTS, VENV_BIN, _pg_recreate  # noqa: E402  (bench/)
from search import _env as search_env  # noqa: E402

SEED = 0
AS_OF = "2026-04-01"
WORK = Path(tempfile.gettempdir()) / "fureai-large-city"

_RSS = re.compile(r"Maximum resident set size \(kbytes\): (\d+)")


def _name(prefix, people):
    return f"{prefix}_{round(people / 1000)}k"


def _env(url):
    # bench/search.py's environment, with this benchmark's own instance folder
    return search_env(url, INSTANCE_DIR=str(WORK / "instance"))


def _timed(url, *args, profile=None):
    """Run ``flask *args`` under ``/usr/bin/time -v``: ``(stdout, wall s, peak RSS MB)``."""
    flask = [str(VENV_BIN / "flask")]
    if profile:
        flask = [sys.executable, "-m", "cProfile", "-o", str(profile), *flask]
    cmd = ["/usr/bin/time", "-v", *flask, *args]
    started = time.perf_counter()
    result = subprocess.run(cmd, cwd=ROOT, env=_env(url), capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    rss = _RSS.search(result.stderr)
    return result.stdout, wall, int(rss.group(1)) / 1024 if rss else None


def _engine(url, **options):
    from sqlalchemy import create_engine

    return create_engine(url, **options)


def _count(url, table="resident"):
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = _engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
    except SQLAlchemyError:
        # No database or no table yet: the caller builds it.
        return None
    finally:
        engine.dispose()


def _sizes(url):
    """Rows of the three loaded tables and the database's size."""
    from sqlalchemy import text

    engine = _engine(url)
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        figures = {
            table: conn.execute(text(f"SELECT count(*) FROM {table}")).scalar()
            for table in ("resident", "issuance", "change_log")
        }
        figures["database_mb"] = round(
            conn.execute(text("SELECT pg_database_size(current_database())")).scalar() / 2**20, 1
        )
        for table in ("resident", "issuance"):
            size = conn.execute(text(f"SELECT pg_total_relation_size('{table}')")).scalar()
            figures[f"{table}_total_mb"] = round(size / 2**20, 1)
    engine.dispose()
    return figures


def _copy_floor(url, table):
    """Seconds to COPY ``table``'s rows from a file into an empty copy of it
    (no indexes, no keys), then to build its indexes on the copy."""
    engine = _engine(url)
    path = WORK / f"{table}.copy"
    WORK.mkdir(parents=True, exist_ok=True)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with path.open("w", encoding="utf-8") as out:
            cursor.copy_expert(f"COPY {table} TO STDOUT", out)
        copy = f"_floor_{table}"
        cursor.execute(f"DROP TABLE IF EXISTS {copy}")
        cursor.execute(f"CREATE UNLOGGED TABLE {copy} (LIKE {table} INCLUDING DEFAULTS)")
        cursor.execute(f"ALTER TABLE {copy} SET LOGGED")
        raw.commit()
        started = time.perf_counter()
        with path.open("r", encoding="utf-8") as source:
            cursor.copy_expert(f"COPY {copy} FROM STDIN", source)
        raw.commit()
        copied = time.perf_counter() - started
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = %s",
            (table,),
        )
        definitions = [row[0] for row in cursor.fetchall()]
        cursor.execute("SET maintenance_work_mem = '512MB'")
        started = time.perf_counter()
        for number, definition in enumerate(definitions):
            # The same index on the copy, under a name of its own.
            statement = re.sub(
                r"INDEX (\S+) ON public\.(\S+)",
                f"INDEX _floor_{table}_{number} ON public.{copy}",
                definition,
                count=1,
            )
            cursor.execute(statement)
        raw.commit()
        indexed = time.perf_counter() - started
        cursor.execute(f"DROP TABLE {copy}")
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
        mb = path.stat().st_size / 2**20
        path.unlink(missing_ok=True)
    return {"copy_s": round(copied, 1), "indexes_s": round(indexed, 1), "file_mb": round(mb, 1)}


def _profile_top(path, count=15):
    stats = pstats.Stats(str(path))
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:count]
    return [
        {"function": f"{Path(f).name}:{line}({name})", "calls": nc, "tottime_s": round(tt, 2)}
        for (f, line, name), (_cc, nc, tt, _ct, _callers) in rows
    ]


def build(people, prefix, reuse=False, profile=False):
    """Build (or reuse) the database of ``people`` and measure it."""
    name = _name(prefix, people)
    url = f"{PG_SERVER}/{name}"
    figures = {"people": people, "database": name}
    if reuse and _count(url) == people:
        print(f"[{people:,}] reusing {name}", flush=True)
    else:
        print(f"[{people:,}] building {name} …", flush=True)
        _pg_recreate(name)
        subprocess.run(
            [str(VENV_BIN / "flask"), "init"], cwd=ROOT, env=_env(url), check=True,
            capture_output=True,
        )  # fmt: skip
        prof = WORK / f"demo-data-{people}.prof" if profile else None
        WORK.mkdir(parents=True, exist_ok=True)
        out, wall, rss = _timed(
            url, "demo-data", "--residents", str(people), "--seed", str(SEED), profile=prof
        )
        print(out.strip().splitlines()[-1], flush=True)
        figures.update(load_s=round(wall, 1), load_peak_rss_mb=round(rss or 0))
        if prof:
            figures["profile_top"] = _profile_top(prof)
    figures.update(_sizes(url))
    figures["floor"] = {table: _copy_floor(url, table) for table in ("resident", "issuance")}
    return url, figures


def extract(url, people):
    """``flask demo-extract --changes`` of the same people, streamed to disk."""
    folder = WORK / f"extract-{people}"
    for old in folder.glob("FUREAI_*"):
        old.unlink()
    _out, wall, rss = _timed(
        url, "demo-extract", "--out", str(folder), "--residents", str(people),
        "--seed", str(SEED), "--as-of", AS_OF, "--changes",
    )  # fmt: skip
    files = {p.name: round(p.stat().st_size / 2**20, 1) for p in sorted(folder.glob("*.DAT"))}
    for old in folder.glob("FUREAI_*"):
        old.unlink()
    return {"extract_s": round(wall, 1), "extract_peak_rss_mb": round(rss or 0), "files_mb": files}


def _ratio(value, base):
    return f"{value / base:5.1f}×" if value and base else "   - "


def report(results):
    base = results[0]
    print("\npeople      load s  RSS MB   rows res/pass/hist          DB MB  COPY res+pass s")
    for r in results:
        floor = r["floor"]["resident"]["copy_s"] + r["floor"]["issuance"]["copy_s"]
        rows = f"{r['resident']:,}/{r['issuance']:,}/{r['change_log']:,}"
        print(
            f"{r['people']:>9,}  {r.get('load_s', 0):6.1f}  {r.get('load_peak_rss_mb', 0):6}"
            f"   {rows:<26} {r['database_mb']:7.0f}  {floor:6.1f}"
        )
    print("\nratio to the first size (people, load, peak RSS, DB size, COPY floor):")
    for r in results[1:]:
        print(
            f"{r['people'] / base['people']:5.1f}×  {_ratio(r.get('load_s'), base.get('load_s'))} "
            f"{_ratio(r.get('load_peak_rss_mb'), base.get('load_peak_rss_mb'))} "
            f"{_ratio(r['database_mb'], base['database_mb'])} "
            f"{_ratio(r['floor']['resident']['copy_s'], base['floor']['resident']['copy_s'])}"
        )
    for r in results:
        if "extract_s" in r:
            print(
                f"extract {r['people']:,}: {r['extract_s']} s, peak {r['extract_peak_rss_mb']} MB,"
                f" files {r['files_mb']}"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", default="89086,1200000")
    parser.add_argument("--pg-prefix", default="fureai_city")
    parser.add_argument("--reuse", default="", help="sizes whose database is kept")
    parser.add_argument("--no-extract", action="store_true")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--quick", action="store_true", help="5,000 and 20,000 people (make bench --quick)"
    )
    args = parser.parse_args()
    if args.quick:
        args.people = "5000,20000"
    sys.path.insert(0, str(ROOT))
    results = []
    reuse = {int(p) for p in args.reuse.split(",") if p}
    for people in (int(p) for p in args.people.split(",")):
        url, figures = build(people, args.pg_prefix, reuse=people in reuse, profile=args.profile)
        if not args.no_extract:
            figures.update(extract(url, people))
        results.append(figures)
        print(json.dumps(figures, ensure_ascii=False), flush=True)
    report(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"large-city-data-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"results": results}, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
