"""gunicorn settings read by every ``gunicorn`` started in this directory
(``make run``, the benchmarks); command-line options override them."""

import gc


def post_worker_init(worker):
    # The application's own objects (FAB, SQLAlchemy, Babel catalogues: some
    # 190,000) live as long as the worker.  Frozen, the collector stops scanning
    # them on every full collection, which otherwise stalls one request in a
    # few hundred for tens of milliseconds.
    gc.freeze()
