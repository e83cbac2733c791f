"""Command line of the host link.

``flask hostlink import PATH`` applies one file as the schedule would (its
``.END`` must exist; the file stays where it is) and prints, as its last line,
one JSON object::

    {"run_id", "status", "file", "as_of", "added", "updated", "excluded",
     "reinstated", "unchanged", "unknown_not_eligible",
     "rejected": [{"line", "resident_no", "field", "reason"}], "reason"}

Exit status: 0 applied, 3 held, 2 refused, 1 failed (nothing changed).
``flask hostlink poll`` runs one inbox poll now; ``flask hostlink approve
RUN_ID`` / ``discard RUN_ID`` decide on a held run.  ``flask demo-extract``
writes dummy extract files.
"""

import json
import logging
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.cli import log_to_stderr
from app.errors import DomainError
from app.hostlink import approval, demo, files, imports, inbox, messages
from app.hostlink.models import (
    RUN_APPLIED,
    RUN_DISCARDED,
    RUN_FAILED,
    RUN_HELD,
    RUN_REFUSED,
    TRIGGER_COMMAND,
)

log = logging.getLogger(__name__)

EXIT_CODES = {RUN_APPLIED: 0, RUN_DISCARDED: 0, RUN_HELD: 3, RUN_REFUSED: 2, RUN_FAILED: 1}

hostlink_cli = AppGroup("hostlink", help="Host extract files (ホスト連携).")


def _emit(outcome):
    click.echo(json.dumps(outcome.as_json(), ensure_ascii=False))


def _user(username):
    if not username:
        return None
    from app.extensions import appbuilder

    user = appbuilder.sm.find_user(username=username)
    if user is None:
        raise click.BadParameter(f"no such user: {username}", param_hint="--user")
    return user


@hostlink_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def import_command(path):
    """Apply one extract file (its .END must exist)."""
    log_to_stderr()
    try:
        outcome = imports.import_file(path, trigger=TRIGGER_COMMAND, move=False)
    except Exception:  # even the run record could not be written (database down)
        log.exception("import of %s failed", path)
        click.echo(json.dumps({"run_id": None, "status": RUN_FAILED, "file": path.name,
                               "reason": messages.run_reason("failed")},
                              ensure_ascii=False))  # fmt: skip
        sys.exit(EXIT_CODES[RUN_FAILED])
    _emit(outcome)
    sys.exit(EXIT_CODES[outcome.status])


@hostlink_cli.command("poll")
def poll_command():
    """Apply every complete file in the inbox now, as the schedule does."""
    log_to_stderr()
    result = inbox.poll()
    summary = {
        "inbox": str(files.folders()["inbox"]),
        "runs": [outcome.as_json() for outcome in result.outcomes],
        "waiting": result.waiting,
        "busy": result.busy,
    }
    click.echo(json.dumps(summary, ensure_ascii=False))
    failed = any(o.status == RUN_FAILED for o in result.outcomes)
    sys.exit(1 if failed else 0)


def _decide(action, run_id, username):
    log_to_stderr()
    try:
        outcome = action(run_id, user=_user(username), trigger=TRIGGER_COMMAND)
    except DomainError as exc:
        click.echo(json.dumps({"run_id": run_id, "status": "error", "reason": str(exc.message)},
                              ensure_ascii=False))  # fmt: skip
        sys.exit(2)
    _emit(outcome)
    sys.exit(EXIT_CODES[outcome.status])


@hostlink_cli.command("approve")
@click.argument("run_id", type=int)
@click.option("--user", "username", default=None, help="the approving supervisor's username")
def approve_command(run_id, username):
    """Apply a held run (supervisor's decision)."""
    _decide(approval.approve_run, run_id, username)


@hostlink_cli.command("discard")
@click.argument("run_id", type=int)
@click.option("--user", "username", default=None, help="the deciding supervisor's username")
def discard_command(run_id, username):
    """Close a held run without applying it."""
    _decide(approval.discard_run, run_id, username)


@click.command("demo-extract")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path))
@click.option("--residents", "count", default=3000, show_default=True, type=click.IntRange(1))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option(
    "--as-of",
    "as_of",
    default=None,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="基準日 (YYYY-MM-DD); default: the host's latest extract day",
)
@click.option("--changes", is_flag=True, help="also write the extract of a fortnight later")
@with_appcontext
def demo_extract_command(out_dir, count, seed, as_of, changes):
    """Write dummy host extract files (FUREAI_YYYYMMDD.DAT + .END)."""
    from app import clock
    from app.hostlink.status import expected_as_of

    if not current_app.config.get("ALLOW_DEMO_DATA"):
        click.echo("demo extracts are disabled in this installation", err=True)
        sys.exit(2)
    day = as_of.date() if as_of else expected_as_of(clock.today())
    # Streamed to disk: a city's 1.2 million people make a file of some 310 MB.
    for target, size, summary in demo.write_demo_extracts(out_dir, count, seed, day, changes):
        details = ", ".join(f"{k} {v}" for k, v in summary.items())
        click.echo(f"{target} ({size:,} bytes; {details})")
