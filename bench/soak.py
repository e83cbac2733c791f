"""Soak test: N simulated clerks for M minutes against a running server.

Clerks of mixed roles and offices (Staff and Supervisors at the main office,
BranchStaff at four branch offices), each signed in as their own account,
search, open people, issue at the counter through the real form (CSRF and
submission tokens read from the page), look at the pass list, and take files:
one Staff clerk and one branch clerk print their checklist PDF every 30 s, the
Supervisors download the access log of one person or of one clerk's day.
Think times between steps.

Printed at the end (and written to ``bench/results/soak-*.json``):

* requests, req/s, p50/p95/p99 per request kind, errors by kind, refusals the
  rules are expected to give (already has a pass this year);
* the gunicorn workers' RSS over time and its slope in MB/min after the
  warm-up (a least-squares line per worker);
* the longest stall: a moment when at least 80 % of the clerks are all waiting
  on the server, measured as how long the most recent of them has waited;
* integrity afterwards: no duplicate 整理番号, no two valid passes for one
  person and year, one access-log row per pass recorded during the run.

Usage (the check to run before go-live and after upgrades; README, operators)::

    .venv/bin/python bench/soak.py --db postgresql --clerks 30 --minutes 60

``--quick`` uses 5,000 people.  Traffic goes only to 127.0.0.1; the run is
bounded in clerks (≤ 60) and time (≤ 240 minutes) and stops by itself; the
server started here is always stopped before exit.
"""

import argparse
import json
import multiprocessing
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _soak_clerks import PASSWORD, Recorder, SharedBoard, run_clerk_group  # noqa: E402
from _soak_watch import ClientCpu, PgWatch, cpu_by_part, cpu_growth, windows  # noqa: E402
from procfs import process_tree, rss_anon_kb, rss_kb  # noqa: E402
from search import (  # noqa: E402
    FULL_PEOPLE,
    QUICK_PEOPLE,
    RESULTS,
    VENV_BIN,
    Server,
    _env,
    draw_samples,
    percentile,
    prepare_database,
)

MAX_CLERKS = 60
MAX_MINUTES = 240
STALL_SHARE = 0.8  # of the clerks waiting at once
STALL_MS = 200
CLIENT_PROCESSES = 6
# Share of a clerk's steps that end in a counter issue: with 30 clerks about
# 20 passes a minute, 1,200 an hour, several times a busy ward's whole day at
# its counters (a 5-minute trial at four times this rate made one day hold as
# many passes as a month, which no checklist meets in use).
ISSUE_SHARE = {"Staff": 0.03, "Supervisor": 0.012, "BranchStaff": 0.038}
ARRIVE_WITHIN_S = 20
BRANCH_OFFICES = ("YOTSUYA", "OKUBO", "TOTSUKA", "OCHIAI1")


def clerk_accounts(count):
    """The clerks' accounts: about 40 % Staff and 13 % Supervisors at the main
    office, the rest BranchStaff spread over four branch offices."""
    accounts = []
    for i in range(count):
        share = i / count
        if share < 0.4:
            role, office, issues = "Staff", "HQ", ISSUE_SHARE["Staff"]
        elif share < 0.53:
            role, office, issues = "Supervisor", "HQ", ISSUE_SHARE["Supervisor"]
        else:
            role, office, issues = "BranchStaff", BRANCH_OFFICES[i % 4], ISSUE_SHARE["BranchStaff"]
        accounts.append(
            {
                # the role in the name: an account left by a run with another
                # number of clerks is not reused with a different role
                "username": f"soak{i:02d}{role[:2].lower()}",
                "role": role,
                "office": office,
                "issues": issues,
                "arrive_within_s": ARRIVE_WITHIN_S,
            }
        )
    accounts[0]["checklist_every_30s"] = True
    branch = next(a for a in accounts if a["role"] == "BranchStaff")
    branch["checklist_every_30s"] = True
    branch["checklist_office"] = branch["office"]
    return accounts


_CREATE_ACCOUNTS = """
import json, sys
from app import create_app
from app.security import accounts
from app.extensions import db
from app.security.models import StaffUser
app = create_app()
with app.app_context():
    for a in json.loads(sys.argv[1]):
        if db.session.query(StaffUser).filter_by(username=a["username"]).first() is None:
            accounts.create_user(username=a["username"], role_name=a["role"],
                office_code=a["office"], full_name="負荷 試験", password=sys.argv[2],
                email=None, actor=None, must_change_password=False)
"""


def create_accounts(url, accounts):
    subprocess.run(
        [str(VENV_BIN / "python"), "-c", _CREATE_ACCOUNTS, json.dumps(accounts), PASSWORD],
        cwd=ROOT,
        env=_env(url),
        check=True,
        timeout=600,
    )


class Monitor(threading.Thread):
    """Samples who is waiting (every 20 ms) and the workers' RSS (every 10 s)."""

    def __init__(self, board, clerks, master_pid, deadline):
        super().__init__(daemon=True)
        self.board, self.clerks, self.master_pid = board, clerks, master_pid
        self.deadline = deadline
        self.stalls = []  # (start monotonic, longest wait ms) per episode
        self.rss = {}  # worker pid -> [(minutes since start, MB)]
        self.anon = {}  # the same for the heap alone (RssAnon)
        self.started = time.monotonic()

    def run(self):
        next_rss = 0.0
        episode = None
        while time.monotonic() < self.deadline:
            now = time.monotonic()
            waits = [now - t for t in self.board.snapshot() if t is not None]
            stalled = len(waits) >= STALL_SHARE * self.clerks and min(waits) * 1000 >= STALL_MS
            if stalled:
                wait_ms = min(waits) * 1000
                if episode is None:
                    episode = [now, wait_ms, datetime.now().strftime("%H:%M:%S.%f")[:-3]]
                episode[1] = max(episode[1], wait_ms)
            elif episode is not None:
                self.stalls.append(tuple(episode))
                episode = None
            if now >= next_rss:
                self._sample_rss(now)
                next_rss = now + 10
            time.sleep(0.02)
        if episode is not None:
            self.stalls.append(tuple(episode))

    def _sample_rss(self, now):
        minutes = (now - self.started) / 60
        for pid in process_tree(self.master_pid)[1:]:
            kb = rss_kb(pid)
            if kb:
                self.rss.setdefault(pid, []).append((minutes, kb / 1024))
                self.anon.setdefault(pid, []).append((minutes, rss_anon_kb(pid) / 1024))


def slope_mb_per_min(points, warmup_minutes):
    """Least-squares slope of RSS after the warm-up (None with too few points)."""
    points = [(x, y) for x, y in points if x >= warmup_minutes]
    if len(points) < 3:
        return None
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else None


def high_water(url):
    """The highest pass and access-log ids before the run (what is newer was
    written by the run)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        marks = {
            "issuance": conn.execute(text("SELECT coalesce(max(id), 0) FROM issuance")).scalar(),
            "log": conn.execute(text("SELECT coalesce(max(id), 0) FROM access_log")).scalar(),
        }
    engine.dispose()
    return marks


def integrity(url, marks):
    """The checks after the run: duplicates, two valid passes, log rows."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        duplicates = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT fiscal_year, control_no FROM issuance"
                " GROUP BY fiscal_year, control_no HAVING count(*) > 1) d"
            )
        ).scalar()
        two_valid = conn.execute(
            text(
                "SELECT count(*) FROM (SELECT resident_id, fiscal_year FROM issuance"
                " WHERE status = 'valid' GROUP BY resident_id, fiscal_year"
                " HAVING count(*) > 1) d"
            )
        ).scalar()
        created = conn.execute(
            text("SELECT fiscal_year, control_no FROM issuance WHERE id > :i"),
            {"i": marks["issuance"]},
        ).all()
        logged = conn.execute(
            text("SELECT target FROM access_log WHERE action = 'issuance.create' AND id > :i"),
            {"i": marks["log"]},
        ).all()
    engine.dispose()
    targets = [row[0] for row in logged]
    wanted = {f"{fy}-{no}" for fy, no in created}
    return {
        "duplicate_control_nos": duplicates,
        "people_with_two_valid_passes": two_valid,
        "passes_recorded": len(created),
        "issue_log_rows": len(targets),
        "passes_without_one_log_row": sum(1 for t in wanted if targets.count(t) != 1),
        "clean": duplicates == 0
        and two_valid == 0
        and len(targets) == len(wanted)
        and all(targets.count(t) == 1 for t in wanted),
    }


def _halves(points, warmup):
    """The slope after the warm-up in its first and its second half: caches
    filling up slow down, a leak does not."""
    after = [(x, y) for x, y in points if x >= warmup]
    if len(after) < 6:
        return None, None
    middle = (after[0][0] + after[-1][0]) / 2
    first = [(x, y) for x, y in after if x <= middle]
    second = [(x, y) for x, y in after if x >= middle]
    return _round(slope_mb_per_min(first, 0)), _round(slope_mb_per_min(second, 0))


def _worker_memory(monitor, warmup):
    """Per worker: RSS and heap (RssAnon) first and last, and their slopes
    after the warm-up, whole and by half; the samples themselves."""
    workers = {}
    for pid, points in monitor.rss.items():
        heap = monitor.anon[pid]
        workers[str(pid)] = {
            "first_mb": round(points[0][1], 1),
            "last_mb": round(points[-1][1], 1),
            "slope_mb_per_min": _round(slope_mb_per_min(points, warmup)),
            "slope_by_half": _halves(points, warmup),
            "heap_first_mb": round(heap[0][1], 1),
            "heap_last_mb": round(heap[-1][1], 1),
            "heap_slope_mb_per_min": _round(slope_mb_per_min(heap, warmup)),
            "heap_slope_by_half": _halves(heap, warmup),
            "samples_min_rss_heap": [
                (round(x, 2), round(y, 1), round(h, 1))
                for (x, y), (_x, h) in zip(points, heap, strict=True)
            ],
        }
    return workers


def summarize(recorder, wall, monitor, warmup):
    kinds = {}
    for kind, _start, ms in recorder.rows:
        kinds.setdefault(kind, []).append(ms)
    per_kind = {
        kind: {
            "requests": len(values),
            "p50_ms": round(percentile(values, 50), 1),
            "p95_ms": round(percentile(values, 95), 1),
            "p99_ms": round(percentile(values, 99), 1),
        }
        for kind, values in sorted(kinds.items())
    }
    errors = {}
    for kind, detail in recorder.errors:
        errors.setdefault(kind, []).append(detail)
    workers = _worker_memory(monitor, warmup)
    over = [s for s in monitor.stalls if s[1] > STALL_MS]
    return {
        "requests": len(recorder.rows),
        "req_per_s": round(len(recorder.rows) / wall, 1),
        "per_kind": per_kind,
        "errors": {k: {"count": len(v), "first": v[:3]} for k, v in errors.items()},
        "expected_refusals": recorder.refusals,
        "workers": workers,
        "longest_stall_ms": round(max((s[1] for s in monitor.stalls), default=0), 1),
        "stalls_over_200ms": len(over),
        "stalls": [
            {"at": s[2], "ms": round(s[1], 1)} for s in sorted(over, key=lambda s: -s[1])[:20]
        ],
    }


def _round(value):
    return None if value is None else round(value, 2)


def print_summary(kind, result):
    print(f"\n=== soak on {kind}: {result['clerks']} clerks, {result['minutes']} min")
    print(f"requests {result['requests']:,}  ({result['req_per_s']} req/s)")
    print(f"{'kind':18} {'n':>7} {'p50':>8} {'p95':>8} {'p99':>8}  ms")
    for name, row in result["per_kind"].items():
        print(
            f"{name:18} {row['requests']:>7} {row['p50_ms']:>8} {row['p95_ms']:>8}"
            f" {row['p99_ms']:>8}"
        )
    print("errors:", result["errors"] or "none")
    print("expected refusals:", result["expected_refusals"] or "none")
    for pid, w in result["workers"].items():
        print(
            f"worker {pid}: {w['first_mb']} → {w['last_mb']} MB, "
            f"slope after warm-up {w['slope_mb_per_min']} MB/min (by half {w['slope_by_half']}); "
            f"heap (RssAnon) {w['heap_first_mb']} → {w['heap_last_mb']} MB, "
            f"{w['heap_slope_mb_per_min']} MB/min (by half {w['heap_slope_by_half']})"
        )
    print(
        f"longest stall {result['longest_stall_ms']} ms; "
        f"stalls over {STALL_MS} ms: {result['stalls_over_200ms']}"
    )
    for stall in result["stalls"][:5]:
        print(f"  stall at {stall['at']}: {stall['ms']} ms")
    print("p95 per 5-minute window after the warm-up (worst / first):")
    for name, row in result["windows"].items():
        print(f"  {name:18} {row['p95_per_window_ms']}  ratio {row['ratio']}")
    print("the downloads' p95 per 15-minute window (worst / first):")
    for name, row in result.get("windows_15_min", {}).items():
        print(f"  {name:18} {row['p95_per_window_ms']}  ratio {row['ratio']}")
    if "postgresql" in result:
        print("postgresql:", json.dumps(result["postgresql"], ensure_ascii=False))
    print("cores busy on average:", json.dumps(result.get("cpu"), ensure_ascii=False))
    print("integrity:", json.dumps(result["integrity"], ensure_ascii=False))


def _client_processes(clerks, server, accounts, samples, board, deadline):
    """The clerks spread over up to ``CLIENT_PROCESSES`` processes (started)."""
    groups = [[] for _ in range(min(CLIENT_PROCESSES, clerks))]
    for i, account in enumerate(accounts):
        groups[i % len(groups)].append((i, account))
    results = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(
            target=run_clerk_group,
            args=(group, server.port, samples, board, deadline, results),
            daemon=True,
        )
        for group in groups
    ]
    for proc in procs:
        proc.start()
    return procs, results


def _collect(procs, results, deadline):
    """Every client process's rows, merged into one :class:`Recorder`."""
    recorder = Recorder()
    for _proc in procs:
        rows, errors, refusals = results.get(timeout=max(0.0, deadline - time.monotonic()) + 300)
        recorder.rows.extend(rows)
        recorder.errors.extend(errors)
        for reason, count in refusals.items():
            recorder.refusals[reason] = recorder.refusals.get(reason, 0) + count
    for proc in procs:
        proc.join(timeout=30)
    return recorder


def soak(kind, people, clerks, minutes, warmup, trace_memory=False):
    url, _built = prepare_database(kind, people)
    accounts = clerk_accounts(clerks)
    create_accounts(url, accounts)
    samples, _active, _passes = draw_samples(url, count=2000)
    marks = high_water(url)
    log_path = RESULTS / f"soak-{kind}-server.log"
    extra = {}
    if trace_memory:
        extra = {"WARD_TRACEMALLOC_DIR": str(RESULTS / f"tracemalloc-{kind}"),
                 "WARD_TRACEMALLOC_MINUTES": "2"}  # fmt: skip
    with Server(url, log_path, **extra) as server:
        deadline = time.monotonic() + minutes * 60
        board = SharedBoard(clerks)
        monitor = Monitor(board, clerks, server.proc.pid, deadline)
        pg_watch = PgWatch(url, deadline) if kind == "postgresql" else None
        started = time.monotonic()
        monitor.start()
        if pg_watch:
            pg_watch.start()
        cpu_before = cpu_by_part(server.proc.pid, None)
        procs, results = _client_processes(clerks, server, accounts, samples, board, deadline)
        client_cpu = ClientCpu(procs)
        recorder = _collect(procs, results, deadline)
        wall = time.monotonic() - started
        cpu = cpu_growth(cpu_before, cpu_by_part(server.proc.pid, client_cpu.total()), wall)
        monitor.join(timeout=5)
    result = {"db": kind, "people": people, "clerks": clerks, "minutes": minutes}
    result.update(summarize(recorder, wall, monitor, warmup))
    result["cpu"] = cpu
    result["windows"] = windows(recorder.rows, started, warmup)
    # the downloads, a few a minute: by quarter-hour
    slow = [r for r in recorder.rows if r[0] not in result["windows"]]
    result["windows_15_min"] = windows(slow, started, warmup, minutes=15, least=5)
    if pg_watch:
        pg_watch.join(timeout=5)
        result["postgresql"] = pg_watch.report(monitor.stalls)
    result["integrity"] = integrity(url, marks)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--clerks", type=int, default=30)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--warmup", type=float, default=1, help="minutes left out of the slope")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_PEOPLE:,} people")
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="workers write their growing allocation sites (tracemalloc) to bench/results/",
    )
    args = parser.parse_args()
    if not 1 <= args.clerks <= MAX_CLERKS or not 0 < args.minutes <= MAX_MINUTES:
        parser.error(f"clerks 1–{MAX_CLERKS}, minutes up to {MAX_MINUTES}")
    # A soak stopped from outside (kill, timeout) still stops its server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    people = QUICK_PEOPLE if args.quick else FULL_PEOPLE
    RESULTS.mkdir(parents=True, exist_ok=True)
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = []
    for kind in kinds:
        result = soak(kind, people, args.clerks, args.minutes, args.warmup, args.trace_memory)
        print_summary(kind, result)
        results.append(result)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"soak-{'-'.join(kinds)}-{stamp}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\nwritten to {out}")
    clean = all(r["integrity"]["clean"] and not r["errors"] for r in results)
    sys.exit(0 if clean else 1)


if __name__ == "__main__":
    main()
