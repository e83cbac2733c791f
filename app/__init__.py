"""ふれあい入浴証管理システム — application factory."""

import logging

from flask import Flask

from config import DEV_SECRET_KEY, config_from_env

log = logging.getLogger(__name__)


class ConfigurationError(RuntimeError):
    """The configuration is unsafe for the mode the application runs in."""


def _check_production_config(app):
    if app.config.get("ENV_NAME") != "production":
        return
    if app.config.get("SECRET_KEY") in (None, "", DEV_SECRET_KEY):
        raise ConfigurationError("SECRET_KEY must be set in production")
    if app.debug or app.config.get("DEBUG"):
        raise ConfigurationError("debug mode is not allowed in production")
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        log.warning("production mode on SQLite: use PostgreSQL (DATABASE_URL)")


def create_app(config=None):
    """Create the Flask application.

    :param config: a configuration class or object; defaults to the class named
        by ``APP_ENV``.
    """
    from app import models  # noqa: F401  (registers every table)
    from app.cli import register_cli
    from app.db.sqlite import install_sqlite_pragmas
    from app.extensions import appbuilder, db, migrate
    from app.features import register_views
    from app.security.http import init_http
    from app.web.fragments import init_fragments
    from app.web.jinja import install_gettext, register_filters

    app = Flask(
        __name__,
        instance_relative_config=False,
        template_folder="../templates",
        static_folder="../static",
    )
    app.config.from_object(config or config_from_env())
    _check_production_config(app)

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
    install_gettext(app)
    register_cli(app)
    return app
