"""Command line of staff accounts: ``flask users add``."""

import sys

import click
from flask.cli import AppGroup

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
    from app.errors import DomainError
    from app.security import accounts

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
