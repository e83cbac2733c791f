"""Flask extensions, created unbound and initialised by :func:`app.create_app`."""

from flask_appbuilder import AppBuilder
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()
appbuilder = AppBuilder()
