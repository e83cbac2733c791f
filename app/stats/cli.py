"""``flask stats --as-of YYYY-MM-DD --fiscal-year Y [--format json|xlsx|pdf] [--out FILE]``.

JSON (the default) is printed as the last line of stdout; ``xlsx`` and
``pdf`` are written to ``--out`` (default: a Japanese file name in the
current directory), its name is printed, then the same JSON line.
"""

import json
import logging
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from app.errors import DomainError
from app.files.tables import write_xlsx
from app.letters.pdf import render_pdf
from app.stats import services

log = logging.getLogger(__name__)


@click.command("stats")
@click.option("--as-of", "as_of", required=True, help="as-of date, YYYY-MM-DD")
@click.option("--fiscal-year", "fiscal_year", required=True, help="fiscal year (its first year)")
@click.option("--format", "fmt", type=click.Choice(["json", "xlsx", "pdf"]), default="json")
@click.option("--office", default="", help="limit the pass figures to one office code")
@click.option("--out", type=click.Path(dir_okay=False), default=None, help="output file")
@with_appcontext
def stats_command(as_of, fiscal_year, fmt, office, out):
    """Program statistics (事業実績) for an as-of date and fiscal year."""
    from app.stats.views import pdf_context, workbook_sheets

    try:
        request = services.for_office(services.parse_request(as_of, fiscal_year), office)
        report = services.build_report(request)
    except DomainError as exc:
        click.echo(json.dumps({"error": str(exc.message)}, ensure_ascii=False))
        sys.exit(2)
    data = services.report_json(report)
    if fmt == "json":
        text = json.dumps(data, ensure_ascii=False)
        if out:
            Path(out).write_text(text + "\n", encoding="utf-8")
        click.echo(text)
        return
    path = Path(out or f"事業実績_{report['fiscal_year']}年度_{report['as_of']}.{fmt}")
    if fmt == "xlsx":
        write_xlsx(str(path), workbook_sheets(report, request))
    else:
        path.write_bytes(render_pdf("pdf/stats_report.html", pdf_context(report, request)))
    click.echo(f"written: {path}")
    click.echo(json.dumps(data, ensure_ascii=False))
