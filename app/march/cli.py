"""Command line: ``flask march batch [--on YYYY-MM-DD] [--out DIR]``."""

import json
from datetime import date
from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext

# The letters commands' own: who runs a command, and a refusal on stderr (exit 2).
from app.letters.cli import _cli_user, _fail

march_cli = AppGroup("march", help="March applications for the next fiscal year (順次発送).")


@march_cli.command("batch")
@click.option("--on", "on", default=None, help="YYYY-MM-DD: the letters' date; default today")
@click.option("--out", "out", type=click.Path(file_okay=False), default=None,
              help="folder of the files; default OUTPUT_DIR/march/batch-NNNN")  # fmt: skip
@with_appcontext
def batch_command(on, out):
    """Make the batch of letters of every pending next-year pass; the last
    line is JSON."""
    from app.errors import DomainError
    from app.march import batches

    day = None
    if on is not None:
        try:
            day = date.fromisoformat(on)
        except ValueError:
            _fail(f"--on: 日付ではありません（YYYY-MM-DD）: {on}")
    try:
        batch = batches.create_batch(
            day, trigger=_cli_user(), output_dir=Path(out).resolve() if out else None
        )
    except DomainError as exc:
        _fail(exc.message)
    if batch is None:
        click.echo(json.dumps({"batch_id": None, "letters": 0, "files": []}))
        return
    folder = batches.file_path(batch, batches.LETTERS_FILE).parent
    click.echo(
        json.dumps(
            {
                "batch_id": batch.id,
                "date": batch.batch_date.isoformat(),
                "fiscal_year": batch.fiscal_year,
                "letters": batch.letters,
                "first_no": batch.first_no,
                "last_no": batch.last_no,
                "output_dir": str(folder),
                "files": [str(folder / name) for name in batch.files],
            },
            ensure_ascii=False,
        )
    )
