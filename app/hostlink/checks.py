"""The checks that refuse an extract before anything is applied, the import
lock, and the sanity thresholds that hold a file for a supervisor."""

import re
from datetime import date

from flask import current_app
from sqlalchemy import func, select, update

from app import clock
from app.extensions import db
from app.hostlink.models import RUN_APPLIED, RUN_FAILED, RUN_HELD, RUN_RUNNING
from app.hostlink.run_record import RUN
from app.scheduler import locks

LOCK_NAME = "hostlink.import"
_FILE_NAME = re.compile(r"FUREAI_(\d{8})\.DAT", re.IGNORECASE)


class Refused(Exception):
    """Stop the import: nothing is applied, for the reason given.

    :param code: the run's reason code (see :mod:`app.hostlink.messages`).
    :param args: the reason's details.
    :param as_of: the file's 基準日, when known.
    """

    def __init__(self, code, args=None, as_of=None):
        super().__init__(code)
        self.code = code
        self.args_ = args or {}
        self.as_of = as_of


def header_as_of(data):
    """The header's 基準日 when it can be read, even from a refused file."""
    if data[:1] != b"H" or not data[9:17].isdigit():
        return None
    try:
        return date(int(data[9:13]), int(data[13:15]), int(data[15:17]))
    except ValueError:
        return None


def check_not_seen(sha256, run_id):
    """:raises Refused: the same content was applied already, or is held."""
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(RUN.c.id, RUN.c.status)
            .where(
                RUN.c.sha256 == sha256,
                RUN.c.id != run_id,
                RUN.c.status.in_((RUN_APPLIED, RUN_HELD)),
            )
            .order_by(RUN.c.id)
        ).all()
    for other_id, status in rows:
        if status == RUN_APPLIED:
            raise Refused("already_applied", {"run_id": other_id})
    if rows:
        raise Refused("already_held", {"run_id": rows[0][0]})


def check_newer(as_of, run_id):
    """:raises Refused: the 基準日 is not later than the last applied one."""
    with db.engine.connect() as conn:
        last = conn.execute(
            select(func.max(RUN.c.as_of)).where(RUN.c.status == RUN_APPLIED, RUN.c.id != run_id)
        ).scalar()
    if last is not None and as_of <= last:
        raise Refused(
            "not_newer",
            {"as_of": as_of.isoformat(), "last_as_of": last.isoformat()},
            as_of=as_of,
        )


def check_not_future(as_of, created_on):
    """:raises Refused: the 基準日 or the 作成日 is after today (local time).

    An extract cannot describe a day that has not come: applied early, it
    would exclude people whose 除外日 is still ahead.
    """
    today = clock.today()
    if as_of > today:
        raise Refused(
            "future_as_of", {"as_of": as_of.isoformat(), "today": today.isoformat()}, as_of=as_of
        )
    if created_on is not None and created_on > today:
        raise Refused(
            "future_created_on",
            {"created_on": created_on.isoformat(), "today": today.isoformat()},
            as_of=as_of,
        )


def check_name(file_name, as_of):
    """:raises Refused: the date in the file's name is not its 基準日."""
    match = _FILE_NAME.fullmatch(file_name)
    if match and match.group(1) != as_of.strftime("%Y%m%d"):
        name_date = match.group(1)
        raise Refused(
            "name_mismatch",
            {
                "name_date": f"{name_date[:4]}-{name_date[4:6]}-{name_date[6:]}",
                "as_of": as_of.isoformat(),
            },  # fmt: skip
            as_of=as_of,
        )


def hold_reasons(plan):
    """The sanity thresholds the plan exceeds, as ``(code, args)``."""
    config = current_app.config
    reasons = {}
    reject_limit = config["HOSTLINK_MAX_REJECT_RATIO"]
    rejected = plan.counts["rejected"]
    if plan.data_count and rejected / plan.data_count > reject_limit:
        reasons["held_rejects"] = {
            "rejected": rejected,
            "data_count": plan.data_count,
            "ratio": rejected / plan.data_count,
            "limit": float(reject_limit),
        }
    exclude_limit = config["HOSTLINK_MAX_EXCLUDE_RATIO"]
    excluded = plan.counts["excluded"]
    if excluded and (not plan.active_before or excluded / plan.active_before > exclude_limit):
        reasons["held_exclusions"] = {
            "excluded": excluded,
            "active": plan.active_before,
            "ratio": excluded / plan.active_before if plan.active_before else 1.0,
            "limit": float(exclude_limit),
        }
    if not reasons:
        return None, None
    if len(reasons) == 1:
        ((code, args),) = reasons.items()
        return code, args
    return "+".join(reasons), reasons


def _sweep_interrupted(previous):
    """Mark the run of a dead lock holder (killed mid-import) as failed."""
    match = re.fullmatch(r"run:(\d+)", (previous or {}).get("detail") or "")
    if not match:
        return
    with db.engine.begin() as conn:
        conn.execute(
            update(RUN)
            .where(RUN.c.id == int(match.group(1)), RUN.c.status == RUN_RUNNING)
            .values(status=RUN_FAILED, reason_code="interrupted", finished_at=clock.now())
        )


def acquire_lock(run_id):
    """Take the import lock for the run.

    :raises Refused: another import holds it.
    """
    stale_after = current_app.config["HOSTLINK_LOCK_STALE_SECONDS"]
    try:
        lock = locks.acquire(LOCK_NAME, stale_after, detail=f"run:{run_id}")
    except locks.LockHeld as exc:
        raise Refused("locked", {"since": str(exc.holder.get("acquired_at") or "")}) from None
    if lock.previous:
        _sweep_interrupted(lock.previous)
    return lock
