"""FAB's own security screens (Admin only): what the ward uses of them, in Japanese.

* **Administrators' accounts** (FAB's user screens): only accounts holding the
  Admin role are listed, shown, created and edited there, with the office, no
  deletion and every change in the access log.  Every other account is managed
  in the one staff-account screen (:class:`app.security.views.StaffAccountsView`,
  which links here for Admin); that screen refuses Admin accounts by its rank
  rule, so without this one an administrator could not be disabled.
* **Roles** (read only): the roles are declared in code
  (:mod:`app.security.roles`, FAB "builtin roles"), so adding or editing one in
  a screen would mean nothing or, for a new role, grant permissions outside the
  code.  The screen says what each role may do in words, from the patterns FAB
  matches, instead of the patterns themselves (``^Residents$``).

FAB's groups, user statistics, "user info" pages and the lists of its
permission rows are not registered (:meth:`app.security.manager.WardSecurityManager.register_views`):
the ward uses none of them, and the permission rows in the database decide
nothing for builtin roles.

FAB labels the columns it was given no label for by prettifying the column name
("fail_login_count" → "Fail Login Count"), untranslated, and shows values as
Python prints them (True, None, BranchStaff); these subclasses name every column
through the catalogue and show values as staff read them.
"""

import logging

from flask import redirect, url_for
from flask_appbuilder.fields import QuerySelectField
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.security.views import RoleModelView, UserDBModelView
from flask_appbuilder.views import expose
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect, select
from wtforms.validators import DataRequired

from app import clock
from app.audit import writer as audit
from app.extensions import appbuilder, db
from app.offices.models import Office
from app.security import sessions
from app.security.roles import ADMIN
from app.text.wareki import format_wareki
from app.web import labels

log = logging.getLogger(__name__)

COLUMN_LABELS = {
    # "Name" is a person's name (氏名) everywhere else in this catalogue
    "name": _l("Name of the role or group"),
    "permissions": _l("Permissions"),
    "roles": _l("Roles"),
    "first_name": _l("First Name"),
    "last_name": _l("Last Name"),
    "username": _l("User Name"),
    "email": _l("Email"),
    # "Active" alone is a resident's status (対象) in this catalogue
    "active": _l("Account status"),
    "office": _l("Office"),
    "last_login": _l("Last Login"),
    "login_count": _l("Login Count"),
    "fail_login_count": _l("Failed Login Count"),
    "created_on": _l("Created On"),
    "changed_on": _l("Changed On"),
    "created_by": _l("Created By"),
    "changed_by": _l("Changed By"),
}

# What the permission groups of app.security.roles.GROUPS and their
# permissions mean, for the roles screen (tests/security/test_fab_screens.py
# fails when a group or permission has no words here).
PERMISSION_GROUPS = {
    "Residents": _l("Search and view people and their passes"),
    "ResidentMaster": _l("Edit a person's master data, mailing address and notes"),
    "Issuances": _l("Pass records and counter applications"),
    "IssuanceAdmin": _l("Correct passes, returns and resends, issue by mail"),
    "Letters": _l("Cover letters"),
    "Checklist": _l("Daily processing checklist"),
    "MassMailing": _l("Annual mass mailing"),
    "Notices": _l("Notice postcards to newly eligible people"),
    "HostLink": _l("Host extract runs"),
    "LedgerMigration": _l("Migration of the Excel ledger and its erasure records"),
    "Statistics": _l("Program statistics and their PDF and Excel"),
    "AccessLog": _l("Access log"),
    "Accounts": _l("Accounts of staff below one's own role"),
    "MyAccount": _l("One's own account and password"),
}
PERMISSIONS = {
    "can_read": _l("View"),
    "can_write": _l("Record and change"),
    "can_override": _l("Allow a second reissue of a lost pass"),
    "can_print": _l("Print"),
    "can_all_offices": _l("All offices"),
    "can_run": _l("Run jobs"),
    "can_approve": _l("Approve or discard"),
    "can_upload": _l("Upload"),
    "can_erase": _l("Record erasures"),
    "can_export": _l("Export"),
}
# FAB's pattern for "any" ([".*", ".*"]: the Admin role)
ANY = ".*"
# Menus follow the permissions (app.security.roles.MENUS): not listed.
MENU_ACCESS = "menu_access"


def _unanchored(pattern):
    return pattern.removeprefix("^").removesuffix("$")


def role_grants(role_name):
    """What the role may do, in words: ``[(area, "閲覧・印刷"), …]`` in the order
    of :data:`PERMISSION_GROUPS`, from the patterns FAB matches for the builtin
    role (``[]`` for a role with no permissions, such as Public)."""
    grants = {}
    for view, permission in appbuilder.sm.builtin_roles.get(role_name, []):
        view, permission = _unanchored(view), _unanchored(permission)
        if permission == MENU_ACCESS:
            continue
        grants.setdefault(view, []).append(permission)
    if grants.get(ANY) == [ANY]:
        return [(_("Every screen"), _("Every permission"))]
    order = list(PERMISSION_GROUPS)
    ranked = sorted(grants, key=lambda v: order.index(v) if v in order else len(order))
    return [
        (
            str(PERMISSION_GROUPS.get(view, view)),
            "・".join(str(PERMISSIONS.get(p, p)) for p in grants[view]),
        )
        for view in ranked
    ]


class RoleListWidget(ListWidget):
    """The roles with what each may do (FAB's shows the patterns)."""

    template = "appbuilder/general/security/roles_list.html"

    def __init__(self, **kwargs):
        super().__init__(role_grants=role_grants, **kwargs)


class RoleShowWidget(ShowWidget):
    template = "appbuilder/general/security/roles_show.html"

    def __init__(self, **kwargs):
        super().__init__(role_grants=role_grants, **kwargs)


class WardRoleModelView(RoleModelView):
    """The roles, read only (they are declared in code)."""

    base_permissions = ["can_list", "can_show"]
    list_title = _l("Roles and permissions")
    show_title = _l("Roles and permissions")
    list_widget = RoleListWidget
    show_widget = RoleShowWidget
    label_columns = COLUMN_LABELS
    search_columns = ["name"]
    order_columns = []
    # FAB's "copy role" action: a role made in the screen would be outside the code
    copy_role = None


def _or_empty(value):
    return labels.EMPTY if value is None or value == "" else value


def _moment(value):
    # as the other screens show a moment: 令和8年12月1日 14:05
    if value is None:
        return labels.EMPTY
    return f"{format_wareki(value.date())} {value:%H:%M}"


def _email(value):
    # accounts made without an e-mail address get a placeholder no one reads
    return labels.EMPTY if not value or value.endswith("@localhost.invalid") else value


USER_FORMATTERS = {
    "active": lambda on: _("Enabled") if on else _("Disabled"),
    "roles": lambda roles: "・".join(labels.label(labels.ROLES, r.name) for r in roles or []),
    "email": _email,
    "office": _or_empty,
    "created_by": _or_empty,
    "changed_by": _or_empty,
    **{column: _moment for column in ("last_login", "created_on", "changed_on")},
}


class AdminAccountsFilter(BaseFilter):
    """Accounts holding the role named by the value (FAB base filter)."""

    name = _l("Role")

    def apply(self, query, value):
        return query.filter(self.model.roles.any(name=value))


def _office_field():
    """The office, required (FAB's field for a nullable column offers an empty
    choice it labels ``__None``)."""
    return QuerySelectField(
        _l("Office"),
        # Administrators work at the main office (the role/office rule of
        # app.security.accounts.check_role_office): no branch office is offered.
        query_func=lambda: db.session.scalars(
            select(Office).where(Office.is_headquarters.is_(True)).order_by(Office.sort_order)
        ),
        get_pk_func=lambda office: office.id,
        get_label="name",
        allow_blank=False,
        validators=[DataRequired()],
        widget=Select2Widget(),
    )


class WardUserDBModelView(UserDBModelView):
    """FAB's user screens for the administrators' accounts only: with the office,
    no deletion (accounts are disabled, never deleted), no role choice (a new
    account here is an Admin), and every change in the access log."""

    list_title = _l("Administrator accounts")
    show_title = _l("Administrator account")
    add_title = _l("New administrator account")
    edit_title = _l("Edit administrator account")
    base_filters = [["id", AdminAccountsFilter, ADMIN]]
    add_columns = [
        "last_name",
        "first_name",
        "username",
        "active",
        "email",
        "office",
        "password",
        "conf_password",
    ]
    edit_columns = ["last_name", "first_name", "username", "active", "email", "office"]
    list_columns = ["last_name", "first_name", "username", "email", "active", "office"]
    show_fieldsets = [
        (_l("Account"), {"fields": ["username", "active", "roles", "office"]}),
        (_l("Name"), {"fields": ["last_name", "first_name", "email"]}),
        (
            _l("Sign-ins and changes"),
            {
                "fields": [
                    "last_login",
                    "login_count",
                    "fail_login_count",
                    "created_on",
                    "created_by",
                    "changed_on",
                    "changed_by",
                ]
            },
        ),
    ]
    search_columns = ["last_name", "first_name", "username", "email", "active"]
    # FAB's help mentions LDAP and OpenID, which the ward does not use
    description_columns = {
        "username": _l("The name used to sign in."),
        "active": _l("Checked: the account may sign in. Accounts are disabled, never deleted."),
    }
    label_columns = COLUMN_LABELS
    formatters_columns = USER_FORMATTERS
    add_form_extra_fields = {**UserDBModelView.add_form_extra_fields, "office": _office_field()}
    edit_form_extra_fields = {"office": _office_field()}
    # FAB's "user info" actions lead to its own profile screens; ours is My account
    resetmypassword = None
    userinfoedit = None
    _watched = ("first_name", "last_name", "username", "active", "email", "office")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # no deletion; no downloads (FAB's file columns: none here, and no UPLOAD_FOLDER)
        unused = {"can_delete", "can_download"}
        self.base_permissions = [p for p in self.base_permissions if p not in unused]

    @expose("/userinfo/")
    @has_access
    def userinfo(self):
        """FAB's profile page: one's own account is :class:`MyAccountView`."""
        return redirect(url_for("MyAccountView.show"))

    def pre_add(self, item):
        super().pre_add(item)
        item.roles = [appbuilder.sm.find_role(ADMIN)]
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
