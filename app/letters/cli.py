"""Command line: ``flask letters cover``, ``flask letters mass-mailing``,
``flask letters returned`` (in app.mailing.cli), ``flask checklist``."""

import getpass
import json
import sys
import time
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

from app.postal.cli import barcode_command

letters_cli = AppGroup("letters", help="Cover letters and the annual mass mailing.")
# The Japan Post customer barcode of one address (app.postal).
letters_cli.add_command(barcode_command)


def _cli_user():
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001  (no user name in some containers)
        return "cli"


def _fail(message, code=2):
    click.echo(str(message), err=True)
    sys.exit(code)


def _iso_date(value, option):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option}: not a date (YYYY-MM-DD): {value}")


@letters_cli.command("cover")
@click.argument("control_no", type=int)
@click.option("--fiscal-year", "fiscal_year", type=int, required=True)
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@with_appcontext
def cover_command(control_no, fiscal_year, out):
    """Print the cover letter of pass CONTROL_NO of a fiscal year to a PDF file."""
    from app.errors import DomainError
    from app.letters import covers

    issuance = covers.find_by_control_no(fiscal_year, control_no)
    if issuance is None:
        _fail(f"no pass No. {control_no} in fiscal year {fiscal_year}")
    try:
        pdf = covers.print_cover_letters([issuance], username=_cli_user())
    except DomainError as exc:
        _fail(exc.message)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_bytes(pdf)
    click.echo(f"{out}: cover letter of {fiscal_year}-{control_no}")


@letters_cli.command("mass-mailing")
@click.option(
    "--fiscal-year",
    "fiscal_year",
    type=int,
    required=True,
    help="fiscal year of the new passes (April Y to March Y+1)",
)
@click.option("--cutoff", default=None, help="YYYY-MM-DD; default the last day of February")
@click.option(
    "--mailing-date",
    "mailing_date",
    default=None,
    help="YYYY-MM-DD: issue date of the passes; default today",
)
@click.option("--out", "out", type=click.Path(file_okay=False), required=True)
@click.option("--workers", type=int, default=None, help="rendering processes")
@with_appcontext
def mass_mailing_command(fiscal_year, cutoff, mailing_date, out, workers):
    """Run the whole annual mass mailing now; the last line is a JSON summary."""
    from app import clock
    from app.errors import DomainError
    from app.letters import mass_mailing

    started = time.monotonic()
    cutoff_day = _iso_date(cutoff, "--cutoff") or mass_mailing.default_cutoff(fiscal_year)
    mailing_day = _iso_date(mailing_date, "--mailing-date") or clock.today()
    try:
        run = mass_mailing.queue_run(
            fiscal_year, cutoff_day, mailing_day, user=None, output_dir=Path(out).resolve()
        )
    except DomainError as exc:
        _fail(exc.message)

    def report(current):
        click.echo(f"letters {current.done}/{current.total}", err=True)

    run = mass_mailing.execute_run(run, workers=workers, on_progress=report)
    summary = run.summary or {}
    click.echo(
        json.dumps(
            {
                "fiscal_year": run.fiscal_year,
                "run_id": run.id,
                "status": run.status,
                "letters": run.total,
                "files": [f["file"] for f in run.files],
                "lists": [f["list"] for f in run.files],
                "output_dir": str(mass_mailing.output_dir(run)),
                "first_no": summary.get("first_no"),
                "last_no": summary.get("last_no"),
                "by_category": summary.get("by_category", {}),
                "skipped": summary.get("skipped", {}),
                "not_mailed": summary.get("not_mailed", 0),
                "error": run.error,
                "seconds": round(time.monotonic() - started, 1),
            },
            ensure_ascii=False,
        )
    )
    if run.status != "done":
        sys.exit(1)


def _add_returned_command():
    """``flask letters returned``: returned mail by 整理番号 (app.mailing.cli)."""
    from app.mailing.cli import returned_command

    letters_cli.add_command(returned_command)


_add_returned_command()


@click.command("checklist")
@click.option("--date", "day", required=True, help="YYYY-MM-DD")
@click.option("--office", "office_code", default=None, help="office code; default all offices")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@with_appcontext
def checklist_command(day, office_code, out):
    """Print the daily processing checklist of a day to a PDF file."""
    from app.audit import writer as audit
    from app.letters import checklist
    from app.offices import services as offices

    when = _iso_date(day, "--date")
    office = None
    if office_code:
        office = offices.by_code(office_code)
        if office is None:
            _fail(f"unknown office {office_code}")
    pdf, count = checklist.render_checklist(when, office)
    audit.record(
        "checklist.print",
        target=f"checklist:{when.isoformat()}:{office_code or 'all'}",
        detail={"date": when.isoformat(), "office": office_code, "rows": count},
        username=_cli_user(),
        commit=True,
    )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_bytes(pdf)
    click.echo(f"{out}: {count} entries")
