"""Signing in: rate limit per address, lockout per account, one answer for all failures.

Used by the sign-in form and the JWT API alike.  Whatever went wrong (unknown
user, wrong password, locked or disabled account) the caller gets ``None`` and
shows the same message; each path does one password-hash check (a dummy one
for an unknown user) and the same writes, so timing does not tell them apart.

Rate limiting counts *failed* attempts per client address in the shared
``login_attempt`` table, so the limit holds across every web worker without an
extra server; successful sign-ins of the many staff behind one office address
do not use it up.
"""

import logging
from datetime import timedelta

from flask import current_app
from limits import parse as parse_limit
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.extensions import appbuilder, db
from app.security.models import LoginAttempt, StaffUser

log = logging.getLogger(__name__)

WEB = "web"
API = "api"
KEEP_ATTEMPTS = timedelta(days=1)


class RateLimited(Exception):
    """Too many failed sign-ins from this address; try again after ``retry_after`` s."""

    def __init__(self, retry_after):
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after


def _limit():
    return parse_limit(current_app.config.get("AUTH_RATE_LIMIT", "20 per minute"))


def _rate_limited(ip, now):
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    limit = _limit()
    window = timedelta(seconds=limit.get_expiry())
    failures = db.session.scalar(
        select(func.count(LoginAttempt.id)).where(
            LoginAttempt.ip == ip,
            LoginAttempt.success.is_(False),
            LoginAttempt.at >= now - window,
        )
    )
    if failures >= limit.amount:
        return limit.get_expiry()
    return None


def _find_user(username):
    return (
        db.session.query(StaffUser)
        .filter(func.lower(StaffUser.username) == func.lower(username))
        .one_or_none()
    )


def _attempt(ip, username, success, channel, now):
    db.session.add(LoginAttempt(at=now, ip=ip, username=username, success=success, channel=channel))
    if not success:
        db.session.execute(
            LoginAttempt.__table__.delete().where(LoginAttempt.at < now - KEEP_ATTEMPTS)
        )


def _failure(action, username, reason, channel, **detail):
    audit.record(
        action,
        target=username,
        username=username,
        detail={"reason": reason, "channel": channel, **detail},
        outcome="failure",
        user=False,
    )


def is_locked(user, now=None):
    now = now or clock.now()
    return user.locked_until is not None and user.locked_until > now


def register_failure(user, now=None):
    """Count one failed password check against ``user``; lock the account when
    ``LOGIN_MAX_FAILURES`` consecutive failures are reached.

    :returns: ``(failures, locked_until or None)``.  The caller commits.
    """
    now = now or clock.now()
    failures = db.session.execute(
        update(StaffUser)
        .where(StaffUser.id == user.id)
        .values(fail_login_count=func.coalesce(StaffUser.fail_login_count, 0) + 1)
        .returning(StaffUser.fail_login_count)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    locked_until = None
    if failures >= int(current_app.config.get("LOGIN_MAX_FAILURES", 5)):
        locked_until = now + timedelta(
            minutes=int(current_app.config.get("LOGIN_LOCK_MINUTES", 30))
        )
        db.session.execute(
            update(StaffUser)
            .where(StaffUser.id == user.id)
            .values(locked_until=locked_until)
            .execution_options(synchronize_session=False)
        )
    db.session.expire(user, ["fail_login_count", "locked_until"])
    return failures, locked_until


def _password_matches(user, password):
    """Check the password, with a dummy check for an unknown user (same timing)."""
    if user is None or not user.password:
        check_password_hash(current_app.config["AUTH_DB_FAKE_PASSWORD_HASH_CHECK"], password)
        matches = False
    else:
        matches = check_password_hash(user.password, password)
    # An empty or NUL-only password never signs in, whatever is stored.
    return matches and bool(password.strip("\x00"))


def _refusal(user, matches, now):
    """Why the sign-in fails, or ``None`` when it succeeds."""
    if user is not None and user.locked_until is not None and user.locked_until <= now:
        # The lock has run out: a fresh set of attempts.
        user.locked_until = None
        user.fail_login_count = 0
    if user is None:
        return "unknown_user"
    if not user.active:
        return "disabled"
    if is_locked(user, now):
        return "locked"
    if not matches:
        return "password"
    return None


def _signed_in(user, now, channel):
    user.login_count = (user.login_count or 0) + 1
    user.fail_login_count = 0
    user.last_login = now
    audit.record("login.success", user=user, target=user.username, detail={"channel": channel})


def _failed(user, username, reason, channel, now):
    if reason != "password":
        _failure("login.failure", username, reason, channel)
        return
    failures, locked_until = register_failure(user, now)
    if locked_until is not None:
        _failure(
            "login.locked",
            username,
            reason,
            channel,
            failures=failures,
            locked_until=locked_until.isoformat(timespec="minutes"),
        )
    else:
        _failure("login.failure", username, reason, channel, failures=failures)


def authenticate(username, password, channel=WEB):
    """Check a user name and password under the sign-in rules.

    :returns: the user, or ``None`` for every kind of failure.
    :raises RateLimited: too many failures from this address lately.
    """
    now = clock.now()
    ip = (audit.client_ip() or "unknown")[:64]
    username = (username or "").strip()[:100]
    retry_after = _rate_limited(ip, now)
    if retry_after is not None:
        with transaction():
            _attempt(ip, username, False, channel, now)
            _failure("login.failure", username, "rate_limited", channel)
        raise RateLimited(retry_after)

    user = _find_user(username) if username else None
    matches = _password_matches(user, password or "")
    with transaction():
        reason = _refusal(user, matches, now)
        _attempt(ip, username, reason is None, channel, now)
        if reason is None:
            _signed_in(user, now, channel)
        else:
            _failed(user, username, reason, channel, now)
    if reason is None:
        log.info("sign-in %s from %s (%s)", user.username, ip, channel)
        return user
    log.info("failed sign-in for %r from %s (%s: %s)", username, ip, channel, reason)
    # FAB's hook, kept for anything listening to it.
    if user is not None:
        appbuilder.sm.on_user_login_failed(user)
    return None
