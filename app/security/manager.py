"""The application's security manager: FAB's, with the staff user model, the
roles declared in :mod:`app.security.roles`, and the sign-in rules of
:mod:`app.security.signin` for the form and the JWT API alike.

On every request it also checks the server-side session (idle and absolute
expiry, sign-out elsewhere), keeps a user with a one-time password on the
change-password page, and requires a CSRF token for cookie-authenticated API
writes (FAB exempts its APIs from CSRF because JWT clients send no cookie).
"""

import logging
from functools import cached_property

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder.api import safe
from flask_appbuilder.const import API_SECURITY_ACCESS_TOKEN_KEY, API_SECURITY_REFRESH_TOKEN_KEY
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.schemas import login_post
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.views import expose
from flask_babel import gettext as _
from flask_jwt_extended import create_access_token, create_refresh_token, get_jwt, jwt_required
from flask_login import current_user, logout_user
from marshmallow import ValidationError
from sqlalchemy.orm import joinedload

from app.security import http, sessions, signin
from app.security.fab_views import WardRoleModelView, WardUserDBModelView
from app.security.models import StaffUser
from app.security.passwords import fab_complexity_validator
from app.security.roles import fab_roles
from app.security.views import (
    WardAuthDBView,
    WardResetMyPasswordView,
    WardResetPasswordView,
)

log = logging.getLogger(__name__)

# Where a user who must change a one-time password may still go.
ALLOWED_WHILE_FORCED = {
    "MyAccountView.password",
    "WardAuthDBView.logout",
    "WardAuthDBView.login",
    "WardResetMyPasswordView.this_form_get",
    "WardResetMyPasswordView.this_form_post",
}
STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


class WardSecurityApi(SecurityApi):
    """``/api/v1/security/login`` under the same rules as the sign-in form.

    Tokens carry the account's ``session_version`` (claim ``sv``): disabling
    the account, a password reset or change makes them useless at once.
    """

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        if not request.is_json:
            return self.response_400(message="Request payload is not JSON")
        try:
            payload = login_post.load(request.json)
        except ValidationError as error:
            return self.response_400(message=error.messages)
        if payload["provider"] != "db":
            return self.response_400(message="Only the db provider is supported")
        try:
            user = signin.authenticate(payload["username"], payload["password"], signin.API)
        except signin.RateLimited as exc:
            response = self.response(429, message=_("Too many failed sign-ins. Try again later."))
            response.headers["Retry-After"] = str(exc.retry_after)
            return response
        if user is None:
            return self.response_401()
        if user.must_change_password:
            return self.response(
                403, message=_("Change the one-time password on the sign-in screen first.")
            )
        claims = {"sv": user.session_version}
        tokens = {
            API_SECURITY_ACCESS_TOKEN_KEY: create_access_token(
                identity=str(user.id), fresh=True, additional_claims=claims
            )
        }
        if payload.get("refresh"):
            tokens[API_SECURITY_REFRESH_TOKEN_KEY] = create_refresh_token(
                identity=str(user.id), additional_claims=claims
            )
        return self.response(200, **tokens)

    @expose("/refresh", methods=["POST"])
    @jwt_required(refresh=True)
    @safe
    def refresh(self):
        data = get_jwt()
        token = create_access_token(
            identity=data["sub"], fresh=False, additional_claims={"sv": data.get("sv")}
        )
        return self.response(200, **{API_SECURITY_ACCESS_TOKEN_KEY: token})


class WardSecurityManager(SecurityManager):
    user_model = StaffUser
    authdbview = WardAuthDBView
    security_api = WardSecurityApi
    userdbmodelview = WardUserDBModelView
    resetmypasswordview = WardResetMyPasswordView
    resetpasswordview = WardResetPasswordView
    rolemodelview = WardRoleModelView
    # not used by the ward (see register_views)
    userstatschartview = None

    def __init__(self, appbuilder):
        # FAB's own screens (Admin) check new passwords against our policy too.
        current_app.config.setdefault("FAB_PASSWORD_COMPLEXITY_VALIDATOR", fab_complexity_validator)
        super().__init__(appbuilder)

    @staticmethod
    def create_builtin_roles():
        return fab_roles()

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        # A token that is not ours is a refused request: logged, answered 401.
        jwt_manager.invalid_token_loader(http.refuse_invalid_token)
        return jwt_manager

    def register_views(self):
        """FAB's security views that the ward uses, none in the menu (the roles
        screen's entry is added under 管理 by :func:`app.security.views.register`).

        Left out, unlike FAB: its groups (roles come only from
        :mod:`app.security.roles`), the user statistics chart, the "edit my
        user info" form (one's own account is ``MyAccountView``), and the lists
        of its permission and view-menu rows, which decide nothing for builtin
        roles; and the "Security" menu with FAB's user list (accounts are in the
        one staff-account screen, which links to the administrators' accounts).
        FAB's security REST APIs (``FAB_ADD_SECURITY_API``) stay off.
        """
        if not current_app.config.get("FAB_ADD_SECURITY_VIEWS", True):
            return
        appbuilder = self.appbuilder
        appbuilder.add_api(self.security_api)
        self.auth_view = self.authdbview()
        appbuilder.add_view_no_menu(self.auth_view)
        if self.is_auth_limited:  # off (AUTH_RATE_LIMITED): see docs/security.md
            self.limiter.limit(self.auth_rate_limit, methods=["POST"])(self.auth_view.blueprint)
        appbuilder.add_view_no_menu(self.resetpasswordview())
        appbuilder.add_view_no_menu(self.resetmypasswordview())
        self.user_view = appbuilder.add_view_no_menu(self.userdbmodelview)
        appbuilder.add_view_no_menu(self.rolemodelview)

    def _user_options(self):
        model = self.user_model
        return [joinedload(model.roles), joinedload(model.groups), joinedload(model.office)]

    @cached_property
    def _user_statement(self):
        # Built once: it runs on every request, and statements are immutable,
        # so threads may share it.
        return sessions.user_statement(self.user_model, self._user_options())

    def get_user_by_id(self, pk):
        """The user with roles, groups and office in one query: each lazy load
        would be another query."""
        return self.session.get(self.user_model, pk, options=self._user_options())

    def load_user(self, pk):
        """Flask-Login's loader, run on every request: the user as
        :meth:`get_user_by_id` loads it, with this browser's session row in the
        same statement (:func:`app.security.sessions.load_user`)."""
        user = sessions.load_user(
            self.user_model, int(pk), self._user_options(), statement=self._user_statement
        )
        if user and user.is_active:
            return user
        return None

    def _has_access_builtin_roles(self, role, permission_name, view_name):
        # Builtin roles are declared in code, so an answer never changes while the
        # process runs; FAB would match every pattern of the role again on each call
        # (a dozen times per page for the menu alone).
        answers = self.__dict__.setdefault("_builtin_answers", {})
        key = (role.name, permission_name, view_name)
        answer = answers.get(key)
        if answer is None:
            if len(answers) > 10_000:  # only code asks, but keep it bounded anyway
                answers.clear()
            answer = answers[key] = super()._has_access_builtin_roles(
                role, permission_name, view_name
            )
        return answer

    def auth_user_db(self, username, password):
        """FAB's entry point, routed through our rules (used by nothing of FAB's
        now, kept so that anything calling it gets the same behaviour)."""
        try:
            return signin.authenticate(username, password, signin.WEB)
        except signin.RateLimited:
            return None

    def load_user_jwt(self, _jwt_header, jwt_data):
        user = self.load_user(jwt_data["sub"])
        if user is None or jwt_data.get("sv") != user.session_version:
            return None
        if user.must_change_password:
            return None
        g.user = user
        return user

    def before_request(self):
        g.user = current_user
        if request.endpoint is None or request.endpoint in http.STATIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            return None
        # The user object itself rather than Flask-Login's proxy: templates and
        # permission checks read g.user a hundred times per page.
        g.user = current_user._get_current_object()
        reason = sessions.check(current_user)
        if reason is not None:
            return self._session_ended(reason)
        if (
            request.path.startswith("/api/")
            and request.method in STATE_CHANGING
            and "Authorization" not in request.headers
            and current_app.config.get("WTF_CSRF_ENABLED")
        ):
            # A browser's cookie is the credential here: needs the CSRF token.
            http.csrf.protect()
        if current_user.must_change_password and request.endpoint not in ALLOWED_WHILE_FORCED:
            if http.wants_json():
                return http.error_response(403, _("Change your one-time password first."))
            return redirect(url_for("MyAccountView.password"))
        return None

    def _session_ended(self, reason):
        http.log_refusal(401, f"session_{reason}")
        logout_user()
        session.clear()
        g.user = current_user
        if http.wants_json():
            return http.error_response(401)
        if reason == sessions.IDLE:
            message = _(
                "You were signed out after %(n)d minutes without activity. Please sign in again.",
                n=int(current_app.config.get("SESSION_IDLE_MINUTES", 30)),
            )
        elif reason == sessions.ABSOLUTE:
            message = _("Your session reached its maximum length. Please sign in again.")
        else:
            message = _("Your session has ended. Please sign in again.")
        flash(message, "warning")
        next_url = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for(self.auth_view.endpoint + ".login", next=next_url))
