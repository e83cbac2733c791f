"""Server-side sessions: a signed-in browser is valid only while its row is open.

The Flask session cookie carries a random token; the ``user_session`` table
keeps its SHA-256.  Every request checks the row (idle and absolute expiry by
:mod:`app.services.clock`), so signing out, disabling an account or changing a
password ends the session on the server and a copied cookie is useless.
"""

import hashlib
import logging
import secrets
from datetime import timedelta

from flask import current_app, request, session
from sqlalchemy import update

from app.extensions import db
from app.models.security import UserSession
from app.services import clock

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


def check(user):
    """Is this request's session open for ``user``?

    :returns: ``None`` when it is, else why not (``missing``, ``ended``,
        ``idle``, ``absolute``).  An expired session is closed on the spot.
    """
    row = current()
    if row is None or row.user_id != user.id:
        return MISSING
    if row.ended_at is not None:
        return ENDED
    now = clock.now()
    if now - row.last_seen_at > idle_limit():
        _end(row, IDLE, now)
        return IDLE
    if now - row.created_at > absolute_limit():
        _end(row, ABSOLUTE, now)
        return ABSOLUTE
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        db.session.commit()
    return None


def _end(row, reason, now=None):
    row.ended_at = now or clock.now()
    row.end_reason = reason
    db.session.commit()


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
