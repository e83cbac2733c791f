"""``flask audit export`` and ``flask audit purge``."""

import getpass
import json
import sys

import click
from flask.cli import AppGroup

audit_cli = AppGroup("audit", help="The access log (export, purge).")


def _operator():
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError, ImportError):  # no login name in some containers
        return "cli"


@audit_cli.command("export")
@click.option("--since", default=None, help="first day, YYYY-MM-DD (or 令和 date)")
@click.option("--until", default=None, help="last day, YYYY-MM-DD")
@click.option("--resident", default=None, help="resident number (住民番号)")
@click.option("--user", "username", default=None, help="user name")
@click.option("--action", default=None, help="action, e.g. resident.view")
def export_command(since, until, resident, username, action):
    """Write matching access-log rows as CSV (with a header row) to stdout."""
    from app.audit import logs
    from app.audit import writer as audit
    from app.errors import DomainError

    try:
        flt = logs.parse_filter(
            username=username, resident_no=resident, action=action, date_from=since, date_to=until
        )
    except DomainError as exc:
        click.echo(str(exc.message), err=True)
        sys.exit(2)
    count = logs.write_csv(logs.iter_rows(flt), click.get_text_stream("stdout"))
    audit.record(
        "access_log.export",
        target="cli",
        detail={"filter": flt.as_detail(), "rows": count, "via": "cli"},
        username=_operator(),
        user=False,
        commit=True,
    )
    click.echo(f"{count} row(s) exported", err=True)


@audit_cli.command("purge")
@click.option("--years", type=int, default=None, help="retention in years (default: config)")
@click.option("--dry-run", is_flag=True, help="only count what would be purged")
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=None,
    help="rows deleted per transaction (default 10,000)",
)
def purge_command(years, dry_run, batch):
    """Delete access-log rows older than the retention period (logged)."""
    from app.audit import logs
    from app.errors import DomainError

    try:
        summary = logs.purge(
            years=years,
            dry_run=dry_run,
            operator=_operator(),
            batch=batch or logs.PURGE_BATCH_ROWS,
        )
    except DomainError as exc:
        click.echo(str(exc.message), err=True)
        sys.exit(2)
    click.echo(json.dumps(summary, ensure_ascii=False, sort_keys=True))
