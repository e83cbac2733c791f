"""Server-side sessions: a signed-in browser is valid only while its row is open.

The Flask session cookie carries a random token; the ``user_session`` table
keeps its SHA-256.  Every request checks the row (idle and absolute expiry by
:mod:`app.clock`), so signing out, disabling an account or changing a
password ends the session on the server and a copied cookie is useless.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request, session
from sqlalchemy import and_, bindparam, select, update

from app import clock
from app.db.transaction import transaction
from app.extensions import db
from app.security.models import UserSession

log = logging.getLogger(__name__)

SESSION_KEY = "_ward_sid"
# Writing last_seen_at on every request would cost a write per click; this
# much inaccuracy in the idle timeout is harmless.
TOUCH_EVERY = timedelta(seconds=30)

ENDED = "ended"
IDLE = "idle"
ABSOLUTE = "absolute"
MISSING = "missing"


def _hash(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def idle_limit():
    return timedelta(minutes=int(current_app.config.get("SESSION_IDLE_MINUTES", 30)))


def absolute_limit():
    value = current_app.config.get("PERMANENT_SESSION_LIFETIME", timedelta(hours=12))
    return value if isinstance(value, timedelta) else timedelta(seconds=int(value))


def start(user):
    """Open a session for ``user`` and put its token in the cookie."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    row = UserSession(
        token_hash=_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        ip=(request.remote_addr or "")[:64] or None,
        user_agent=(request.headers.get("User-Agent") or "")[:200] or None,
    )
    db.session.add(row)
    session.clear()
    session[SESSION_KEY] = token
    session.permanent = True
    return row


def current():
    """The row of this request's session, or ``None``."""
    token = session.get(SESSION_KEY)
    if not token or not isinstance(token, str):
        return None
    return db.session.query(UserSession).filter_by(token_hash=_hash(token)).one_or_none()


# What check() needs of a session row: plain columns, no ORM object.
_ROW = (
    UserSession.id.label("session_id"),
    UserSession.user_id.label("session_user_id"),
    UserSession.created_at.label("session_created_at"),
    UserSession.last_seen_at.label("session_last_seen_at"),
    UserSession.ended_at.label("session_ended_at"),
)
# Where load_user() leaves the row for check(), on ``g`` (cleared at each request's start).
LOADED_KEY = "_ward_session_row"


def _token():
    token = session.get(SESSION_KEY)
    return token if isinstance(token, str) and token else None


def user_statement(user_model, options=()):
    """The statement :func:`load_user` runs: the user, with ``options``, and
    this browser's session row (parameters ``user_id`` and ``token_hash``).

    Build it once per process and pass it to :func:`load_user`: it runs on
    every request, and building it cost more than running it.
    """
    return (
        select(user_model, *_ROW)
        .outerjoin(
            UserSession,
            and_(
                UserSession.user_id == user_model.id,
                UserSession.token_hash == bindparam("token_hash"),
            ),
        )
        .where(user_model.id == bindparam("user_id"))
        .options(*options)
    )


def load_user(user_model, user_id, options=(), statement=None):
    """The user ``user_id`` and, in the same statement, this browser's session row.

    Flask-Login loads the user on every request and :func:`check` then needs
    the session row: one statement instead of two.  The row is kept for
    :func:`check` of this request only.

    :param statement: :func:`user_statement` of the same model and options,
        built before.
    :returns: the user, or ``None``.
    """
    token = _token() if has_request_context() else None
    if token is None:
        return db.session.get(user_model, user_id, options=list(options))
    token_hash = _hash(token)
    if statement is None:
        statement = user_statement(user_model, options)
    found = (
        db.session.execute(statement, {"user_id": user_id, "token_hash": token_hash})
        .unique()
        .first()
    )
    if found is None:
        return None
    g.setdefault(LOADED_KEY, (token_hash, found if found.session_id is not None else None))
    return found[0]


def _session_row(token_hash):
    loaded = g.pop(LOADED_KEY, None)
    if loaded is not None and loaded[0] == token_hash:
        return loaded[1]
    return db.session.execute(
        select(*_ROW).where(UserSession.token_hash == token_hash)
    ).one_or_none()


def check(user):
    """Is this request's session open for ``user``?

    :returns: ``None`` when it is, else why not (``missing``, ``ended``,
        ``idle``, ``absolute``).  An expired session is closed on the spot.
    """
    token = _token()
    if token is None:
        return MISSING
    row = _session_row(_hash(token))
    if row is None or row.session_user_id != user.id:
        return MISSING
    if row.session_ended_at is not None:
        return ENDED
    now = clock.now()
    if now - row.session_last_seen_at > idle_limit():
        _end(row.session_id, IDLE, now)
        return IDLE
    if now - row.session_created_at > absolute_limit():
        _end(row.session_id, ABSOLUTE, now)
        return ABSOLUTE
    if now - row.session_last_seen_at >= TOUCH_EVERY:
        with transaction():
            _update(row.session_id, last_seen_at=now)
    return None


def _update(session_id, **values):
    db.session.execute(update(UserSession).where(UserSession.id == session_id).values(**values))


def _end(session_id, reason, now):
    with transaction():
        _update(session_id, ended_at=now, end_reason=reason)


def end_current(reason="logout"):
    """Close this request's session (if open) and empty the cookie."""
    row = current()
    if row is not None and row.ended_at is None:
        row.ended_at = clock.now()
        row.end_reason = reason
    session.clear()
    return row


def end_all(user_id, reason, keep=None):
    """Close every open session of a user (not ``keep``, the current one, if given).

    The caller commits.
    :returns: how many were closed.
    """
    stmt = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .values(ended_at=clock.now(), end_reason=reason)
    )
    if keep is not None:
        stmt = stmt.where(UserSession.id != keep.id)
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    return result.rowcount or 0


def open_count(user_id):
    return (
        db.session.query(UserSession)
        .filter(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .count()
    )
