"""``flask search rebuild-index``: the bigram index of names, rebuilt."""

import json
import time

import click
from flask.cli import AppGroup

search_cli = AppGroup("search", help="The search index of names.")


@search_cli.command("rebuild-index")
def rebuild_index_command():
    """Recompute every person's name grams and rebuild the index (one
    transaction); the last line of stdout is a JSON summary."""
    from app.db.transaction import transaction
    from app.extensions import db
    from app.residents import grams

    started = time.perf_counter()
    with transaction():
        summary = grams.rebuild(db.session)
    summary["seconds"] = round(time.perf_counter() - started, 2)
    click.echo(json.dumps(summary, ensure_ascii=False))
