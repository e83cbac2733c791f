"""ふれあい入浴証管理システム — application factory."""

import logging

import click
from flask import Flask
from flask.helpers import get_debug_flag

from config import DEV_SECRET_KEY, config_from_env

log = logging.getLogger(__name__)

# The only modes that may run with the development key or with debug on.
DEVELOPER_MODES = frozenset({"development", "testing"})
DEBUG_REFUSED = (
    "debug mode is not allowed in {mode} mode (FLASK_DEBUG, flask --debug, "
    "flask run --debugger, DEBUG or app.debug): unset it and serve with gunicorn"
)


class ConfigurationError(RuntimeError):
    """The configuration is unsafe for the mode the application runs in."""


def _guarded(app):
    return app.config.get("ENV_NAME") not in DEVELOPER_MODES


class WardFlask(Flask):
    """Flask whose debug switch refuses to turn on outside development and
    testing: ``flask run`` and ``app.run`` set it after the application was
    created, past :func:`_check_production_config`."""

    @property
    def debug(self):
        return Flask.debug.fget(self)

    @debug.setter
    def debug(self, value):
        if value and _guarded(self):
            raise ConfigurationError(DEBUG_REFUSED.format(mode=self.config.get("ENV_NAME")))
        Flask.debug.fset(self, value)


def _debug_requested(app):
    """Debug asked for by any route: the setting, ``FLASK_DEBUG`` (which
    ``flask --debug`` sets before loading the application) or ``flask run
    --debugger``, whose Werkzeug debugger wraps the application from outside."""
    if app.debug or app.config.get("DEBUG") or get_debug_flag():
        return True
    command = click.get_current_context(silent=True)
    return bool(command is not None and command.params.get("debugger"))


def _check_production_config(app):
    """Refuse to start outside development and testing with the development
    key (also as the JWT key, which defaults to ``SECRET_KEY``) or with debug
    on: a token or session cookie signed with the published key would be
    accepted, and the debugger runs code for whoever can reach it."""
    if not _guarded(app):
        return
    mode = app.config.get("ENV_NAME")
    secret = app.config.get("SECRET_KEY")
    if secret in (None, "", DEV_SECRET_KEY):
        raise ConfigurationError(f"SECRET_KEY must be set in {mode} mode")
    if (app.config.get("JWT_SECRET_KEY") or secret) == DEV_SECRET_KEY:
        raise ConfigurationError(f"JWT_SECRET_KEY must not be the development key in {mode} mode")
    if _debug_requested(app):
        raise ConfigurationError(DEBUG_REFUSED.format(mode=mode))
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        log.warning("production mode on SQLite: use PostgreSQL (DATABASE_URL)")


def _pool_options(config):
    """The pool sizes of ``DATABASE_POOL_SIZE`` and ``DATABASE_MAX_OVERFLOW``
    for PostgreSQL (SQLite's file needs no pool of its own)."""
    if not str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        return
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    options.setdefault("pool_size", int(config.get("DATABASE_POOL_SIZE", 5)))
    options.setdefault("max_overflow", int(config.get("DATABASE_MAX_OVERFLOW", 10)))
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def create_app(config=None):
    """Create the Flask application.

    :param config: a configuration class or object; defaults to the class named
        by ``APP_ENV``.
    """
    from app import models  # noqa: F401  (registers every table)
    from app.cli import register_cli
    from app.db.sqlite import install_sqlite_pragmas
    from app.db.timeouts import install_statement_timeout
    from app.extensions import appbuilder, db, migrate
    from app.features import register_views
    from app.security.http import init_http
    from app.web.fragments import init_fragments
    from app.web.jinja import install_gettext, register_filters
    from app.web.static_files import init_static_files

    app = WardFlask(
        __name__,
        instance_relative_config=False,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config or config_from_env())
    _check_production_config(app)
    _pool_options(app.config)

    register_filters(app)
    init_fragments(app)
    init_http(app)  # before FAB registers its APIs, which exempt themselves from CSRF
    install_sqlite_pragmas()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    # The AppBuilder object outlives one app (tests build several); start clean.
    appbuilder.baseviews = []
    appbuilder.menu = None
    with app.app_context():
        appbuilder.init_app(app, db.session)
        register_views(appbuilder, app.config.get("EXTRA_VIEW_MODULES", ()))
        appbuilder.post_init()
        install_statement_timeout(db.engine)
    install_gettext(app)
    register_cli(app)
    init_static_files(app)  # compressed, fingerprinted, cached for good
    return app
