"""``flask letters barcode``: the customer barcode of one address, as JSON.

A click command with no Flask import; :mod:`app.letters.cli` adds it to the
``letters`` group.
"""

import json
import sys

import click

from app.postal.symbol import NoBarcode, encode

__all__ = ["barcode_command"]


@click.command("barcode")
@click.option("--postal", "postal", required=True, help="郵便番号（7けた）")
@click.option("--address", "address", required=True, help="住所（方書まで）")
def barcode_command(postal: str, address: str) -> None:
    """Print the customer barcode of an address: code, symbols and bars (JSON).

    Exits 2 with the reason (in Japanese) when no barcode can be made.
    """
    try:
        barcode = encode(postal, address)
    except NoBarcode as exc:
        click.echo(f"カスタマバーコードを作れません: {exc.reason}", err=True)
        sys.exit(2)
    click.echo(json.dumps(barcode.as_json(), ensure_ascii=False))
