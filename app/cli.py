"""Command line: ``flask init``, ``flask users add`` and the feature groups."""

import logging
import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

log = logging.getLogger(__name__)


@click.command("init")
@with_appcontext
def init_command():
    """Migrate the schema, create roles, permissions and offices (safe to re-run)."""
    from flask_migrate import upgrade

    from app.services import setup

    upgrade(directory=current_app.extensions["migrate"].directory, revision="heads")
    summary = setup.initialise()
    click.echo(
        f"database ready: {summary['offices_created']} offices created, "
        f"roles: {', '.join(summary['roles'])}"
    )


users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("add")
@click.argument("username")
@click.option("--role", required=True, help="Admin, Supervisor, Staff, BranchStaff or Auditor")
@click.option("--office", "office_code", required=True, help="office code, e.g. HQ")
@click.option("--name", required=True, help="full name")
@click.option("--password", required=True)
@click.option("--email", default=None)
def users_add(username, role, office_code, name, password, email):
    """Create a staff account."""
    from app.services import accounts
    from app.services.errors import DomainError

    try:
        user = accounts.create_user(
            username=username,
            role_name=role,
            office_code=office_code,
            full_name=name,
            password=password,
            email=email,
            actor=None,
            must_change_password=False,
        )
    except DomainError as exc:
        click.echo(str(exc.message), err=True)
        sys.exit(2)
    click.echo(f"created user {user.username} ({role}, {office_code})")


def register_cli(app):
    """Attach every command group to ``app``."""
    from app import cli_features

    app.cli.add_command(init_command)
    app.cli.add_command(users_cli)
    for command in cli_features.commands():
        app.cli.add_command(command)
