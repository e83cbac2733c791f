"""Search and person-page benchmark: ours against a stock FAB ModelView.

With 89,086 dummy people (``flask demo-data``, about 260,000 passes), served by
gunicorn with 2 workers on a loopback port, signed in as ``staff``: kana-prefix
search, name search, 住民番号 lookup and the person's page, at 1 and 10
concurrent clients, on SQLite and PostgreSQL; p50/p95 latency, requests per
second and the server's CPU milliseconds per request.  Each figure is the run
with the median p95 of three (``--repeat``): this machine's speed varies from
minute to minute, and one run can land on a slow minute.  The same server run
also serves a stock ``ModelView`` of residents (``bench/stock_views.py``,
``EXTRA_VIEW_MODULES=bench.stock_views``) over the same data, so both columns
of the table come from the same run.  SQL statements per page are counted
in-process (a SQLAlchemy event counter).

The name search by part of a name (issue 15) is measured with 1, 2 and 3
characters of a name (``name 1``/``name 2``/``name 3``: a character anywhere
in it, its first two characters, three in a row) against the stock view's
"contains" filter (``_flt_2_name``, a ``LIKE '%…%'`` scan), and against the
physical floor: the very statement our search runs, captured in-process and
replayed directly on a database connection, one client (``--floor``).

Usage::

    .venv/bin/python bench/search.py [--quick] [--db sqlite|postgresql|both]
        [--scenarios "name 2,person page"] [--repeat N] [--pg-db NAME]
        [--people 89086,1200000]

``--quick`` uses 5,000 people and fewer requests.  ``--people`` with several
sizes measures each in turn and prints, per page, ours at 10 clients at every
size and the largest against the smallest (issue 17: how the cost grows, with
its targets at 1.2 million; ``--db postgresql`` for that size).  Databases are built once and
reused (``instance/bench/`` and the PostgreSQL database ``fureai_bench``);
results are printed and written to ``bench/results/search-*.json``.  Traffic
goes only to 127.0.0.1; every server started here is stopped before exit.
"""

import argparse
import http.client
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from procfs import cpu_seconds  # noqa: E402  (bench/, the script's folder)

VENV_BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results"
DATA_DIR = ROOT / "instance" / "bench"
PG_SERVER = "postgresql+psycopg2://postgres@127.0.0.1:5432"
HOST = "127.0.0.1"

FULL_PEOPLE = 89_086
QUICK_PEOPLE = 5_000
SEED = 0
USERNAME = "staff"

# Figures measured by the issue author for a stock FAB ModelView over the same
# data (SQLite, 10 clients), quoted beside ours.
ISSUE_STOCK_FIGURES = {
    "kana prefix": {"p95_ms": 394, "rps": 30, "sql_per_page": 21},
    "person page": {"p95_ms": 121},
}
TARGETS = {"kana prefix": {"p95_ms": 60, "rps": 150}, "person page": {"p95_ms": 100}}
# Issue 15 (SQLite, 10 clients): kanji contains p95 ≤ 60 ms, ≥ 150 req/s and
# ≥ 7 × stock's req/s; the person's page p95 ≤ 1.2 × stock's show page.
NAME_TARGETS = {"p95_ms": 60, "rps": 150, "rps_vs_stock": 7.0}
PERSON_PAGE_P95_VS_STOCK = 1.2
NAME_SCENARIOS = ("name 1", "name 2", "name 3")

# scenario -> (our URL, the stock view's URL); ``{kana}`` is a katakana prefix,
# ``{hira}`` the same in hiragana (what staff type), ``{name}`` a family name,
# ``{no}`` a 住民番号, ``{id}`` a resident id.
SCENARIOS = {
    "kana prefix": ("/residents/?q={hira}", "/bench/stock/residents/list/?_flt_0_kana={kana}"),
    "name": ("/residents/?q={name}", "/bench/stock/residents/list/?_flt_0_name={name}"),
    # ours answers a unique 住民番号 with a redirect to the person's page
    "resident no": ("/residents/?q={no}", "/bench/stock/residents/list/?_flt_3_resident_no={no}"),
    "person page": ("/residents/{id}", "/bench/stock/residents/show/{id}"),
    # part of a kanji name: ours (spaces ignored) against stock's "contains"
    # filter, given the same characters with the name's space where it stands
    "name 1": ("/residents/?q={n1}", "/bench/stock/residents/list/?_flt_2_name={n1s}"),
    "name 2": ("/residents/?q={n2}", "/bench/stock/residents/list/?_flt_2_name={n2s}"),
    "name 3": ("/residents/?q={n3}", "/bench/stock/residents/list/?_flt_2_name={n3s}"),
}
# A request succeeded with one of these statuses.
OK_STATUSES = (200, 302)


# --- databases ------------------------------------------------------------------


def _env(url, **extra):
    env = dict(os.environ)
    env.update(
        FLASK_APP="run.py",
        APP_ENV="development",
        DATABASE_URL=url,
        EXTRA_VIEW_MODULES="bench.stock_views",
        RATELIMIT_ENABLED="0",
        INSTANCE_DIR=str(DATA_DIR / "instance"),
    )
    env.update(extra)
    return env


def _flask(url, *args, timeout=1800):
    cmd = [str(VENV_BIN / "flask"), *args]
    result = subprocess.run(
        cmd, cwd=ROOT, env=_env(url), capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _count_people(url):
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM resident")).scalar()
    except SQLAlchemyError:
        # No database or no table yet: the caller loads the demo data.
        return None
    finally:
        engine.dispose()


def _pg_recreate(name):
    from sqlalchemy import create_engine, text

    admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def prepare_database(kind, people, pg_name=None):
    """The URL of a database with ``people`` demo residents (built when missing).

    :param pg_name: the PostgreSQL database's name (default ``fureai_bench``…).
    """
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        path = DATA_DIR / f"search-{people}.db"
        url = f"sqlite:///{path}"
    else:
        name = pg_name or ("fureai_bench" if people == FULL_PEOPLE else f"fureai_bench_{people}")
        url = f"{PG_SERVER}/{name}"
    # `flask init` also brings a reused database up to the latest migrations.
    if _count_people(url) == people:
        _flask(url, "init")
        return url, False
    print(f"[{kind}] building {people:,} people with flask demo-data …", flush=True)
    started = time.perf_counter()
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    else:
        _pg_recreate(name)
    _flask(url, "init")
    print(_flask(url, "demo-data", "--residents", str(people), "--seed", str(SEED)).strip())
    _analyze(url)
    print(f"[{kind}] built in {time.perf_counter() - started:.0f} s", flush=True)
    return url, True


def vacuum(url):
    """PostgreSQL: ``VACUUM (ANALYZE)`` of the two large tables (quick when
    done before: it skips the pages already marked all-visible)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("VACUUM (ANALYZE) resident, issuance"))
    engine.dispose()


def _analyze(url):
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    engine.dispose()


def draw_samples(url, count=300):
    """Search terms and ids drawn from the data (seeded, so runs compare)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, resident_no, name, kana FROM resident WHERE status = 'active'")
        ).all()
        passes = conn.execute(text("SELECT count(*) FROM issuance")).scalar()
    engine.dispose()
    rng = random.Random(SEED)
    picked = rng.sample(rows, min(count, len(rows)))
    samples = []
    for rid, no, name, kana in picked:
        family_kana = kana.split(" ")[0]
        prefix = family_kana[:2]
        samples.append(
            {
                "id": rid,
                "no": no,
                "name": name.replace("\u3000", " ").split(" ")[0],
                "kana": prefix,
                "hira": _hiragana(prefix),
                **_name_parts(name, rng),
            }
        )
    return samples, len(rows), passes


def _name_parts(name, rng):
    """1, 2 and 3 characters of a name (``n1`` … as typed, spaces ignored by
    our search) and the same characters as they stand in the stored name,
    space included, for the stock view's filter (``n1s`` …)."""
    positions = [i for i, c in enumerate(name) if not c.isspace()]

    def stored(first, length):
        chosen = positions[first : first + length]
        return name[chosen[0] : chosen[-1] + 1]

    one = rng.randrange(len(positions))
    three = rng.randrange(max(1, len(positions) - 2))
    parts = {"1": (one, 1), "2": (0, 2), "3": (three, 3)}
    found = {}
    for key, (first, length) in parts.items():
        text = stored(first, length)
        found[f"n{key}s"] = text
        found[f"n{key}"] = "".join(text.split())
    return found


def _hiragana(katakana):
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in katakana)


def _url(template, sample):
    return template.format(**{k: quote(str(v)) for k, v in sample.items()})


# --- the server -------------------------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with 2 workers on a free loopback port; always stopped on exit."""

    def __init__(self, url, log_path, **extra_env):
        self.url = url
        self.port = _free_port()
        self.log_path = log_path
        self.extra_env = extra_env
        self.proc = None

    def __enter__(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "--workers",
                "2",
                "--bind",
                f"{HOST}:{self.port}",
                "--timeout",
                "60",
                "run:app",
            ],
            cwd=ROOT,
            env=_env(self.url, **self.extra_env),
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited early; see {self.log_path}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/login/")
                if conn.getresponse().status == 200:
                    conn.close()
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise SystemExit("gunicorn did not answer within 90 s")

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        self.log.close()


def sign_in(port, username, password):
    """The session cookie of ``username`` (through the sign-in form and its CSRF token)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    conn.request("GET", "/login/")
    resp = conn.getresponse()
    page = resp.read().decode()
    cookie = _session_cookie(resp) or ""
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    form = {"username": username, "password": password}
    if token:
        form["csrf_token"] = token.group(1)
    conn.request(
        "POST",
        "/login/",
        body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    resp = conn.getresponse()
    resp.read()
    cookie = _session_cookie(resp) or cookie
    conn.close()
    if resp.status != 302 or "/login" in resp.getheader("Location", ""):
        raise SystemExit(f"could not sign in as {username} ({resp.status})")
    return cookie


def _session_cookie(resp):
    for header, value in resp.getheaders():
        if header.lower() == "set-cookie" and value.startswith("session="):
            return value.split(";", 1)[0]
    return None


# --- the load -----------------------------------------------------------------------


def drive(port, cookie, urls, clients, requests, time_limit=120):
    """``requests`` GETs of ``urls`` (round robin) from ``clients`` threads with
    keep-alive connections; returns latencies (ms), errors and wall time."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies, errors = [], []
    deadline = time.monotonic() + time_limit

    def worker():
        conn = http.client.HTTPConnection(HOST, port, timeout=60)
        while time.monotonic() < deadline:
            with lock:
                i = state["next"]
                if i >= requests:
                    break
                state["next"] += 1
            url = urls[i % len(urls)]
            started = time.perf_counter()
            try:
                conn.request("GET", url, headers={"Cookie": cookie})
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=60)
                status = repr(exc)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status in OK_STATUSES:
                    latencies.append(elapsed)
                else:
                    errors.append((url, status))
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=time_limit + 60)
    wall = time.perf_counter() - started
    return latencies, errors, wall


def percentile(values, pct):
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def measure(
    port, cookie, samples, clients_list, requests_for, repeat=1, server_pid=None, scenarios=None
):
    """Every scenario (or those named in ``scenarios``), ours and stock, at each
    number of clients, ``repeat`` times; the run with the median p95 is
    reported (all runs are kept)."""
    rows = []
    for scenario, (ours, stock) in SCENARIOS.items():
        if scenarios and scenario not in scenarios:
            continue
        for variant, template in (("ours", ours), ("stock", stock)):
            urls = [_url(template, s) for s in samples]
            # warm the workers' caches and connection pools
            drive(port, cookie, urls[:20], 2, 20)
            for clients in clients_list:
                n = requests_for(clients)
                runs = []
                for _ in range(repeat):
                    cpu_before = cpu_seconds(server_pid) if server_pid else None
                    lat, errors, wall = drive(port, cookie, urls, clients, n)
                    cpu_after = cpu_seconds(server_pid) if server_pid else None
                    cpu = (
                        (cpu_after - cpu_before) * 1000 / len(lat)
                        if lat and cpu_before is not None and cpu_after is not None
                        else None
                    )
                    runs.append(
                        {
                            "requests": len(lat),
                            "errors": len(errors),
                            "first_errors": [list(map(str, e)) for e in errors[:3]],
                            "p50_ms": _round(percentile(lat, 50)),
                            "p95_ms": _round(percentile(lat, 95)),
                            "rps": _round(len(lat) / wall if wall else None),
                            "server_cpu_ms": _round(cpu),
                        }
                    )
                ordered = sorted(runs, key=lambda r: (r["p95_ms"] is None, r["p95_ms"] or 0))
                row = {
                    "scenario": scenario,
                    "variant": variant,
                    "clients": clients,
                    **ordered[len(ordered) // 2],
                    "runs": runs,
                }
                rows.append(row)
                print(
                    f"  {scenario:12} {variant:5} {clients:>2} clients: "
                    f"p50 {_fmt(row['p50_ms'])} p95 {_fmt(row['p95_ms'])} ms, "
                    f"{_fmt(row['rps'])} req/s, server CPU {_fmt(row['server_cpu_ms'])} ms/req"
                    + (
                        f" (median of {repeat}: p95 "
                        + ", ".join(_fmt(r["p95_ms"]) for r in runs)
                        + ")"
                        if repeat > 1
                        else ""
                    )
                    + (f", {row['errors']} errors {row['first_errors']}" if row["errors"] else ""),
                    flush=True,
                )
    return rows


def _round(value):
    return None if value is None else round(value, 1)


def _fmt(value):
    return "—" if value is None else f"{value:.1f}"


# --- SQL statements per page (in-process) ------------------------------------------


def count_sql(url, samples, scenarios=None):
    """SQL statements of each scenario's page, ours and stock, counted by a
    SQLAlchemy event listener in a separate process (one app per process)."""
    payload = json.dumps({"url": url, "samples": samples[:5], "scenarios": scenarios})
    return _child("--count-sql", payload, url)


def _child(flag, payload, url):
    """Run this script's ``flag`` part in a separate process; its last line."""
    result = subprocess.run(
        [sys.executable, __file__, flag],
        input=payload,
        cwd=ROOT,
        env=_env(url),
        capture_output=True,
        text=True,
        timeout=600,
    )
    if result.returncode != 0:
        print(result.stderr[-3000:], file=sys.stderr)
        return {}
    return json.loads(result.stdout.strip().splitlines()[-1])


def _count_sql_child():
    payload = json.loads(sys.stdin.read())
    import logging

    logging.disable(logging.WARNING)
    from sqlalchemy import event

    from app import create_app
    from app.demo.accounts import DEMO_PASSWORD
    from app.extensions import db

    app = create_app()
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    resp = client.post("/login/", data={"username": USERNAME, "password": DEMO_PASSWORD})
    assert resp.status_code == 302, resp.status_code
    counter = {"n": 0}

    def _count(*_args, **_kw):
        counter["n"] += 1

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", _count)
    counts = {}
    for scenario, (ours, stock) in SCENARIOS.items():
        if payload.get("scenarios") and scenario not in payload["scenarios"]:
            continue
        for variant, template in (("ours", ours), ("stock", stock)):
            per_page = []
            for sample in payload["samples"]:
                path = _url(template, sample)
                client.get(path)  # warm-up: the first page also loads permissions
                counter["n"] = 0
                resp = client.get(path)
                per_page.append(counter["n"] if resp.status_code in OK_STATUSES else None)
            counts[f"{scenario}|{variant}"] = max(
                (n for n in per_page if n is not None), default=None
            )
    print(json.dumps(counts))


# --- the physical floor of the name search -------------------------------------------


FLOOR_RUNS = 3  # replays of each captured statement (the median kept per query)


def measure_floor(url, samples, scenarios=None):
    """``{scenario: {p50_ms, p95_ms, qps}}``: our search's own statement for
    each sample, captured in-process and replayed directly on a database
    connection by one client (no Flask, no ORM, no HTML)."""
    chosen = [n for n in NAME_SCENARIOS if not scenarios or n in scenarios]
    if not chosen:
        return {}
    payload = json.dumps({"url": url, "samples": samples, "scenarios": chosen})
    return _child("--floor", payload, url)


def _captured_statements(app, scenario, samples):
    """The SELECT of our search for each sample's text, with its parameters."""
    from sqlalchemy import event

    from app.extensions import db
    from app.residents import search as people

    key = {"name 1": "n1", "name 2": "n2", "name 3": "n3"}[scenario]
    captured = []

    def _keep(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM resident" in statement and "ORDER BY" in statement:
            captured.append((statement, parameters))

    with app.test_request_context():
        event.listen(db.engine, "before_cursor_execute", _keep)
        try:
            for sample in samples:
                people.search(people.parse_query(sample[key]), with_passes=False)
        finally:
            event.remove(db.engine, "before_cursor_execute", _keep)
        raw = db.engine.raw_connection()
    return captured, raw


def _floor_child():
    payload = json.loads(sys.stdin.read())
    import logging

    logging.disable(logging.WARNING)
    from app import create_app

    app = create_app()
    found = {}
    for scenario in payload["scenarios"]:
        captured, raw = _captured_statements(app, scenario, payload["samples"])
        cursor = raw.cursor()
        timings = []
        for statement, parameters in captured:
            runs = []
            for _ in range(FLOOR_RUNS):
                started = time.perf_counter()
                cursor.execute(statement, parameters)
                cursor.fetchall()
                runs.append((time.perf_counter() - started) * 1000)
            timings.append(sorted(runs)[len(runs) // 2])
        cursor.close()
        raw.close()
        total = sum(timings) / 1000
        found[scenario] = {
            "p50_ms": _round(percentile(timings, 50)),
            "p95_ms": _round(percentile(timings, 95)),
            "qps_one_client": _round(len(timings) / total if total else None),
            "queries": len(timings),
        }
    print(json.dumps(found))


# --- report ---------------------------------------------------------------------------


def print_table(kind, rows, sql):
    print()
    print(f"== {kind}: ours vs stock FAB ModelView (same server run)")
    head = (
        f"{'scenario':12} {'clients':>7} | {'ours p50':>8} {'p95':>7} {'req/s':>7} {'CPU':>5}"
        f" {'SQL':>4} | {'stock p50':>9} {'p95':>7} {'req/s':>7} {'CPU':>5} {'SQL':>4}"
    )
    print(head)
    print("-" * len(head))
    index = {(r["scenario"], r["variant"], r["clients"]): r for r in rows}
    for scenario in SCENARIOS:
        if not any(r["scenario"] == scenario for r in rows):
            continue
        for clients in sorted({r["clients"] for r in rows}):
            o = index.get((scenario, "ours", clients), {})
            s = index.get((scenario, "stock", clients), {})
            print(
                f"{scenario:12} {clients:>7} |"
                f" {_fmt(o.get('p50_ms')):>8} {_fmt(o.get('p95_ms')):>7}"
                f" {_fmt(o.get('rps')):>7} {_fmt(o.get('server_cpu_ms')):>5}"
                f" {sql.get(f'{scenario}|ours') or '—':>4}"
                f" | {_fmt(s.get('p50_ms')):>9} {_fmt(s.get('p95_ms')):>7}"
                f" {_fmt(s.get('rps')):>7} {_fmt(s.get('server_cpu_ms')):>5}"
                f" {sql.get(f'{scenario}|stock') or '—':>4}"
            )
    print("CPU: milliseconds of server CPU (both workers) per request.")


def print_ratios(kind, rows, floor):
    """Issue 15's figures at 10 clients: ours against stock and the floor."""
    index = {(r["scenario"], r["variant"], r["clients"]): r for r in rows}
    lines = []
    for scenario in (*NAME_SCENARIOS, "person page"):
        o, s = index.get((scenario, "ours", 10)), index.get((scenario, "stock", 10))
        if not o or not s or not o.get("p95_ms") or not s.get("p95_ms"):
            continue
        f = floor.get(scenario, {})
        lines.append(
            f"{scenario:12} | ours p95 {_fmt(o['p95_ms']):>6} ms {_fmt(o['rps']):>6} req/s"
            f" | stock p95 {_fmt(s['p95_ms']):>6} ms {_fmt(s['rps']):>6} req/s"
            f" | ours/stock p95 {o['p95_ms'] / s['p95_ms']:.2f},"
            f" req/s {o['rps'] / s['rps']:.1f}×"
            + (
                f" | floor p50 {_fmt(f.get('p50_ms'))} p95 {_fmt(f.get('p95_ms'))} ms"
                f" ({_fmt(f.get('qps_one_client'))} q/s, 1 client)"
                if f
                else ""
            )
        )
    if not lines:
        return
    print()
    print(f"== {kind}: issue 15, 10 clients (same server run)")
    print("\n".join(lines))
    print(
        f"targets (SQLite): name p95 ≤ {NAME_TARGETS['p95_ms']} ms, ≥ {NAME_TARGETS['rps']} req/s"
        f" and ≥ {NAME_TARGETS['rps_vs_stock']:.0f}× stock's req/s; person page p95 ≤"
        f" {PERSON_PAGE_P95_VS_STOCK} × stock's"
    )


# Issue 17 (PostgreSQL, 10 clients, 1.2 million people): p95 targets per page.
LARGE_CITY_P95_MS = {"kana prefix": 100, "resident no": 50, "person page": 100}
LARGE_CITY_NAME_P95_MS = 200


def print_growth(kind, sizes, databases):
    """Ours at 10 clients at each size, and the largest against the smallest
    (how the cost grows with the data; issue 17's targets beside)."""
    first, last = sizes[0], sizes[-1]
    index = {}
    for people in sizes:
        for r in databases[f"{kind} {people}"]["rows"]:
            if r["variant"] == "ours" and r["clients"] == 10:
                index[(r["scenario"], people)] = r
    print()
    print(f"== {kind}: ours at 10 clients by size (p95 ms, req/s); last ÷ first")
    for scenario in SCENARIOS:
        cells = [index.get((scenario, n)) for n in sizes]
        if not all(cells):
            continue
        figures = " | ".join(
            f"{n:,}: {_fmt(c['p95_ms'])} ms {_fmt(c['rps'])}/s"
            for n, c in zip(sizes, cells, strict=True)
        )
        ratio = index[(scenario, last)]["p95_ms"] / max(index[(scenario, first)]["p95_ms"], 0.01)
        target = LARGE_CITY_P95_MS.get(scenario)
        if target is None and scenario in NAME_SCENARIOS:
            target = LARGE_CITY_NAME_P95_MS
        goal = f" (target at {last:,}: ≤ {target} ms)" if target else ""
        print(f"{scenario:12} | {figures} | p95 × {ratio:.2f}{goal}")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="5,000 people, fewer requests")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--people",
        help="number of people, or several comma-separated, e.g. 89086,1200000 (overrides --quick)",
    )
    parser.add_argument(
        "--repeat", type=int, help="runs per figure, the median reported (default 3, quick 1)"
    )
    parser.add_argument(
        "--scenarios", help=f"comma-separated, of: {', '.join(SCENARIOS)} (default: all)"
    )
    parser.add_argument("--requests", type=int, help="requests per figure at 10 clients")
    parser.add_argument("--pg-db", help="PostgreSQL database name (default fureai_bench…)")
    parser.add_argument("--count-sql", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.scenario_list = [s.strip() for s in args.scenarios.split(",")] if args.scenarios else []
    try:
        args.sizes = [int(n) for n in args.people.split(",")] if args.people else []
    except ValueError:
        parser.error("--people takes numbers, e.g. 89086 or 89086,1200000")
    if args.pg_db and len(args.sizes) > 1:
        parser.error("--pg-db names one database: give one size with it")
    unknown = [s for s in args.scenario_list if s not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenarios: {unknown}")
    return args


def _measure_kind(kind, args, people, requests_for, repeat):
    """Build or reuse the database of ``kind``, run the server, measure."""
    from app.demo.accounts import DEMO_PASSWORD

    url, built = prepare_database(kind, people, pg_name=args.pg_db)
    samples, active, passes = draw_samples(url)
    print(f"[{kind}] {active:,} active people, {passes:,} passes; measuring …", flush=True)
    if kind == "postgresql":
        # A database loaded just now has no visibility map yet, which every
        # index-only plan needs; a running one has it from autovacuum.
        vacuum(url)
    load_before = os.getloadavg()
    log_path = RESULTS / f"search-gunicorn-{kind}.log"
    with Server(url, log_path) as server:
        cookie = sign_in(server.port, USERNAME, DEMO_PASSWORD)
        rows = measure(
            server.port,
            cookie,
            samples,
            (1, 10),
            requests_for,
            repeat=repeat,
            server_pid=server.proc.pid,
            scenarios=args.scenario_list,
        )
    sql = count_sql(url, samples, args.scenario_list)
    floor = measure_floor(url, samples, args.scenario_list)
    print_table(f"{kind}, {people:,} people", rows, sql)
    print_ratios(f"{kind}, {people:,} people", rows, floor)
    print(f"load average before {load_before[0]:.1f}, after {os.getloadavg()[0]:.1f} (2 cores)")
    return {
        "people_active": active,
        "passes": passes,
        "built_now": built,
        "rows": rows,
        "sql_per_page": sql,
        "floor": floor,
        # the machine's load (1, 5, 15 min) around the run: figures taken
        # while other work runs are slower, and say so
        "load_average": {"before": load_before, "after": os.getloadavg()},
    }


def main():
    args = _arguments()
    if args.count_sql:
        return _count_sql_child()
    if args.floor:
        return _floor_child()
    # Stopped from outside (bench/run_all.py's time limit): unwind, so that
    # the gunicorn started here is stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sizes = args.sizes or [QUICK_PEOPLE if args.quick else FULL_PEOPLE]

    def requests_for(clients):
        if args.quick:
            return 40 if clients == 1 else 150
        if clients == 1:
            return 150 if not args.requests else max(20, args.requests // 4)
        return args.requests or 600

    repeat = args.repeat or (1 if args.quick else 3)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    report = {
        "benchmark": "search",
        "started": datetime.now().isoformat(timespec="seconds"),
        "quick": args.quick,
        "people": sizes[0] if len(sizes) == 1 else sizes,
        "server": "gunicorn --workers 2 (sync), loopback",
        "repeat": repeat,
        "scenarios": args.scenario_list or list(SCENARIOS),
        "issue_stock_figures_sqlite_10_clients": ISSUE_STOCK_FIGURES,
        "targets_sqlite_10_clients": TARGETS,
        "targets_issue_15": {
            "name": NAME_TARGETS,
            "person_page_p95_vs_stock": PERSON_PAGE_P95_VS_STOCK,
        },
        "databases": {},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    for people in sizes:
        for kind in kinds:
            found = _measure_kind(kind, args, people, requests_for, repeat)
            if len(sizes) == 1:
                report["databases"][kind] = found
            else:
                report["databases"][f"{kind} {people}"] = found
    if len(sizes) > 1:
        for kind in kinds:
            print_growth(kind, sizes, report["databases"])
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"search-{'quick-' if args.quick else ''}{stamp}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"\nwritten {out.relative_to(ROOT)}")
    print(
        "issue author's stock figures (SQLite, 10 clients): kana prefix p95 394 ms at 30 req/s,"
        " 21 SQL per page; show page p95 121 ms.  Targets: kana prefix p95 ≤ 60 ms and"
        " ≥ 150 req/s; person page p95 ≤ 100 ms."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
