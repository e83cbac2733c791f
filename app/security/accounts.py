"""Staff accounts: created and looked after by supervisors, every change logged.

Rules: a manager (Supervisor, or Admin) may act only on accounts whose role
ranks below their own (:data:`app.security.roles.ROLE_RANK`) and may give only
such roles; nobody acts on their own account here; Admin accounts are managed
only in FAB's Security screens.  New and reset accounts get a one-time password
that must be changed at the first sign-in.  Every change is an ``account.*``
access-log row, committed with the change.
"""

import logging

from flask_babel import gettext as _
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import appbuilder, db
from app.offices.services import by_code
from app.security import sessions
from app.security.models import StaffUser
from app.security.passwords import (
    generate_one_time_password,
    password_problems,
    problems_for_user,
)
from app.security.roles import ADMIN, BRANCH_STAFF, ROLE_NAMES, ROLE_RANK, role_rank

log = logging.getLogger(__name__)


def _hash(password):
    from flask import current_app

    return generate_password_hash(
        password,
        method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
        salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16),
    )


def _split_name(full_name):
    parts = (full_name or "").replace("\u3000", " ").strip().split(" ", 1)
    return (parts[0], parts[1].strip()) if len(parts) == 2 else (parts[0], "-")


def _check_password(password, *, username, last_name, first_name, email, office_code):
    problems = password_problems(
        password,
        username=username,
        names=(last_name, first_name),
        email=email,
        office_code=office_code,
    )
    if problems:
        raise DomainError(" ".join(problems), field="password")


def assignable_roles(actor):
    """Role names ``actor`` may give: those ranked below their own, never Admin."""
    rank = role_rank(actor.roles)
    return [n for n in ROLE_NAMES if n != ADMIN and ROLE_RANK[n] < rank]


def can_manage(actor, target):
    """May ``actor`` change ``target``'s account in the staff-account screens?"""
    if actor is None or target is None or actor.id == target.id:
        return False
    names = [r.name for r in target.roles]
    if ADMIN in names:
        return False
    return role_rank(target.roles) < role_rank(actor.roles)


def manageable_users(actor):
    """The accounts ``actor`` may manage, by office and user name."""
    users = db.session.query(StaffUser).order_by(StaffUser.username).all()
    return [u for u in users if can_manage(actor, u)]


def get_manageable(actor, user_id):
    """:raises NotFound: no such account.  :raises PermissionDenied: not yours to manage."""
    user = db.session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(_("No such account."))
    _check_manages(actor, user)
    return user


def _check_role(actor, role_name):
    if role_name not in ROLE_NAMES:
        raise DomainError(_("Unknown role: %(role)s") % {"role": role_name}, field="role")
    if actor is not None and role_name not in assignable_roles(actor):
        raise PermissionDenied(
            _("You may not give the role %(role)s.") % {"role": role_name}, field="role"
        )


def check_role_office(role_names, office):
    """Role and office agree: a BranchStaff account belongs to a branch office
    (出張所), and an account at a branch office is BranchStaff only; every
    other role works at the main office (本庁), whose staff use all offices.

    :param role_names: the account's role names.
    :param office: its office row, or None (nothing to check).
    :raises DomainError: they disagree (nothing is saved).
    """
    if office is None:
        return
    names = set(role_names)
    if office.is_headquarters and BRANCH_STAFF in names:
        raise DomainError(
            _("A branch office staff account belongs to a branch office: choose the office."),
            field="office",
        )
    if not office.is_headquarters and names != {BRANCH_STAFF}:
        raise DomainError(
            _(
                "An account at a branch office has the role branch office staff: "
                "choose that role, or the main office."
            ),
            field="role",
        )


def _new_account_parts(actor, username, role_name, office_code):
    """The role and office of a new account, checked with its user name.

    :raises DomainError: bad or taken user name, unknown role or office.
    :raises PermissionDenied: ``actor`` may not give that role.
    """
    if not username or len(username) > 64 or any(c.isspace() for c in username):
        raise DomainError(
            _("Enter a user name without spaces (at most 64 characters)."), "username"
        )
    _check_role(actor, role_name)
    role = appbuilder.sm.find_role(role_name)
    if role is None:
        raise DomainError(
            _("Run 'flask init' first: role %(role)s is missing.") % {"role": role_name}
        )
    office = by_code(office_code)
    if office is None:
        raise DomainError(_("Unknown office code: %(code)s") % {"code": office_code}, "office")
    check_role_office([role_name], office)
    if appbuilder.sm.find_user(username=username) is not None:
        raise DomainError(_("The user name %(name)s is taken.") % {"name": username}, "username")
    return role, office


def create_user(
    *,
    username,
    role_name,
    office_code,
    full_name,
    password,
    email=None,
    actor=None,
    must_change_password=True,
):
    """Create a staff account.

    :param full_name: "姓 名"; split on the first space into last and first name.
    :param actor: the member of staff creating it; ``None`` for the command line,
        which may create any role (the first Admin comes from ``flask users add``).
    :raises DomainError: unknown role or office, user name taken, weak password.
    :raises PermissionDenied: ``actor`` may not give that role.
    """
    username = (username or "").strip()
    role, office = _new_account_parts(actor, username, role_name, office_code)
    last, first = _split_name(full_name)
    email = email or f"{username}@localhost.invalid"
    if appbuilder.sm.find_user(email=email) is not None:
        raise DomainError(_("The e-mail address %(email)s is taken.") % {"email": email}, "email")
    _check_password(
        password,
        username=username,
        last_name=last,
        first_name=first,
        email=email,
        office_code=office.code,
    )
    with transaction():
        user = _add_user(
            actor, username, first, last, email, role, office, password, must_change_password
        )
        audit.record(
            "account.create",
            target=username,
            detail={"user_id": user.id, "role": role_name, "office": office.code},
            user=actor if actor is not None else False,
        )
    log.info("created account %s (%s, %s)", username, role_name, office_code)
    return user


def _add_user(actor, username, first, last, email, role, office, password, must_change):
    """Add the account's row (flushed, so that it has its id)."""
    now = clock.now()
    user = StaffUser(
        username=username,
        first_name=first,
        last_name=last,
        email=email,
        active=True,
        roles=[role],
        password=_hash(password),
        office_id=office.id,
        must_change_password=must_change,
        password_changed_at=now,
        created_on=now,
        changed_on=now,
        created_by_fk=getattr(actor, "id", None),
        changed_by_fk=getattr(actor, "id", None),
        login_count=0,
        fail_login_count=0,
        session_version=1,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_with_one_time_password(
    actor, *, username, role_name, office_code, full_name, email=None
):
    """Create an account for ``actor`` to hand over.

    :returns: ``(user, one_time_password)``; the password is shown once and
        must be changed at the first sign-in.
    """
    password = generate_one_time_password()
    user = create_user(
        username=username,
        role_name=role_name,
        office_code=office_code,
        full_name=full_name,
        password=password,
        email=email,
        actor=actor,
        must_change_password=True,
    )
    return user, password


def _account_changes(actor, user, full_name, role_name, office_code, email):
    """What an edit changes, checked; nothing is set yet.

    :returns: ``(changes, updates)``: ``{field: [before, after]}`` for the log
        and ``{attribute: value}`` to set on the user.
    """
    changes, updates = {}, {}
    if full_name is not None:
        last, first = _split_name(full_name)
        for field, value in (("last_name", last), ("first_name", first)):
            if getattr(user, field) != value:
                changes[field] = [getattr(user, field), value]
                updates[field] = value
    if role_name is not None:
        _check_role(actor, role_name)
        before = ",".join(r.name for r in user.roles)
        if before != role_name:
            updates["roles"] = [appbuilder.sm.find_role(role_name)]
            changes["role"] = [before, role_name]
    if office_code is not None:
        office = by_code(office_code)
        if office is None:
            raise DomainError(_("Unknown office code: %(code)s") % {"code": office_code}, "office")
        before = user.office.code if user.office else None
        if before != office.code:
            updates["office_id"] = office.id
            changes["office"] = [before, office.code]
    if email is not None and email != user.email:
        other = appbuilder.sm.find_user(email=email)
        if other is not None and other.id != user.id:
            raise DomainError(
                _("The e-mail address %(email)s is taken.") % {"email": email}, "email"
            )
        changes["email"] = [user.email, email]
        updates["email"] = email
    return changes, updates


def update_user(actor, user, *, full_name=None, role_name=None, office_code=None, email=None):
    """Change name, role, office or e-mail of a managed account.

    :returns: ``{field: [before, after]}`` of what changed (empty: nothing did).
    """
    _check_manages(actor, user)
    changes, updates = _account_changes(actor, user, full_name, role_name, office_code, email)
    check_role_office(
        [r.name for r in updates.get("roles", user.roles)],
        by_code(changes["office"][1]) if "office" in changes else user.office,
    )
    if changes:
        with transaction():
            for name, value in updates.items():
                setattr(user, name, value)
            _stamp(user, actor)
            audit.record(
                "account.update",
                target=user.username,
                detail={"user_id": user.id, "changes": changes},
                user=actor,
            )
    return changes


def _check_manages(actor, user):
    """:raises PermissionDenied: ``actor`` may not manage ``user``'s account."""
    if not can_manage(actor, user):
        raise PermissionDenied(_("You may not manage this account."))


def _stamp(user, actor):
    """Who changed the account, and when (FAB's audit columns)."""
    user.changed_on = clock.now()
    user.changed_by_fk = actor.id


def _end_sessions(user, reason):
    user.session_version = (user.session_version or 1) + 1
    return sessions.end_all(user.id, reason)


def disable(actor, user):
    """Disable an account; its sessions and API tokens stop working at once."""
    _check_manages(actor, user)
    if not user.active:
        raise DomainError(_("The account is already disabled."))
    with transaction():
        user.active = False
        ended = _end_sessions(user, "disabled")
        _stamp(user, actor)
        audit.record(
            "account.disable",
            target=user.username,
            detail={"user_id": user.id, "sessions_ended": ended},
            user=actor,
        )


def enable(actor, user):
    """Re-enable a disabled account."""
    _check_manages(actor, user)
    if user.active:
        raise DomainError(_("The account is already enabled."))
    with transaction():
        user.active = True
        _stamp(user, actor)
        audit.record(
            "account.enable", target=user.username, detail={"user_id": user.id}, user=actor
        )


def unlock(actor, user):
    """Lift a sign-in lock before it runs out and reset the failure count."""
    _check_manages(actor, user)
    was = user.locked_until
    with transaction():
        user.locked_until = None
        user.fail_login_count = 0
        audit.record(
            "account.unlock",
            target=user.username,
            detail={
                "user_id": user.id,
                "locked_until": was.isoformat(timespec="minutes") if was else None,
            },
            user=actor,
        )


def reset_password(actor, user, password=None):
    """Give ``user`` a new one-time password (also unlocks the account).

    :param password: chosen by an Admin in FAB's screen; generated when ``None``.
    :returns: the one-time password, to be handed over once.
    """
    if actor is not None and not can_manage(actor, user) and not _is_admin(actor):
        raise PermissionDenied(_("You may not manage this account."))
    if password is None:
        password = generate_one_time_password()
    else:
        problems = problems_for_user(password, user)
        if problems:
            raise DomainError(" ".join(problems), field="password")
    with transaction():
        user.password = _hash(password)
        user.must_change_password = True
        user.password_changed_at = clock.now()
        user.locked_until = None
        user.fail_login_count = 0
        ended = _end_sessions(user, "reset")
        audit.record(
            "account.password_reset",
            target=user.username,
            detail={"user_id": user.id, "sessions_ended": ended},
            user=actor if actor is not None else False,
        )
    return password


def _is_admin(user):
    return any(r.name == ADMIN for r in getattr(user, "roles", []) or [])


def change_own_password(user, current_password, new_password, keep_session=None):
    """Change one's own password; the current one is required.

    A wrong current password counts as a failed sign-in (and can lock the
    account).  Other sessions of the account end; ``keep_session`` (this
    browser's) stays open.
    :raises DomainError: wrong current password, same as before, or against the policy.
    """
    from app.security.signin import register_failure

    if not check_password_hash(user.password or "", current_password or ""):
        with transaction():
            failures, locked_until = register_failure(user)
            audit.record(
                "password.change",
                target=user.username,
                detail={"reason": "wrong_current_password", "failures": failures},
                outcome="failure",
                user=user,
            )
            if locked_until is not None:
                sessions.end_all(user.id, "locked")
        raise DomainError(_("The current password is not correct."), field="current_password")
    if check_password_hash(user.password, new_password or ""):
        raise DomainError(
            _("The new password must be different from the current one."), field="new_password"
        )
    problems = problems_for_user(new_password, user)
    if problems:
        raise DomainError(" ".join(problems), field="new_password")
    was_one_time = user.must_change_password
    with transaction():
        user.password = _hash(new_password)
        user.must_change_password = False
        user.password_changed_at = clock.now()
        user.fail_login_count = 0
        user.session_version = (user.session_version or 1) + 1
        ended = sessions.end_all(user.id, "password", keep=keep_session)
        audit.record(
            "password.change",
            target=user.username,
            detail={"one_time": bool(was_one_time), "other_sessions_ended": ended},
            user=user,
        )
