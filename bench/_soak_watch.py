"""What ``bench/soak.py`` watches besides the clerks: the database server while
the clerks work (PostgreSQL), and how each page kind's p95 moves over the run.

* :class:`PgWatch` samples ``pg_stat_activity`` every 50 ms (what every other
  backend of the database is doing and waiting on) and reads the database's
  counters before and after (commits, rollbacks, checkpoints, autovacuum), so
  a stall can be laid beside what the server was doing at that moment.
* :func:`windows` cuts the requests into 5-minute windows and gives each page
  kind's p95 per window beside its first window after the warm-up (the target:
  no window above 1.5 × that figure).
"""

import os
import threading
import time

from procfs import cpu_seconds, machine_busy_seconds, named_cpu_seconds
from search import percentile

WINDOW_MINUTES = 5
SAMPLE_SECONDS = 0.05

_ACTIVITY = """
SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, state), left(query, 60)
FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
"""
_COUNTERS = """
SELECT d.xact_commit, d.xact_rollback, d.deadlocks, d.temp_files,
       b.checkpoints_timed + b.checkpoints_req,
       (SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_user_tables)
FROM pg_stat_database d, pg_stat_bgwriter b WHERE d.datname = current_database()
"""
_COUNTER_NAMES = ("commits", "rollbacks", "deadlocks", "temp_files", "checkpoints", "autovacuums")


class PgWatch(threading.Thread):
    """Samples what the database's other backends do, until ``deadline``."""

    def __init__(self, url, deadline):
        super().__init__(daemon=True)
        from sqlalchemy import create_engine

        self.engine = create_engine(url, isolation_level="AUTOCOMMIT")
        self.deadline = deadline
        self.samples = []  # (monotonic, [(wait type, wait event, query)])
        self.before = self.counters()

    def counters(self):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            row = conn.execute(text(_COUNTERS)).one()
        return dict(zip(_COUNTER_NAMES, (int(v) for v in row), strict=True))

    def run(self):
        from sqlalchemy import text

        with self.engine.connect() as conn:
            while time.monotonic() < self.deadline:
                rows = conn.execute(text(_ACTIVITY)).all()
                self.samples.append((time.monotonic(), [tuple(r) for r in rows]))
                time.sleep(SAMPLE_SECONDS)

    def report(self, stalls):
        """The counters' growth over the run, and the wait events seen during
        ``stalls`` (``[(start, longest ms, …)]``) beside those of the whole run."""
        after = self.counters()
        self.engine.dispose()
        growth = {k: after[k] - self.before[k] for k in _COUNTER_NAMES}
        during = {}
        for start, ms, *_rest in stalls:
            end = start + ms / 1000
            for at, rows in self.samples:
                if start - ms / 1000 <= at <= end:
                    for kind, event, _query in rows:
                        key = f"{kind}:{event}"
                        during[key] = during.get(key, 0) + 1
        overall = {}
        for _at, rows in self.samples:
            for kind, event, _query in rows:
                key = f"{kind}:{event}"
                overall[key] = overall.get(key, 0) + 1
        top = sorted(overall.items(), key=lambda kv: -kv[1])[:8]
        return {
            "counters": growth,
            "samples": len(self.samples),
            "busy_backends_per_sample": round(
                sum(len(r) for _a, r in self.samples) / max(1, len(self.samples)), 2
            ),
            "waits_overall": dict(top),
            "waits_during_stalls": dict(sorted(during.items(), key=lambda kv: -kv[1])[:8]),
        }


def windows(rows, started, warmup_minutes, minutes=WINDOW_MINUTES, least=20):
    """Per page kind, p95 (ms) in each ``minutes``-minute window after the
    warm-up (windows of at least ``least`` requests), and the worst window
    against the first (``ratio``)."""
    buckets = {}
    for kind, at, ms in rows:
        minute = (at - started) / 60
        if minute < warmup_minutes:
            continue
        index = int((minute - warmup_minutes) // minutes)
        buckets.setdefault(kind, {}).setdefault(index, []).append(ms)
    result = {}
    for kind, by_window in sorted(buckets.items()):
        # a last window much shorter than the others says little
        figures = [
            round(percentile(values, 95), 1)
            for _i, values in sorted(by_window.items())
            if len(values) >= least
        ]
        if not figures:
            continue
        result[kind] = {
            "p95_per_window_ms": figures,
            "ratio": round(max(figures) / figures[0], 2) if figures[0] else None,
        }
    return result


class ClientCpu(threading.Thread):
    """The client processes' CPU seconds, read until each one ends."""

    def __init__(self, procs):
        super().__init__(daemon=True)
        self.last = {p.pid: 0.0 for p in procs}
        self.procs = procs
        self.start()

    def run(self):
        while any(p.is_alive() for p in self.procs):
            for p in self.procs:
                seconds = cpu_seconds(p.pid)
                if seconds:
                    self.last[p.pid] = seconds
            time.sleep(1)

    def total(self):
        return sum(self.last.values())


def cpu_by_part(server_pid, clients):
    return {
        "server": cpu_seconds(server_pid) or 0.0,
        "clients": clients or 0.0,
        "postgresql": named_cpu_seconds("postgres"),
        "machine": machine_busy_seconds(),
    }


def cpu_growth(before, after, wall):
    """Cores busy on average over the run, by part: the server's workers,
    the simulated clerks, the database server, and everything on the machine
    (what is left over is other work beside the soak)."""
    cores = {part: round((after[part] - before[part]) / wall, 2) for part in after}
    cores["other"] = round(
        cores["machine"] - cores["server"] - cores["clients"] - cores["postgresql"], 2
    )
    return {"cores_busy": cores, "cores": os.cpu_count()}
