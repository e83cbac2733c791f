"""Command line: ``flask notices newly-eligible [--run RUN_ID | --since
YYYY-MM-DD] --out DIR``.

Writes the お知らせ postcards (one PDF) and their list (Excel) of the people
who became 事業対象者 with import run RUN_ID, or with the extracts since a
date (基準日), or with the last applied extract; the last line of stdout is
JSON: ``{"count", "by_reason", "postcards", "skipped", "files", "notice_run_id"}``.
Bad input: a Japanese message on stderr, exit status 2.
"""

import getpass
import json
import os
import sys
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

notices_cli = AppGroup("notices", help="お知らせ postcards to newly eligible people.")


def _cli_user():
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001  (no user name in some containers)
        return "cli"


def _fail(message, code=2):
    click.echo(str(message), err=True)
    sys.exit(code)


def _since(value):
    from app.notices import messages

    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(messages.bad_date(value))


def _out_dir(value):
    from app.notices import messages

    folder = Path(value)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        _fail(messages.cannot_write(value))
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        _fail(messages.cannot_write(value))
    return folder


def _last_applied_run():
    from app.extensions import db
    from app.hostlink.models import RUN_APPLIED, ImportRun

    return db.session.execute(
        select(ImportRun.id)
        .where(ImportRun.status == RUN_APPLIED)
        .order_by(ImportRun.as_of.desc(), ImportRun.id.desc())
        .limit(1)
    ).scalar()


def _queue(run_id, since, folder):
    """The notice run to produce.  Exits with a message on bad input."""
    from app.errors import DomainError
    from app.notices import detection, runs

    try:
        if since is None:
            run_id = run_id if run_id is not None else _last_applied_run()
            if run_id is None:  # no extract applied yet: nobody, an empty list
                return runs.queue_run("command", only_unsent=False, output_dir=folder)
            detection.detect(run_id)
            return runs.queue_run(
                "command", import_run_id=run_id, only_unsent=False, output_dir=folder
            )
        detection.detect_missing(since)
        return runs.queue_run("command", start=since, only_unsent=False, output_dir=folder)
    except DomainError as exc:
        _fail(exc.message)


@notices_cli.command("newly-eligible")
@click.option("--run", "run_id", type=int, default=None, help="import run id")
@click.option("--since", default=None, help="YYYY-MM-DD: extracts with this 基準日 or later")
@click.option("--out", "out", required=True, help="folder for the PDF and the list")
@with_appcontext
def newly_eligible_command(run_id, since, out):
    """The newly eligible people's postcards and list; the last line is JSON."""
    from flask_babel import gettext as _

    from app.notices import runs
    from app.notices.models import RUN_DONE

    if run_id is not None and since is not None:
        _fail(_("Give either --run or --since, not both."))
    since_day = _since(since) if since is not None else None
    folder = _out_dir(out)
    run = runs.execute_run(_queue(run_id, since_day, folder), username=_cli_user())
    if run.status != RUN_DONE:
        _fail(run.error or run.status, code=1)
    summary = run.summary
    files = [str(folder / name) for name in run.files.values()]
    for path in files:
        click.echo(path)
    click.echo(
        json.dumps(
            {
                "count": summary["count"],
                "by_reason": summary["by_reason"],
                "postcards": summary["postcards"],
                "skipped": summary["skipped"],
                "files": files,
                "notice_run_id": run.id,
            },
            ensure_ascii=False,
        )
    )
