"""Staff accounts."""

import logging

from flask_babel import gettext as _

from app.extensions import appbuilder, db
from app.security.roles import ROLE_NAMES
from app.services import clock
from app.services.errors import DomainError
from app.services.offices import by_code

log = logging.getLogger(__name__)


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
    :raises DomainError: unknown role or office, username taken.
    """
    sm = appbuilder.sm
    if role_name not in ROLE_NAMES:
        raise DomainError(_("Unknown role: %(role)s") % {"role": role_name}, field="role")
    role = sm.find_role(role_name)
    if role is None:
        raise DomainError(_("Run 'flask init' first: role %(role)s is missing.") % {"role": role_name})
    office = by_code(office_code)
    if office is None:
        raise DomainError(_("Unknown office code: %(code)s") % {"code": office_code}, "office")
    if sm.find_user(username=username) is not None:
        raise DomainError(_("The user name %(name)s is taken.") % {"name": username}, "username")
    parts = full_name.replace("\u3000", " ").split(" ", 1)
    last, first = (parts[0], parts[1]) if len(parts) == 2 else (parts[0], "-")
    user = sm.add_user(
        username=username,
        first_name=first,
        last_name=last,
        email=email or f"{username}@localhost.invalid",
        role=role,
        password=password,
    )
    if not user:
        db.session.rollback()
        raise DomainError(_("The account could not be created."))
    user.office_id = office.id
    user.must_change_password = must_change_password
    user.password_changed_at = clock.now()
    db.session.commit()
    log.info("created account %s (%s, %s)", username, role_name, office_code)
    return user
