"""First-time and repeatable set-up of a database (``flask init``)."""

import logging

from flask_appbuilder.security.manager import BaseSecurityManager

from app.extensions import appbuilder, db
from app.offices.services import seed_offices

log = logging.getLogger(__name__)


def initialise():
    """Create offices, roles and permissions; safe to run again.

    :returns: ``{"offices_created": n, "roles": [...]}``.
    """
    created = seed_offices()
    sm = appbuilder.sm
    # FAB's own set-up of builtin roles (FAB_CREATE_DB is off: the schema is
    # built by migrations, so only this part of its create_db is wanted).
    BaseSecurityManager.create_db(sm)
    appbuilder.add_permissions(update_perms=True)
    db.session.commit()
    roles = sorted(r.name for r in sm.get_all_roles())
    log.info("initialised: %s offices created, roles %s", created, roles)
    return {"offices_created": created, "roles": roles}
