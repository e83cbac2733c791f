"""Screens of the security area: sign-in and sign-out, one's own password, and
the staff accounts supervisors look after."""

import logging
from urllib.parse import urlsplit

from flask import abort, flash, g, make_response, redirect, request, session, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_appbuilder.security.views import AuthDBView, ResetMyPasswordView, ResetPasswordView
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user

from app import clock
from app.audit import writer as audit
from app.db.transaction import transaction
from app.errors import DomainError, NotFound, PermissionDenied
from app.extensions import db
from app.offices.services import all_offices
from app.security import accounts, http, sessions, signin
from app.security.forms import AccountForm, ChangePasswordForm, LoginForm
from app.security.models import StaffUser
from app.web.labels import ROLES

log = logging.getLogger(__name__)

SIGN_IN_FAILED = _l(
    "Sign-in failed. The user name or password is wrong, or the account is locked or "
    "disabled. After %(n)d failed attempts in a row an account is locked for %(minutes)d "
    "minutes; your supervisor can unlock it sooner."
)


def safe_next(url, default=None):
    """``url`` if it is a path on this site, else ``default`` (the home page).

    Only "/path" is accepted: no scheme, no host, no "//" or "/\\" (which
    browsers read as another host), no control characters.
    """
    from flask import current_app

    fallback = default or current_app.appbuilder.get_url_for_index
    if not url or not isinstance(url, str):
        return fallback
    url = url.strip()
    if (
        not url.startswith("/")
        or url.startswith("//")
        or "\\" in url
        or any(ord(c) < 32 or ord(c) == 127 for c in url)
    ):
        return fallback
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return fallback
    return url


def _sign_in_failed_message():
    from flask import current_app

    return str(SIGN_IN_FAILED) % {
        "n": int(current_app.config.get("LOGIN_MAX_FAILURES", 5)),
        "minutes": int(current_app.config.get("LOGIN_LOCK_MINUTES", 30)),
    }


class WardAuthDBView(AuthDBView):
    """Sign-in through :func:`app.security.signin.authenticate`; sign-out only by POST."""

    login_template = "security/login.html"
    title = _l("Sign in")

    def _render_login(self, form, status=200):
        body = self.render_template(
            self.login_template, title=self.title, form=form, appbuilder=self.appbuilder
        )
        return make_response(body, status)

    @expose("/login/", methods=["GET", "POST"])
    @no_cache
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(safe_next(request.args.get("next")))
        form = LoginForm()
        if request.method == "POST":
            next_url = safe_next(request.args.get("next"))
            if not form.validate():
                # Empty fields: the same answer as any other failure.
                flash(_sign_in_failed_message(), "danger")
                return redirect(url_for(".login", next=next_url))
            try:
                user = signin.authenticate(form.username.data, form.password.data, signin.WEB)
            except signin.RateLimited as exc:
                flash(
                    _(
                        "Too many failed sign-ins from this computer. "
                        "Wait %(s)d seconds and try again."
                    )
                    % {"s": exc.retry_after},
                    "danger",
                )
                response = self._render_login(LoginForm(formdata=None), 429)
                response.headers["Retry-After"] = str(exc.retry_after)
                return response
            if user is None:
                flash(_sign_in_failed_message(), "danger")
                return redirect(url_for(".login", next=next_url))
            with transaction():
                sessions.start(user)
                login_user(user, remember=False)
            if user.must_change_password:
                return redirect(url_for("MyAccountView.password"))
            return redirect(next_url)
        return self._render_login(form)

    @expose("/logout/", methods=["GET", "POST"])
    @no_cache
    def logout(self):
        user = self._get_authenticated_user()
        if request.method == "GET":
            # A link or an image must not sign anyone out: ask, then POST.
            if user is None:
                return redirect(self.appbuilder.get_url_for_login)
            return self.render_template("security/logout.html", appbuilder=self.appbuilder)
        if user is not None:
            with transaction():
                row = sessions.end_current("logout")
                audit.record(
                    "logout",
                    user=user,
                    target=user.username,
                    detail={"session_id": row.id if row is not None else None},
                )
            self.appbuilder.sm.on_user_logout(user)
        logout_user()
        session.clear()
        flash(_("You have signed out."), "info")
        return redirect(self.appbuilder.get_url_for_login)


class MyAccountView(BaseView):
    """One's own account: details and password change (current password required)."""

    route_base = "/myaccount"
    class_permission_name = "MyAccount"
    method_permission_name = {"show": "read", "password": "write"}
    default_view = "show"

    @expose("/")
    @has_access
    def show(self):
        user = db.session.get(StaffUser, g.user.id)
        return self.render_template(
            "security/myaccount.html",
            user=user,
            open_sessions=sessions.open_count(user.id),
            title=_("My account"),
        )

    @expose("/password", methods=["GET", "POST"])
    @has_access
    def password(self):
        user = db.session.get(StaffUser, g.user.id)
        form = ChangePasswordForm()
        if form.validate_on_submit():
            try:
                accounts.change_own_password(
                    user,
                    form.current_password.data,
                    form.new_password.data,
                    keep_session=sessions.current(),
                )
            except DomainError as exc:
                target = getattr(form, exc.field or "", None) or form.new_password
                target.errors = [*target.errors, exc.message]
                if user.locked_until is not None:
                    # Too many wrong current passwords: locked and signed out.
                    logout_user()
                    session.clear()
                    flash(_sign_in_failed_message(), "danger")
                    return redirect(self.appbuilder.get_url_for_login)
            else:
                flash(_("Your password has been changed."), "info")
                return redirect(url_for(".show"))
        return self.render_template(
            "security/password.html",
            form=form,
            user=user,
            forced=user.must_change_password,
            title=_("Change password"),
        )


class WardResetMyPasswordView(ResetMyPasswordView):
    """FAB's own "reset my password" needed no current password: send people to ours."""

    @expose("/form", methods=["GET"])
    def this_form_get(self):
        return redirect(url_for("MyAccountView.password"))

    @expose("/form", methods=["POST"])
    def this_form_post(self):
        return redirect(url_for("MyAccountView.password"))


class WardResetPasswordView(ResetPasswordView):
    """FAB's Admin-only "reset password" of another user, under our rules:
    password policy, one-time (must be changed), sessions ended, logged."""

    def form_post(self, form):
        target = db.session.get(StaffUser, request.args.get("pk", type=int))
        if target is None:
            abort(404)
        try:
            accounts.reset_password(g.user, target, password=form.password.data)
        except DomainError as exc:
            flash(exc.message, "danger")
            return
        flash(_("The password was set. The user must change it at the next sign-in."), "info")


def _role_choices(actor):
    return [(name, str(ROLES.get(name, name))) for name in accounts.assignable_roles(actor)]


def _office_choices():
    return [(o.code, o.name) for o in all_offices()]


class StaffAccountsView(BaseView):
    """Supervisors' screen for the accounts of their staff."""

    route_base = "/staffaccounts"
    class_permission_name = "Accounts"
    method_permission_name = {
        "list": "read",
        "add": "write",
        "edit": "write",
        "disable": "write",
        "enable": "write",
        "unlock": "write",
        "reset": "write",
    }
    default_view = "list"

    def _target(self, user_id):
        try:
            return accounts.get_manageable(g.user, user_id)
        except NotFound:
            abort(404)
        except PermissionDenied:
            abort(403)

    @expose("/")
    @expose("/list/")
    @has_access
    def list(self):
        users = accounts.manageable_users(g.user)
        return self.render_template(
            "security/accounts_list.html",
            users=users,
            now=clock.now(),
            title=_("Staff accounts"),
        )

    def _form(self, user=None):
        form = AccountForm(obj=None)
        form.role.choices = _role_choices(g.user)
        form.office.choices = _office_choices()
        if user is not None and request.method == "GET":
            form.full_name.data = f"{user.last_name} {user.first_name}"
            form.role.data = user.roles[0].name if user.roles else None
            form.office.data = user.office.code if user.office else None
            form.email.data = "" if user.email.endswith("@localhost.invalid") else user.email
        return form

    @staticmethod
    def _attach(form, exc):
        field = getattr(form, exc.field or "", None)
        if field is None:
            flash(exc.message, "danger")
        else:
            field.errors = [*field.errors, exc.message]

    @staticmethod
    def _log_refused_role(form, error):
        """A role the form did not offer (only those below one's own are), or
        one the rules refused, was asked for by hand: a refused attempt."""
        refused = http.refused_choices(form, ("role",))
        if refused or isinstance(error, PermissionDenied):
            role = request.form.get("role", "")[:64]
            http.log_refusal(None, "not_permitted", detail={"fields": ["role"], "role": role})

    @expose("/add/", methods=["GET", "POST"])
    @has_access
    def add(self):
        form = self._form()
        error = None
        if form.validate_on_submit():
            try:
                user, password = accounts.create_with_one_time_password(
                    g.user,
                    username=form.username.data,
                    role_name=form.role.data,
                    office_code=form.office.data,
                    full_name=form.full_name.data,
                    email=form.email.data or None,
                )
            except DomainError as exc:
                db.session.rollback()
                self._attach(form, exc)
                error = exc
            else:
                return self._one_time_password(user, password, created=True)
        html = self.render_template(
            "security/account_form.html", form=form, user=None, title=_("New staff account")
        )
        if request.method == "POST":
            self._log_refused_role(form, error)
        return html

    @expose("/edit/<int:user_id>", methods=["GET", "POST"])
    @has_access
    def edit(self, user_id):
        user = self._target(user_id)
        form = self._form(user)
        error = None
        if form.validate_on_submit():
            try:
                changes = accounts.update_user(
                    g.user,
                    user,
                    full_name=form.full_name.data,
                    role_name=form.role.data,
                    office_code=form.office.data,
                    email=form.email.data or None,
                )
            except DomainError as exc:
                db.session.rollback()
                self._attach(form, exc)
                error = exc
            else:
                flash(_("The account was saved.") if changes else _("Nothing was changed."), "info")
                return redirect(url_for(".edit", user_id=user.id))
        html = self.render_template(
            "security/account_form.html",
            form=form,
            user=user,
            now=clock.now(),
            title=_("Staff account %(name)s", name=user.username),
        )
        if request.method == "POST":
            self._log_refused_role(form, error)
        return html

    def _action(self, user_id, func, message):
        user = self._target(user_id)
        try:
            func(g.user, user)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "warning")
        else:
            flash(message, "info")
        return redirect(url_for(".edit", user_id=user.id))

    @expose("/disable/<int:user_id>", methods=["POST"])
    @has_access
    def disable(self, user_id):
        if request.form.get("confirm") != "yes":
            # The button on the account's page asks first (a page, no JavaScript).
            return self.render_template(
                "security/confirm_disable.html",
                user=self._target(user_id),
                title=_("Disable the account"),
            )
        return self._action(
            user_id, accounts.disable, _("The account was disabled and its sessions ended.")
        )

    @expose("/enable/<int:user_id>", methods=["POST"])
    @has_access
    def enable(self, user_id):
        return self._action(user_id, accounts.enable, _("The account was enabled."))

    @expose("/unlock/<int:user_id>", methods=["POST"])
    @has_access
    def unlock(self, user_id):
        return self._action(user_id, accounts.unlock, _("The account was unlocked."))

    @expose("/reset/<int:user_id>", methods=["POST"])
    @has_access
    def reset(self, user_id):
        user = self._target(user_id)
        password = accounts.reset_password(g.user, user)
        return self._one_time_password(user, password, created=False)

    def _one_time_password(self, user, password, created):
        return self.render_template(
            "security/one_time_password.html",
            user=user,
            password=password,
            created=created,
            title=_("One-time password"),
        )


def register(appbuilder):
    appbuilder.add_view(
        StaffAccountsView,
        "StaffAccounts",
        label=_l("Staff accounts"),
        icon="fa-users",
        category="ManagementMenu",
        category_label=_l("Management"),
        category_icon="fa-cogs",
    )
    # FAB's roles screen, registered by the security manager (Admin only)
    appbuilder.add_link(
        "Roles",
        href="WardRoleModelView.list",
        label=_l("Roles and permissions"),
        icon="fa-id-badge",
        category="ManagementMenu",
    )
    appbuilder.add_view_no_menu(MyAccountView)
