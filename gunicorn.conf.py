"""gunicorn settings read by every ``gunicorn`` started in this directory
(``make run``, the benchmarks); command-line options override them.

``WARD_TRACEMALLOC_DIR``: when set, each worker traces its allocations and
writes, every ``WARD_TRACEMALLOC_MINUTES`` (default 5), the allocation sites
that grew most since its first snapshot (taken after the first interval, so
the warm-up is left out) to ``<dir>/tracemalloc-<pid>.txt``.  For finding a
worker that grows (README, operators' guide: the soak test); tracing slows a
worker by about a third, so never in everyday use.
"""

import gc
import os
import threading
import time
import tracemalloc

# A safety net, not a fix (the soak test found the workers flat after the
# warm-up): a worker is replaced after this many requests, at a moment spread
# by the jitter so that both workers are not replaced at once.  At a busy
# ward's daily traffic (about 20,000 requests) that is every week or two.
max_requests = 200_000
max_requests_jitter = 20_000


def post_worker_init(worker):
    # The application's own objects (FAB, SQLAlchemy, Babel catalogues: some
    # 190,000) live as long as the worker.  Frozen, the collector stops scanning
    # them on every full collection, which otherwise stalls one request in a
    # few hundred for tens of milliseconds.
    gc.freeze()
    folder = os.environ.get("WARD_TRACEMALLOC_DIR")
    if folder:
        minutes = float(os.environ.get("WARD_TRACEMALLOC_MINUTES", "5"))
        threading.Thread(target=_trace_growth, args=(folder, minutes * 60), daemon=True).start()


def _trace_growth(folder, interval):
    tracemalloc.start(8)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, f"tracemalloc-{os.getpid()}.txt")
    time.sleep(interval)
    first = tracemalloc.take_snapshot()
    started = time.monotonic()
    while True:
        time.sleep(interval)
        snapshot = tracemalloc.take_snapshot()
        top = snapshot.compare_to(first, "traceback")[:15]
        minutes = (time.monotonic() - started) / 60
        current, _peak = tracemalloc.get_traced_memory()
        with open(path, "a", encoding="utf-8") as out:
            out.write(
                f"=== {minutes:.1f} min after the first snapshot; traced {current / 1e6:.1f} MB\n"
            )
            for stat in top:
                out.write(f"{stat.size_diff / 1024:+.1f} KiB in {stat.count_diff:+d} blocks\n")
                for line in stat.traceback.format()[-8:]:
                    out.write(f"    {line}\n")
