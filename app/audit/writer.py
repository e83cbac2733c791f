"""The access log (アクセスログ): who read or changed which person's data.

Every view that shows or changes personal data calls :func:`record`.  The row is
written in the current transaction so it commits with the change it describes;
use ``commit=True`` for reads, where there is no other change to commit.  A
list names the people it showed (``people=``): one ``access_log_person`` row
each, written in the same transaction, which the search by 住民番号 reads.
"""

import functools
import logging
from contextlib import nullcontext

from flask import current_app, g, has_request_context, request
from sqlalchemy import insert, text

from app.audit.models import AccessLog, AccessLogPerson
from app.db.bulk import bulk_insert
from app.db.transaction import transaction
from app.extensions import db

log = logging.getLogger(__name__)

PERSON_COLUMNS = ("log_id", "resident_no")

# Asynchronous commit for this transaction only, and only when nothing has
# been written in it yet (no transaction id assigned): the log row of a read
# is then its only write.
_ASYNC_IF_LOG_ONLY = text(
    "SELECT set_config('synchronous_commit', 'off', true)"
    " WHERE pg_current_xact_id_if_assigned() IS NULL"
)


def _commit_without_waiting_for_disk():
    """On PostgreSQL, let a read's log row commit without waiting for the WAL
    flush (``ACCESS_LOG_ASYNC_COMMIT``, docs/security.md).

    Every page that shows a person commits one row; waiting for the disk made
    every worker wait at once whenever a checkpoint synced its files (commits
    of 190–540 ms in the soak test, bench/soak.py).  The row still commits in
    order and atomically; only a crash of the database server itself within
    the WAL writer's delay (3 × 200 ms) could lose it.  A transaction that
    changed anything else keeps the full wait.
    """
    if not current_app.config.get("ACCESS_LOG_ASYNC_COMMIT", True):
        return
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(_ASYNC_IF_LOG_ONLY)


@functools.cache
def _insert_statement():
    # Built once: every page runs it, and .values() built and keyed a new
    # statement each time.
    return insert(AccessLog.__table__)


def _actor(user):
    if user is None and has_request_context():
        user = getattr(g, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None, None, None, None
    roles = ",".join(r.name for r in getattr(user, "roles", []) or [])
    office = getattr(user, "office", None)
    return user.id, user.username, roles, getattr(office, "code", None)


def client_ip():
    if not has_request_context():
        return None
    return request.remote_addr


def resident_numbers(values):
    """The distinct 住民番号 among ``values``, sorted; anything that is not one
    (empty, not digits, too long) is left out."""
    found = {str(v) for v in values if v is not None}
    return sorted(n for n in found if n.isascii() and n.isdigit() and len(n) <= 10)


def _name_people(log_id, numbers):
    # bulk_insert: executemany on SQLite, COPY on PostgreSQL, so a mass-mailing
    # file of 26,000 letters costs one statement as a page of 25 does.
    rows = [(log_id, number) for number in numbers]
    bulk_insert(db.session.connection(), AccessLogPerson.__table__, PERSON_COLUMNS, rows)


def record(
    action,
    resident_no=None,
    target=None,
    detail=None,
    outcome="ok",
    user=None,
    username=None,
    commit=False,
    people=None,
):
    """Append one access-log row.

    :param action: what was done, e.g. ``resident.view``, ``resident.search``,
        ``issuance.create``, ``letter.print``, ``login.failure``.
    :param resident_no: the person concerned, if one.
    :param target: free text naming the object (a URL, a run id, a username).
    :param detail: JSON-able details (search query, changed fields, people printed).
    :param people: the 住民番号 of everyone a list showed (duplicates and
        non-numbers are dropped); their count goes in the detail as ``shown``.
    :param username: for events without a signed-in user (failed sign-ins).
    :param user: the actor; by default the signed-in user of the request.
        ``False`` records no actor even inside a request (the command line,
        sign-in attempts).
    :returns: the values written.
    """
    from app import clock

    user_id, uname, roles, office_code = _actor(user)
    numbers = resident_numbers(people) if people is not None else []
    if people is not None:
        detail = {**(detail or {}), "shown": len(numbers)}
    # A plain INSERT in the session's transaction: every page writes one row,
    # and the ORM's unit of work would cost more than the statement.
    row = dict(
        at=clock.now(),
        user_id=user_id,
        username=uname or username,
        role=roles,
        office_code=office_code,
        ip=client_ip(),
        action=action,
        resident_no=resident_no,
        target=(target or "")[:200] or None,
        detail=detail,
        outcome=outcome,
    )
    with transaction() if commit else nullcontext():
        if commit:
            _commit_without_waiting_for_disk()
        result = db.session.execute(_insert_statement(), row)
        if numbers:
            _name_people(result.inserted_primary_key[0], numbers)
        if action == "access.denied" and has_request_context():
            # app.security.http logs refused requests that nobody logged yet.
            g.access_denied_logged = True
    return row
