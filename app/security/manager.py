"""The application's security manager: FAB's, with the staff user model and
roles declared in :mod:`app.security.roles`."""

import logging

from flask_appbuilder.security.sqla.manager import SecurityManager

from app.models.user import StaffUser
from app.security.roles import fab_roles

log = logging.getLogger(__name__)


class WardSecurityManager(SecurityManager):
    user_model = StaffUser

    @staticmethod
    def create_builtin_roles():
        return fab_roles()
