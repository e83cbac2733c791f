"""Command line: ``flask init`` and the feature packages' command groups."""

import logging
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

log = logging.getLogger(__name__)


def log_to_stderr():
    """Progress for the operator on stderr; stdout is kept for a command's result."""
    if not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)


@click.command("init")
@with_appcontext
def init_command():
    """Migrate the schema, create roles, permissions and offices (safe to re-run)."""
    from flask_migrate import upgrade

    from app import setup

    upgrade(directory=current_app.extensions["migrate"].directory, revision="head")
    summary = setup.initialise()
    click.echo(
        f"database ready: {summary['offices_created']} offices created, "
        f"roles: {', '.join(summary['roles'])}"
    )


def register_cli(app):
    """Attach every command group to ``app``."""
    from app import features

    app.cli.add_command(init_command)
    for command in features.commands():
        app.cli.add_command(command)
