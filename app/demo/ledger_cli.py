"""``flask demo-ledger``: a dummy Excel ledger to rehearse the go-live migration.

The workbook is :func:`app.demo.ledger.build_demo_ledger`'s: run it with the
``--residents`` and ``--seed`` of ``flask demo-extract`` and its 対象者 sheet holds
the extract's people.  Refused when ``ALLOW_DEMO_DATA`` is off (production), as
``flask demo-data`` is.  The summary goes to stderr.
"""

import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from app.demo.ledger import build_demo_ledger

__all__ = ["demo_ledger_command"]


def _describe(path: Path, size: int, summary: dict, seconds: float) -> str:
    sheets = summary["sheets"]
    years = [name for name, sheet in sheets.items() if "fiscal_year" in sheet]
    ignored = [name for name, sheet in sheets.items() if sheet.get("ignored")]
    rejected = ", ".join(f"{code} {n}" for code, n in summary["rejected"].items())
    faults = ", ".join(f"{name} {n:,}" for name, n in summary["faults"].items())
    return "\n".join(
        [
            f"demo ledger: {path} ({size:,} bytes) in {seconds:.1f} s",
            f"people: {summary['people']:,} ({summary['extract_people']:,} as in demo-extract, "
            f"{summary['former_people']:,} former residents, "
            f"{summary['former_recorded']:,} of them with an exclusion date)",
            f"passes: {summary['passes']:,} on {len(years)} sheets ({', '.join(years)}); "
            f"ignored sheets: {', '.join(ignored)}",
            f"rows to be rejected: {len(summary['rejects'])} ({rejected}); "
            f"wrong total on {summary['wrong_total']}",
            f"faults planted: {faults}",
        ]
    )


@click.command("demo-ledger")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="the workbook to write (.xlsx)",
)
@click.option(
    "--residents",
    "count",
    type=click.IntRange(1, 500_000),
    default=3000,
    show_default=True,
    help="people of the matching demo-extract (the same --residents)",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="the seed of the matching demo-extract; the same seed gives the same workbook",
)
@click.option(
    "--years",
    type=click.IntRange(1, 10),
    default=5,
    show_default=True,
    help="fiscal-year sheets, the current one included",
)
@with_appcontext
def demo_ledger_command(out: Path, count: int, seed: int, years: int) -> None:
    """Write a dummy Excel ledger (エクセル台帳) with the faults of the real one (never in production)."""
    if not current_app.config.get("ALLOW_DEMO_DATA"):
        click.echo(
            "demo data is not allowed in this configuration (ALLOW_DEMO_DATA is off)", err=True
        )
        sys.exit(2)
    started = time.perf_counter()
    data, summary = build_demo_ledger(count, seed=seed, years=years)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    click.echo(_describe(out, len(data), summary, time.perf_counter() - started), err=True)
