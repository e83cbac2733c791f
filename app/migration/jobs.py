"""Running a check or an import of an uploaded workbook off the request.

A large workbook takes several seconds to read, so the upload's request only
stores it and answers; the run goes on in a thread of the same worker, which
writes its progress on the run's row for the page to poll.  The tests (and
``LEDGER_IN_BACKGROUND=0``) run it inline.  A worker that dies mid-run leaves
the run ``running``; :func:`app.migration.runs.mark_interrupted` closes it.
"""

import logging
import threading

from flask import current_app

from app.audit import writer as audit
from app.extensions import db
from app.migration import files, runs
from app.migration.models import TRIGGER_UPLOAD, MigrationRun

log = logging.getLogger(__name__)


def _work(app, action, run_id, user_id):
    with app.app_context():
        try:
            user = _user(user_id)
            run = db.session.get(MigrationRun, run_id)
            data = files.read_upload(run)
            if data is None:
                runs.refuse_missing_file(run_id)
                return
            getattr(runs, action)(run_id, data, user=user)
        except Exception:  # the thread's last resort: the run must not stay "running"
            log.exception("ledger run %s: %s failed", run_id, action)
            runs.record_failure(run_id)
        finally:
            db.session.remove()


def _user(user_id):
    from app.security.models import StaffUser

    return db.session.get(StaffUser, user_id) if user_id else None


def start(action, run_id, user):
    """Run ``runs.<action>`` (``check_ledger`` or ``import_ledger``) for ``run_id``."""
    app = current_app._get_current_object()
    user_id = getattr(user, "id", None)
    if not app.config.get("LEDGER_IN_BACKGROUND", True):
        _work(app, action, run_id, user_id)
        return
    thread = threading.Thread(
        target=_work, args=(app, action, run_id, user_id), name=f"ledger-run-{run_id}", daemon=True
    )
    thread.start()


def check_upload(data, filename, user):
    """Keep an uploaded workbook, record its run and start its check.

    :param filename: as the browser sent it (a path on some systems): only
        its last part is kept.
    :returns: the new run's id.
    """
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1][:255] or "ledger.xlsx"
    run_id = runs.start_run(
        name, data, trigger=TRIGGER_UPLOAD, user=user, stored_path=files.store_upload(data)
    )
    audit.record(
        "ledger.upload",
        target=f"ledger_run:{run_id}",
        detail={"file": name, "size": len(data)},
        commit=True,
    )
    start("check_ledger", run_id, user)
    return run_id
