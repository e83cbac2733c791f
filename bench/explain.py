"""The plans of the interactive pages' statements on PostgreSQL (issue 17):
``EXPLAIN (ANALYZE, BUFFERS)`` of every SELECT each page runs, saved beside
the benchmark, and a check that none scans ``resident`` or ``issuance``
sequentially.

Each page is requested in-process (Flask's test client, signed in as
``admin``) over a database built by ``flask demo-data``; its statements are
captured as sent (a SQLAlchemy event) and explained one by one on a separate
connection, inside a transaction that is rolled back.  The pages: the search
by kana prefix, by 1–3 characters of a kanji name and by 住民番号, the
person's page, the pass list and a pass, the counter's issue form, the
checklist, the statistics screen and the access-log search by person.

Usage::

    .venv/bin/python bench/explain.py [--pg-db fureai_bench] [--label 89k]

Writes ``bench/plans/<label>/<page>.txt`` (committed: compare after an
upgrade) and prints, per page, the statements, their execution time and any
sequential scan of the two large tables; exits 1 when there is one on a page
other than the statistics screen, whose year-wide counts read the year's passes.
"""

import argparse
import json
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search import PG_SERVER, SCENARIOS, _env, _url, draw_samples, vacuum  # noqa: E402

PLANS = ROOT / "bench" / "plans"
LARGE_TABLES = ("resident", "issuance")
# Pages whose figures are of a whole year by design (a scan may be the best plan).
YEAR_WIDE = ("statistics",)
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
EXEC_TIME = re.compile(r"Execution Time: ([\d.]+) ms")


def _pages(sample, pass_id):
    """(name, URL) of each page explained, for one drawn person."""
    pages = [(name.replace(" ", "-"), _url(ours, sample)) for name, (ours, _s) in SCENARIOS.items()]
    pages += [
        ("pass-list", "/issuances/"),
        ("pass", f"/issuances/{pass_id}"),
        ("issue-form", f"/issuances/new/{sample['id']}"),
        ("checklist", "/checklist/"),
        ("statistics", "/stats/"),
        ("access-log-by-person", f"/accesslog/?resident_no={sample['no']}"),
    ]
    return [(n, u) for n, u in pages if n != "name"]


def _capture(app, client, path):
    """The statements (with parameters) one request of ``path`` sends."""
    from sqlalchemy import event

    from app.extensions import db

    captured = []

    def keep(_conn, _cursor, statement, parameters, _context, _many):
        if statement.lstrip().upper().startswith(("SELECT", "WITH")):
            captured.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        status = client.get(path).status_code
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    return status, captured


def _explain(raw, statement, parameters):
    cursor = raw.cursor()
    try:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)
        return "\n".join(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()
        raw.rollback()


def explain_page(app, client, raw, name, path):
    """The page's plans as text and its summary row."""
    status, captured = _capture(app, client, path)
    parts, scans, total = [f"# {path} (HTTP {status})\n"], [], 0.0
    for i, (statement, parameters) in enumerate(captured, 1):
        if "pg_current_xact_id_if_assigned" in statement:
            continue  # the access log's commit setting, not a read
        plan = _explain(raw, statement, parameters)
        total += sum(float(t) for t in EXEC_TIME.findall(plan))
        scans += [t for t in SEQ_SCAN.findall(plan) if t in LARGE_TABLES]
        parts.append(f"## statement {i}\n{statement}\n-- parameters: {parameters!r}\n\n{plan}\n")
    return "\n".join(parts), {
        "page": name,
        "status": status,
        "statements": len(captured),
        "execution_ms": round(total, 2),
        "seq_scans_of_large_tables": sorted(set(scans)),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg-db", default="fureai_bench")
    parser.add_argument("--label", default=None, help="folder under bench/plans/")
    args = parser.parse_args()
    url = f"{PG_SERVER}/{args.pg_db}"
    os.environ.update(_env(url))
    from sqlalchemy import create_engine, text

    from app import create_app
    from app.demo.accounts import DEMO_PASSWORD

    samples, people, _passes = draw_samples(url, count=5)
    # The steady state of a running database, where autovacuum has set the
    # visibility map that every index-only plan needs; a database loaded just
    # now has none, and its plans would read the tables instead.
    vacuum(url)
    engine = create_engine(url)
    with engine.connect() as conn:
        pass_id = conn.execute(text("SELECT max(id) FROM issuance")).scalar()
    raw = engine.raw_connection()
    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    resp = client.post("/login/", data={"username": "admin", "password": DEMO_PASSWORD})
    assert resp.status_code == 302, resp.status_code
    folder = PLANS / (args.label or f"{people // 1000}k")
    folder.mkdir(parents=True, exist_ok=True)
    rows = []
    for name, path in _pages(samples[0], pass_id):
        client.get(path)  # warm: the first request loads permissions and caches
        plans, row = explain_page(app, client, raw, name, path)
        (folder / f"{name}.txt").write_text(plans, encoding="utf-8")
        rows.append(row)
        scans = ", ".join(row["seq_scans_of_large_tables"]) or "none"
        print(
            f"{name:22} HTTP {row['status']}  {row['statements']:>2} statements "
            f"{row['execution_ms']:>9.2f} ms in the database  seq scan: {scans}"
        )
    (folder / "summary.json").write_text(json.dumps(rows, ensure_ascii=False, indent=2))
    raw.close()
    engine.dispose()
    print(f"plans written to {folder}")
    bad = [r for r in rows if r["seq_scans_of_large_tables"] and r["page"] not in YEAR_WIDE]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
