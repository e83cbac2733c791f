"""A time limit on every statement of a web request, on PostgreSQL
(``STATEMENT_TIMEOUT_MS``, issue 17): a statement that runs away — a bad plan
at 1.2 million people, a lock held by a forgotten session — is cancelled by
the database and the clerk gets a Japanese page asking to narrow the search,
instead of the worker being held until gunicorn kills it (its own timeout,
30 s, answers nothing the clerk can read).

The command line and the scheduler's jobs (the host import, the mass
mailing, the purge) are not web requests and keep the database's default (no
limit): they are meant to run for minutes.

The limit is set once per pooled connection, when a request first checks it
out, and reset when a connection is used outside a request: a round trip per
connection, not per request.  SQLite has no such setting; a request there
can only be as slow as its one file.
"""

from flask import current_app, has_request_context
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

_KEY = "ward_statement_timeout_ms"
# SQLSTATE of a statement cancelled by statement_timeout (query_canceled).
QUERY_CANCELED = "57014"


def _wanted_ms():
    """The limit for a connection checked out now: the setting inside a web
    request, ``None`` (the database's default) anywhere else."""
    if not has_request_context():
        return None
    return max(0, int(current_app.config.get("STATEMENT_TIMEOUT_MS") or 0))


def _on_checkout(dbapi_connection, record, _proxy):
    wanted = _wanted_ms()
    if record.info.get(_KEY) == wanted:
        return
    cursor = dbapi_connection.cursor()
    try:
        if wanted is None:
            cursor.execute("SET statement_timeout TO DEFAULT")
        else:
            cursor.execute(f"SET statement_timeout = {int(wanted)}")
    finally:
        cursor.close()
    # The pool hands out connections with no transaction open; the driver
    # opened one for the SET, and a SET rolled back would be undone.
    dbapi_connection.commit()
    record.info[_KEY] = wanted


def install_statement_timeout(engine):
    """Apply ``STATEMENT_TIMEOUT_MS`` to the web requests' statements on
    ``engine`` (PostgreSQL only; nothing on SQLite)."""
    if engine.dialect.name != "postgresql":
        return
    if not event.contains(engine, "checkout", _on_checkout):
        event.listen(engine, "checkout", _on_checkout)


def is_statement_timeout(exc):
    """Whether ``exc`` is the database cancelling a statement for taking too long."""
    return isinstance(exc, OperationalError) and getattr(exc.orig, "pgcode", None) == QUERY_CANCELED
