"""FAB's own security screens (Admin only), in Japanese, and the user screens
with the office, no deletion and every change in the access log.

FAB labels the columns it was given no label for by prettifying the column name
("fail_login_count" → "Fail Login Count"), untranslated, and shows values as
Python prints them (True, None, BranchStaff); these subclasses name every column
of the security models through the catalogue and show values as staff read
them.  What the screens do is otherwise FAB's.
"""

from flask_appbuilder.security.views import (
    PermissionViewModelView,
    RoleModelView,
    UserDBModelView,
    UserGroupModelView,
    UserStatsChartView,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect

from app import clock
from app.audit import writer as audit
from app.security import sessions
from app.web import labels

COLUMN_LABELS = {
    # "Name" is a person's name (氏名) everywhere else in this catalogue
    "name": _l("Name of the role or group"),
    "label": _l("Label"),
    "description": _l("Description"),
    "permissions": _l("Permissions"),
    "permission": _l("Permission"),
    "view_menu": _l("View/Menu"),
    "role": _l("Role"),
    "roles": _l("Roles"),
    "user": _l("Users"),
    "users": _l("Users"),
    "groups": _l("Groups"),
    "first_name": _l("First Name"),
    "last_name": _l("Last Name"),
    "username": _l("User Name"),
    "email": _l("Email"),
    # "Active" alone is a resident's status (対象) in this catalogue
    "active": _l("Account enabled"),
    "office": _l("Office"),
    "last_login": _l("Last Login"),
    "login_count": _l("Login Count"),
    "fail_login_count": _l("Failed Login Count"),
    "created_on": _l("Created On"),
    "changed_on": _l("Changed On"),
    "created_by": _l("Created By"),
    "changed_by": _l("Changed By"),
}


def _or_empty(value):
    return labels.EMPTY if value is None or value == "" else value


USER_FORMATTERS = {
    "active": lambda on: _("Enabled") if on else _("Disabled"),
    "roles": lambda roles: "・".join(labels.label(labels.ROLES, r.name) for r in roles or []),
    **{
        column: _or_empty
        for column in (
            "email",
            "last_login",
            "created_on",
            "changed_on",
            "created_by",
            "changed_by",
        )
    },
}


def _labels(view):
    return {**(view.label_columns or {}), **COLUMN_LABELS}


class WardUserDBModelView(UserDBModelView):
    """FAB's user screens (Admin only) with the office, no deletion (accounts are
    disabled, never deleted), and every change in the access log."""

    add_columns = [
        "first_name",
        "last_name",
        "username",
        "active",
        "email",
        "roles",
        "office",
        "password",
        "conf_password",
    ]
    edit_columns = ["first_name", "last_name", "username", "active", "email", "roles", "office"]
    list_columns = ["first_name", "last_name", "username", "email", "active", "roles", "office"]
    label_columns = _labels(UserDBModelView)
    formatters_columns = USER_FORMATTERS
    _watched = ("first_name", "last_name", "username", "active", "email", "roles", "office")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_permissions = [p for p in self.base_permissions if p != "can_delete"]

    def pre_add(self, item):
        super().pre_add(item)
        item.must_change_password = True
        item.password_changed_at = clock.now()
        item.session_version = 1

    def post_add(self, item):
        audit.record(
            "account.create",
            target=item.username,
            detail={
                "user_id": item.id,
                "role": ",".join(r.name for r in item.roles),
                "via": "admin",
            },
            commit=True,
        )

    def _changes(self, item):
        state = inspect(item)
        changes = {}
        for name in self._watched:
            history = state.attrs[name].history
            if history.has_changes():
                before = [str(v) for v in history.deleted] or [None]
                after = [str(v) for v in history.added] or [None]
                changes[name] = [",".join(map(str, before)), ",".join(map(str, after))]
        return changes

    def pre_update(self, item):
        super().pre_update(item)
        self._pending_changes = self._changes(item)
        if "active" in self._pending_changes and not item.active:
            item.session_version = (item.session_version or 1) + 1
            sessions.end_all(item.id, "disabled")

    def post_update(self, item):
        changes = getattr(self, "_pending_changes", {})
        if not changes:
            return
        action = "account.update"
        if set(changes) == {"active"}:
            action = "account.enable" if item.active else "account.disable"
        audit.record(
            action,
            target=item.username,
            detail={"user_id": item.id, "changes": changes, "via": "admin"},
            commit=True,
        )


class WardRoleModelView(RoleModelView):
    label_columns = _labels(RoleModelView)


class WardUserGroupModelView(UserGroupModelView):
    label_columns = _labels(UserGroupModelView)


class WardPermissionViewModelView(PermissionViewModelView):
    label_columns = _labels(PermissionViewModelView)


class WardUserStatsChartView(UserStatsChartView):
    label_columns = _labels(UserStatsChartView)
    definitions = [
        {"label": _l("Login Count"), "group": "username", "series": ["login_count"]},
        {"label": _l("Failed Login Count"), "group": "username", "series": ["fail_login_count"]},
    ]
