"""HTTP hardening in one place: CSRF, security headers, cookies, error pages,
the access-log entry of every refused request, and the proxy set-up.

:func:`init_http` is called by :func:`app.create_app` before FAB registers its
views, so that FAB's APIs (JWT, no cookies) see the CSRF extension and exempt
themselves; cookie-authenticated API writes are checked by the security
manager instead.
"""

import logging
import os
import re
import secrets
from urllib.parse import urlsplit, urlunsplit

from flask import (
    abort,
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
from sqlalchemy.exc import DataError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from app.db.timeouts import is_statement_timeout
from app.db.transaction import transaction
from app.errors import Conflict, DomainError, NotFound, PermissionDenied
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
    409: (
        _l("Not saved"),
        _l("The record was changed in the meantime. Reload the page and try again."),
    ),
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
    503: (
        _l("Taking too long"),
        _l(
            "The page took too long and was stopped. Nothing was changed. "
            "Narrow the search or try again in a moment."
        ),
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


def log_refusal(status, reason, resident_no=None, detail=None):
    """One ``access.denied`` row for this request, unless a view logged one.

    :param status: the response's status; ``None`` for a form shown again
        with the refusal as its error (the page itself is served).
    :param resident_no: the person whose data the page showed anyway.
    :param detail: more to record (e.g. the refused fields).
    """
    from app.audit import writer as audit

    if g.get("access_denied_logged"):
        return
    try:
        db.session.rollback()  # nothing of the refused request goes with the log row
        user = _actor()
        values = {"method": request.method, "status": status, "endpoint": request.endpoint}
        with transaction():
            audit.record(
                "access.denied",
                resident_no=resident_no,
                target=request.full_path.rstrip("?")[:200],
                detail={
                    **{k: v for k, v in values.items() if v is not None},
                    "reason": reason,
                    **(detail or {}),
                },
                outcome="denied",
                user=user if user is not None else False,
            )
    except Exception:  # the refusal must go out even if the log is unreachable
        log.exception("could not record access.denied for %s", request.path)
        db.session.rollback()


def _offered(field):
    values = set()
    for choice in field.choices or ():
        value = choice[0] if isinstance(choice, list | tuple) else choice
        values.add(str(value))
    return values


def refused_choices(form, names):
    """The fields among ``names`` of the submitted ``form`` whose value is not
    one the form offered.

    Those select fields offer only what the user's permissions allow (a
    branch's own office, counter issues, roles below one's own), so another
    value was typed into the request by hand: a refused attempt to be logged
    (:func:`log_refusal`), not a slip of the keyboard.
    """
    refused = []
    for name in names:
        field = getattr(form, name, None)
        posted = request.form.get(name, "")
        if field is not None and posted.strip() and posted not in _offered(field):
            refused.append(name)
    return refused


def refuse_invalid_token(reason):
    """Flask-JWT-Extended's answer to a token that is not ours (a wrong key,
    ``alg: none``, a garbled or tampered token): logged like every refused
    request and answered 401, where the library would answer 422 unlogged."""
    log_refusal(401, "invalid_token")
    return error_response(401)


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


# What a browser drops from a URL before reading it (WHATWG URL parsing):
# C0 controls and spaces at either end, tabs and line breaks anywhere.
_URL_EDGES = "".join(map(chr, range(33)))
_URL_BREAKS = re.compile(r"[\t\n\r]")


def relative_location(location):
    """``location`` as a path on this site: no scheme, no host, no leading
    ``//`` or ``/\\`` (which browsers read as another host).

    Werkzeug 3 leaves Locations as given (``autocorrect_location_header`` is
    off), but FAB's "back" history stores ``request.url`` and Werkzeug's
    slash redirects are built with the request's host: absolute, naming
    whatever ``Host`` the request claimed.  The application never redirects
    to another site, so an absolute Location keeps only its path and query.
    """
    url = _URL_BREAKS.sub("", location.strip(_URL_EDGES))
    parts = urlsplit(url)
    if not (parts.scheme or parts.netloc or url.startswith(("//", "/\\", "\\"))):
        return location
    path = "/" + parts.path.lstrip("/\\")
    return urlunsplit(("", "", path, parts.query, parts.fragment))


def _relative_redirect(response):
    location = response.headers.get("Location")
    if location:
        response.headers["Location"] = relative_location(location)
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


# The largest id an integer column holds (PostgreSQL ``integer``): a larger
# one in a URL names nothing (404), instead of failing in the database
# (OverflowError on SQLite, "integer out of range" on PostgreSQL).
MAX_ID = 2**31 - 1


class BoundedIntegerConverter(IntegerConverter):
    """``<int:…>`` up to :data:`MAX_ID`; beyond it the URL does not match."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _refuse_impossible_view_args():
    # What FAB's model views fail on before any check of theirs: an unknown
    # action name (AttributeError) and a ``<pk>`` (a string there) beyond any id.
    args = request.view_args or {}
    pk = args.get("pk")
    if isinstance(pk, str) and pk.strip().lstrip("-").isdigit() and abs(int(pk)) > MAX_ID:
        abort(404)
    if request.endpoint and request.endpoint.endswith(".action"):
        view = getattr(current_app.view_functions.get(request.endpoint), "__self__", None)
        if args.get("name") not in (getattr(view, "actions", None) or {}):
            abort(404)


# A rule's refusal that a view did not catch itself: its own (translated)
# message with the status that says what it is, never a 500.
DOMAIN_STATUS = ((NotFound, 404), (PermissionDenied, 403), (Conflict, 409), (DomainError, 400))


def domain_error(exc):
    status = next(code for cls, code in DOMAIN_STATUS if isinstance(exc, cls))
    log.info("%s on %s: %s", type(exc).__name__, request.path, exc)
    db.session.rollback()
    return error_response(status, str(exc.message))


def _out_of_range(exc):
    # A number no column or date can hold (a page, a year, an id typed into a
    # form): SQLite's driver and the date functions raise OverflowError,
    # PostgreSQL a DataError.  Bad input, answered as such; logged with its
    # traceback in case it was not.
    log.warning("value out of range on %s: %s", request.path, exc, exc_info=exc)
    db.session.rollback()
    return error_response(
        400, _("A number or date entered is out of range. Check it and try again.")
    )


def _refuse_oversized_body():
    # Before any view: FAB's REST views (@safe) answer every exception raised
    # inside them with a 500, the 413 of reading an oversized body included.
    limit = request.max_content_length
    if limit is None:
        return
    if request.content_length is not None:
        if request.content_length > limit:
            raise RequestEntityTooLarge()
    elif "wsgi.input_terminated" in request.environ:
        # a body without a length (chunked): read it here, 413 past the limit
        request.get_data(cache=True)


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


def _database_error(exc):
    # A statement cancelled by STATEMENT_TIMEOUT_MS (app/db/timeouts.py) is
    # the page being too slow, said as such; any other database error stays
    # the system error it is.
    if not is_statement_timeout(exc):
        raise exc
    log.warning("statement timeout on %s: %s", request.path, exc.orig)
    db.session.rollback()
    return error_response(503)


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
    app.url_map.converters["int"] = BoundedIntegerConverter  # before any view's rule
    app.session_interface = WardSessionInterface()
    app.before_request(_fresh_request_state)
    app.before_request(_refuse_oversized_body)
    app.before_request(_refuse_impossible_view_args)
    csrf.init_app(app)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.after_request(_log_refused)
    app.after_request(_security_headers)
    app.after_request(_relative_redirect)
    app.register_error_handler(CSRFError, _csrf_error)
    for code in (400, 401, 403, 404, 405, 409, 413, 429):
        app.register_error_handler(code, _http_error)
    app.register_error_handler(DomainError, domain_error)
    for error in (OverflowError, DataError):
        app.register_error_handler(error, _out_of_range)
    app.register_error_handler(OperationalError, _database_error)
    app.register_error_handler(500, _server_error)
    if app.config.get("ENV_NAME") == "production" and not app.config.get("TRUSTED_HOSTS"):
        log.warning("TRUSTED_HOSTS is not set: any Host header is accepted")


__all__ = [
    "HTTPException",
    "csp_nonce",
    "csrf",
    "error_response",
    "init_http",
    "log_refusal",
    "refuse_invalid_token",
    "refused_choices",
]
