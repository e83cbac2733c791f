"""Japan Post's customer barcode (カスタマバーコード).

Pure: no Flask, no database, no drawing library.  From a postal code and an
address, :func:`encode` gives the barcode's data — the 住所表示番号 taken from
the address by the rules of Japan Post's 「郵便番号・バーコードマニュアル」
(:mod:`app.postal.address`), the 20 data symbols and the check symbol, and the
67 bars (:mod:`app.postal.symbol`) — and :func:`bar_rectangles` where each bar
goes, in millimetres, at a scale the manual allows (:mod:`app.postal.geometry`).
Drawing them into a PDF belongs to :mod:`app.letters.barcodes`;
:mod:`app.postal.cli` is ``flask letters barcode`` (a click command).

May import: the standard library, and click in :mod:`app.postal.cli`.
"""

from app.postal.address import address_number
from app.postal.geometry import (
    DEFAULT_POINTS,
    MAX_POINTS,
    MIN_POINTS,
    Bar,
    bar_rectangles,
    symbol_size,
)
from app.postal.symbol import CustomerBarcode, NoBarcode, encode, encode_data

__all__ = [
    "DEFAULT_POINTS",
    "MAX_POINTS",
    "MIN_POINTS",
    "Bar",
    "CustomerBarcode",
    "NoBarcode",
    "address_number",
    "bar_rectangles",
    "encode",
    "encode_data",
    "symbol_size",
]
