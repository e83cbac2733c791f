"""Command line of the ledger migration (the names operators and the
acceptance checks use).

``flask ledger check PATH`` (dry run) and ``flask ledger import PATH --user
USERNAME`` print progress on stderr and, as the last line on stdout, one JSON
object (:func:`app.migration.report.as_json`); exit 0 when checked / applied,
2 when refused, 1 when the run failed.  ``flask ledger report RUN_ID --out
FILE.pdf|FILE.xlsx`` writes the reconciliation report; ``flask ledger erasure
RUN_ID …`` records an erasure and writes its certificate.
"""

import json
import logging
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup

from app.cli import log_to_stderr
from app.errors import DomainError
from app.extensions import db
from app.migration import erasure, report, runs
from app.migration.models import (
    RUN_APPLIED,
    RUN_CHECKED,
    RUN_FAILED,
    RUN_REFUSED,
    TRIGGER_COMMAND,
    MigrationRun,
)

log = logging.getLogger(__name__)

EXIT_CODES = {RUN_CHECKED: 0, RUN_APPLIED: 0, RUN_REFUSED: 2, RUN_FAILED: 1}

ledger_cli = AppGroup("ledger", help="The Excel ledger's go-live migration (データ移行).")


def _user(username, option="--user"):
    from app.extensions import appbuilder

    user = appbuilder.sm.find_user(username=username)
    if user is None:
        raise click.BadParameter(f"no such user: {username}", param_hint=option)
    return user


def _refused_file(path, reason):
    """The JSON of a file that cannot even be opened (no run is recorded)."""
    summary = report.refused_summary({})
    payload = {"run_id": None, "status": RUN_REFUSED, "file": path.name, "sha256": None,
               "people": summary["people"], "passes": summary["passes"], "sheets": [],
               "rejected": [], "mismatches": [], "reason": reason}  # fmt: skip
    click.echo(json.dumps(payload, ensure_ascii=False))
    sys.exit(EXIT_CODES[RUN_REFUSED])


def _run(path, action, user):
    log_to_stderr()
    try:
        data = path.read_bytes()
    except OSError as error:
        _refused_file(path, f"ファイルを読めません（{error.strerror}）")
    run_id = runs.start_run(path.name, data, trigger=TRIGGER_COMMAND, user=user)
    run = action(run_id, data, user=user)
    click.echo(json.dumps(report.as_json(run, runs.items_of(run_id)), ensure_ascii=False))
    sys.exit(EXIT_CODES.get(run.status, 1))


@ledger_cli.command("check")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def check_command(path):
    """Check a ledger workbook (dry run: nothing but the run's record is written)."""
    _run(path, runs.check_ledger, None)


@ledger_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--user", "username", required=True, help="the migrating staff member's username")
def import_command(path, username):
    """Import a ledger workbook in one transaction."""
    _run(path, runs.import_ledger, _user(username))


def _get_run(run_id):
    run = db.session.get(MigrationRun, run_id)
    if run is None:
        raise click.BadParameter(f"no ledger run {run_id}", param_hint="RUN_ID")
    return run


@ledger_cli.command("report")
@click.argument("run_id", type=int)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def report_command(run_id, out):
    """Write the reconciliation report (移行結果照合表) as .pdf or .xlsx."""
    from app.migration import documents

    run = _get_run(run_id)
    suffix = out.suffix.lower()
    if suffix not in (".pdf", ".xlsx"):
        raise click.BadParameter("the file must end in .pdf or .xlsx", param_hint="--out")
    data = documents.report_pdf(run) if suffix == ".pdf" else documents.report_xlsx(run)
    documents.audit_download(run, "pdf" if suffix == ".pdf" else "xlsx", user=False)
    out.write_bytes(data)
    click.echo(f"{out} ({len(data):,} bytes)")


@ledger_cli.command("erasure")
@click.argument("run_id", type=int)
@click.option("--location", required=True, help="where the copy was (folder path, PC)")
@click.option("--method", required=True, help="how it was erased")
@click.option("--on", "erased_on", required=True, type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--by", "by", required=True, help="username of who erased it")
@click.option("--witness", required=True, help="username of the witness (another account)")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def erasure_command(run_id, location, method, erased_on, by, witness, out):
    """Record the erasure of the workbook (or a copy) and write its certificate."""
    from app.migration import documents

    run = _get_run(run_id)
    try:
        record = erasure.record_erasure(
            run,
            location=location,
            method=method,
            erased_on=erased_on.date() if erased_on else date.today(),
            erased_by=_user(by, "--by"),
            witness=_user(witness, "--witness"),
            recorded_by=None,
        )
    except DomainError as error:
        click.echo(f"error: {error.message}", err=True)
        sys.exit(2)
    data = documents.certificate_pdf(run)
    out.write_bytes(data)
    click.echo(json.dumps({"run_id": run.id, "erasure_id": record.id, "certificate": str(out)},
                          ensure_ascii=False))  # fmt: skip
