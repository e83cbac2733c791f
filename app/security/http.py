"""HTTP hardening in one place: CSRF, security headers, cookies, error pages,
the access-log entry of every refused request, and the proxy set-up.

:func:`init_http` is called by :func:`app.create_app` before FAB registers its
views, so that FAB's APIs (JWT, no cookies) see the CSRF extension and exempt
themselves; cookie-authenticated API writes are checked by the security
manager instead.
"""

import logging
import os
import secrets

from flask import (
    current_app,
    g,
    has_request_context,
    jsonify,
    render_template,
    request,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from app.db.transaction import transaction
from app.extensions import db
from app.security.sessions import LOADED_KEY

log = logging.getLogger(__name__)

csrf = CSRFProtect()

# script-src is 'self' plus the per-response nonce that FAB's templates already
# put on their inline scripts (baselib.get_nonce → csp_nonce()).  Inline style=
# attributes are everywhere in FAB's templates, hence 'unsafe-inline' for
# styles only (see docs/security.md).
CSP = (
    "default-src 'self'; script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
STATIC_ENDPOINTS = {"static", "appbuilder.static"}
# Refusals of these are sign-in failures, logged as such by app.security.signin.
SIGN_IN_ENDPOINTS = {"AuthDBView.login", "WardAuthDBView.login", "WardSecurityApi.login"}
ERROR_MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood. Go back and try again.")),
    401: (_l("Not signed in"), _l("Please sign in.")),
    403: (
        _l("Access denied"),
        _l("You do not have permission to see this page. This attempt has been recorded."),
    ),
    404: (_l("Page not found"), _l("The page you asked for does not exist.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (
        _l("File too large"),
        _l(
            "The file or form you sent is larger than %(mb)d MB. "
            "Split it or make it smaller and try again."
        ),
    ),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a minute and try again."),
    ),
    500: (
        _l("System error"),
        _l(
            "Something went wrong in the system. The data was not changed. "
            "If it happens again, tell the system administrator."
        ),
    ),
}


def csp_nonce():
    """The nonce of this response's Content-Security-Policy (for templates)."""
    if not has_request_context():
        return ""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


class WardSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, with ``Secure`` whenever the request came
    over HTTPS even if ``SESSION_COOKIE_SECURE`` is off."""

    def get_cookie_secure(self, app):
        if app.config.get("SESSION_COOKIE_SECURE"):
            return True
        return bool(has_request_context() and request.is_secure)


def wants_json():
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def _actor():
    # g.user is set by FAB's before_request (or the JWT loader); a refusal
    # raised before that (CSRF) still has the session's user.
    for user in (getattr(g, "user", None), current_user):
        try:
            if user is not None and user.is_authenticated:
                return user._get_current_object() if hasattr(user, "_get_current_object") else user
        except Exception:  # noqa: BLE001 - a detached or half-loaded user: log without one
            continue
    return None


def log_refusal(status, reason):
    """One ``access.denied`` row for this request, unless a view logged one."""
    from app.audit import writer as audit

    if g.get("access_denied_logged"):
        return
    try:
        db.session.rollback()  # nothing of the refused request goes with the log row
        user = _actor()
        with transaction():
            audit.record(
                "access.denied",
                target=request.full_path.rstrip("?")[:200],
                detail={
                    "method": request.method,
                    "status": status,
                    "endpoint": request.endpoint,
                    "reason": reason,
                },
                outcome="denied",
                user=user if user is not None else False,
            )
    except Exception:  # the refusal must go out even if the log is unreachable
        log.exception("could not record access.denied for %s", request.path)
        db.session.rollback()


def _security_headers(response):
    h = response.headers
    h["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
    h["X-Content-Type-Options"] = "nosniff"
    h["X-Frame-Options"] = "DENY"
    h["Referrer-Policy"] = "same-origin"
    h["Cross-Origin-Opener-Policy"] = "same-origin"
    h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
    if request.is_secure:
        h["Strict-Transport-Security"] = "max-age=31536000"
    if request.endpoint not in STATIC_ENDPOINTS:
        # Pages and API answers carry personal data: never kept by a browser or proxy.
        h["Cache-Control"] = "no-store"
        h["Pragma"] = "no-cache"
        h.pop("Expires", None)
    if current_app.config.get("EXPOSE_WORKER_PID"):
        h["X-Worker-Pid"] = str(os.getpid())
    return response


def _log_refused(response):
    if response.status_code in (401, 403) and request.endpoint not in SIGN_IN_ENDPOINTS:
        log_refusal(response.status_code, "permission")
    return response


def error_response(code, message=None):
    title, text = ERROR_MESSAGES.get(code, ERROR_MESSAGES[500])
    if message is None:
        mb = int(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024)
        message = str(text) % {"mb": mb} if code == 413 else str(text)
    if wants_json():
        return jsonify({"message": message}), code
    return render_template("errors/error.html", code=code, title=str(title), message=message), code


def _http_error(exc):
    return error_response(exc.code or 500)


def _csrf_error(exc):
    log_refusal(400, "csrf")
    return error_response(
        400,
        _("The form has expired or was not sent from this system. Reload the page and try again."),
    )


def _server_error(exc):
    # Flask passes an InternalServerError that wraps what was raised.
    cause = getattr(exc, "original_exception", None) or exc
    log.error(
        "unhandled error on %s",
        request.path if has_request_context() else "-",
        exc_info=(type(cause), cause, cause.__traceback__),
    )
    db.session.rollback()
    return error_response(500)


def _install_proxy_fix(app):
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        # Behind the ward's reverse proxy: client address and scheme from its headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def _fresh_request_state():
    # ``g`` belongs to the application context, which a test (or a CLI command
    # serving requests) may keep across several requests: nothing of one
    # request's user, nonce or log state may carry over to the next.
    for key in (
        "_login_user",
        "user",
        "csp_nonce",
        "access_denied_logged",
        "csrf_token",
        LOADED_KEY,
    ):
        g.pop(key, None)


def init_http(app):
    """Install everything of this module on ``app``."""
    _install_proxy_fix(app)
    app.session_interface = WardSessionInterface()
    app.before_request(_fresh_request_state)
    csrf.init_app(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_log_refused)
    app.after_request(_security_headers)
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 401, 403, 404, 405, 413, 429):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(500, _server_error)
    if app.config.get("ENV_NAME") == "production" and not app.config.get("TRUSTED_HOSTS"):
        log.warning("TRUSTED_HOSTS is not set: any Host header is accepted")


__all__ = ["HTTPException", "csp_nonce", "csrf", "error_response", "init_http", "log_refusal"]
