"""Named locks between processes, kept in the ``process_lock`` table.

Works the same on SQLite and PostgreSQL and survives a ``kill -9`` of the
holder: a lock row names its owner (host, pid and a random id of the owning
process), and a lock whose owner is gone is *stale* and may be taken over:

* same host, and the pid is no longer running, or it is this very process's
  pid but from an earlier incarnation (a restarted container reuses pids);
* or the holder's heartbeat is older than ``stale_after`` seconds (an owner on
  another host, or a hung one).

Taking a lock over is a compare-and-swap on the owner column, so two
processes that both find a stale lock cannot both win.  Every statement runs
in its own short transaction on its own connection, never in the caller's
session.
"""

import logging
import os
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.scheduler.models import ProcessLock

log = logging.getLogger(__name__)

_TABLE = ProcessLock.__table__
# Tells this process from an earlier one that had the same pid.
_PROCESS_ID = uuid.uuid4().hex[:12]


class LockHeld(Exception):
    """The lock belongs to someone else who is still alive.

    :param holder: ``{"host", "pid", "acquired_at", "heartbeat_at", "detail"}``.
    """

    def __init__(self, name, holder):
        super().__init__(f"lock {name!r} is held by {holder.get('host')}:{holder.get('pid')}")
        self.name = name
        self.holder = holder


@dataclass
class Lock:
    """A lock this process holds.  ``previous`` describes a stale holder taken over."""

    name: str
    owner: str
    previous: dict | None = None

    def heartbeat(self, detail=None):
        """Record that the holder is alive.

        :returns: ``False`` when the lock is no longer ours (taken over).
        """
        values = {"heartbeat_at": clock.now()}
        if detail is not None:
            values["detail"] = detail[:200]
        with db.engine.begin() as conn:
            result = conn.execute(
                update(_TABLE)
                .where(_TABLE.c.name == self.name, _TABLE.c.owner == self.owner)
                .values(**values)
            )
        return result.rowcount == 1

    def release(self):
        with db.engine.begin() as conn:
            conn.execute(
                delete(_TABLE).where(_TABLE.c.name == self.name, _TABLE.c.owner == self.owner)
            )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.release()


def _host():
    return socket.gethostname()[:255]


def _pid_running(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _holder(row):
    return {
        "owner": row.owner,
        "host": row.host,
        "pid": row.pid,
        "acquired_at": row.acquired_at,
        "heartbeat_at": row.heartbeat_at,
        "detail": row.detail,
    }


def is_stale(holder, stale_after, now=None):
    """Whether the holder of a lock is gone (see the module notes)."""
    now = now or clock.now()
    if holder["heartbeat_at"] < now - timedelta(seconds=stale_after):
        return True
    if holder["host"] != _host():
        return False
    if holder["pid"] == os.getpid():
        return not holder["owner"].startswith(_owner_prefix())
    return not _pid_running(holder["pid"])


def _owner_prefix():
    return f"{_host()}:{os.getpid()}:{_PROCESS_ID}:"


def holder_of(name):
    """The current holder of the lock ``name`` as a dict, or ``None``."""
    with db.engine.connect() as conn:
        row = conn.execute(select(_TABLE).where(_TABLE.c.name == name)).first()
    return _holder(row) if row else None


def acquire(name, stale_after, detail=None):
    """Take the lock ``name``.

    :param stale_after: seconds without a heartbeat after which any holder is
        considered gone.
    :returns: a :class:`Lock`; use it as a context manager or call ``release()``.
    :raises LockHeld: someone alive holds it.
    """
    owner = f"{_owner_prefix()}{uuid.uuid4().hex[:8]}"
    now = clock.now()
    values = {
        "name": name,
        "owner": owner,
        "host": _host(),
        "pid": os.getpid(),
        "acquired_at": now,
        "heartbeat_at": now,
        "detail": (detail or "")[:200] or None,
    }
    for _attempt in range(3):
        try:
            with db.engine.begin() as conn:
                conn.execute(insert(_TABLE).values(**values))
            return Lock(name, owner)
        except IntegrityError:
            pass
        with db.engine.begin() as conn:
            row = conn.execute(select(_TABLE).where(_TABLE.c.name == name)).first()
            if row is None:
                continue  # released in the meantime: try the insert again
            holder = _holder(row)
            if not is_stale(holder, stale_after, now):
                raise LockHeld(name, holder)
            taken = conn.execute(
                update(_TABLE)
                .where(_TABLE.c.name == name, _TABLE.c.owner == row.owner)
                .values(**{k: v for k, v in values.items() if k != "name"})
            )
            if taken.rowcount == 1:
                log.warning(
                    "lock %s: took over from a stale holder %s pid %s (since %s)",
                    name,
                    holder["host"],
                    holder["pid"],
                    holder["acquired_at"],
                )
                return Lock(name, owner, previous=holder)
    raise LockHeld(name, holder_of(name) or {})
