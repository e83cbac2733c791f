"""Command line: ``flask mailing stop|resume`` and ``flask letters returned``.

Errors are a Japanese message on stderr and a non-zero exit, with nothing
saved.  ``flask letters returned`` prints a JSON object as its last line:
``{"recorded": [...], "refused": [...], "returned_on", "fiscal_year"}``; it
exits 0 when every number was recorded, 1 when some were refused (the others
are recorded), 2 when nothing could be done.
"""

import json
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

mailing_cli = AppGroup("mailing", help="送付停止: stop and resume mailing to a person.")

# The roles that do records work (RECORDS_WORK): the accounts a command may act as.
WRITERS = ("Admin", "Supervisor", "Staff")
REASONS = ("declined", "returned_pass", "returned_mail", "facility", "other")


def _fail(message, code=2):
    click.echo(str(message), err=True)
    sys.exit(code)


def _user(username):
    from flask_babel import gettext as _

    from app.extensions import appbuilder

    user = appbuilder.sm.find_user(username=username)
    if user is None or not user.active:
        _fail(_("There is no active account %(user)s.") % {"user": username})
    if not {r.name for r in user.roles} & set(WRITERS):
        _fail(_("The account %(user)s may not record this.") % {"user": username})
    return user


def _resident(resident_no):
    from app.errors import DomainError
    from app.mailing import stops

    try:
        return stops.find_resident(resident_no)
    except DomainError as exc:
        _fail(exc.message)


def _day(value, option):
    from flask_babel import gettext as _

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(
            _("%(option)s: not a date (YYYY-MM-DD): %(value)s") % {"option": option, "value": value}
        )


@mailing_cli.command("stop")
@click.argument("resident_no")
@click.option("--reason", required=True, help="|".join(REASONS))
@click.option("--note", default=None, help="text of the reason (required for other)")
@click.option("--since", default=None, help="YYYY-MM-DD; default today")
@click.option("--user", "username", required=True)
@with_appcontext
def stop_command(resident_no, reason, note, since, username):
    """Stop mailing to the person RESIDENT_NO (送付停止); the last line is JSON."""
    from flask_babel import gettext as _

    from app.errors import DomainError
    from app.mailing import stops

    if reason not in REASONS:
        _fail(_("Unknown reason %(reason)s: use one of %(choices)s.")
              % {"reason": reason, "choices": ", ".join(REASONS)})  # fmt: skip
    user = _user(username)
    resident = _resident(resident_no)
    try:
        stop = stops.stop_mailing(resident, reason, user, note=note, since=_day(since, "--since"))
    except DomainError as exc:
        _fail(exc.message)
    click.echo(
        json.dumps({"resident_no": resident.resident_no, "mail_stopped": True, "reason": stop.reason,
                    "since": stop.since.isoformat(), "stop_id": stop.id}, ensure_ascii=False)
    )  # fmt: skip


@mailing_cli.command("resume")
@click.argument("resident_no")
@click.option("--reason", default=None, help="why mailing is resumed")
@click.option("--user", "username", required=True)
@with_appcontext
def resume_command(resident_no, reason, username):
    """Resume mailing to the person RESIDENT_NO (再開); the last line is JSON."""
    from app.errors import DomainError
    from app.mailing import stops

    user = _user(username)
    resident = _resident(resident_no)
    try:
        stop = stops.resume_mailing(resident, user, reason=reason)
    except DomainError as exc:
        _fail(exc.message)
    click.echo(
        json.dumps({"resident_no": resident.resident_no, "mail_stopped": False,
                    "lifted_on": stop.lifted_on.isoformat(), "stop_id": stop.id}, ensure_ascii=False)
    )  # fmt: skip


def _lines(numbers, file, fiscal_year):
    from flask_babel import gettext as _

    from app.errors import DomainError
    from app.mailing import returned

    if bool(numbers) == bool(file):
        _fail(_("Give the control numbers, or --file with one per line (not both)."))
    if numbers:
        return [item for text in numbers for item in returned.read_one(text, fiscal_year)]
    try:
        data = Path(file).read_bytes()
    except OSError as exc:
        _fail(_("The file cannot be read: %(error)s") % {"error": exc.strerror or exc})
    try:
        return returned.read_lines(data, fiscal_year)
    except DomainError as exc:
        _fail(exc.message)


@click.command("returned")
@click.argument("control_nos", nargs=-1)
@click.option("--fiscal-year", "fiscal_year", type=int, required=True)
@click.option("--on", "on", default=None, help="返戻日 YYYY-MM-DD; default today")
@click.option("--file", "file", type=click.Path(dir_okay=False), default=None,
              help="a file of scanned numbers, one per line")  # fmt: skip
@click.option("--user", "username", required=True)
@with_appcontext
def returned_command(control_nos, fiscal_year, on, file, username):
    """Record returned mail (返戻) by CONTROL_NO...; the last line is JSON."""
    from app.errors import DomainError
    from app.mailing import returned

    user = _user(username)
    day = _day(on, "--on")
    lines = _lines(control_nos, file, fiscal_year)
    try:
        outcome = returned.record_returns(lines, day, user)
    except DomainError as exc:
        _fail(exc.message)
    for answer in outcome.refused:
        click.echo(f"{answer.text.strip()}: {answer.message}", err=True)
    click.echo(
        json.dumps({"fiscal_year": fiscal_year, "returned_on": returned.check_day(day).isoformat(),
                    **outcome.as_json()}, ensure_ascii=False)
    )  # fmt: skip
    if outcome.refused:
        sys.exit(1)
