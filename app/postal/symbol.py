"""The symbol: start, 7-digit postal code, 住所表示番号, padding, check, stop.

Per the manual: the postal code and the address characters make at most 20
data characters, a letter taking two (its control code ``CC1``–``CC3`` and a
digit); what does not fit is cut off — and when a letter's two halves fall on
the 20th and 21st, its control code stays alone in the 20th.  Short data is
padded with ``CC4``.  The check character makes the sum of the values of all
21 (``0``–``9`` → 0–9, ``-`` → 10, ``CC1``–``CC8`` → 11–18) a multiple of 19.
Each character is three bars, start and stop two each: 67 bars of four kinds,
``F`` (long), ``A`` (ascender: up from the timing bar), ``D`` (descender) and
``T`` (timing).
"""

import re
from dataclasses import dataclass

from app.postal.address import address_number

__all__ = [
    "DATA_LENGTH",
    "CustomerBarcode",
    "NoBarcode",
    "check_character",
    "encode",
    "encode_data",
    "postal_digits",
]

DATA_LENGTH = 20
START = "FD"
STOP = "DF"
# The characters in the order of their check values 0–18, and their bars.
_CHARACTERS = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "-") + tuple(
    f"CC{n}" for n in range(1, 9)
)
_BARS = (
    "FTT",  # 0
    "FFT",  # 1
    "FDA",  # 2
    "DFA",  # 3
    "FAD",  # 4
    "FTF",  # 5
    "DAF",  # 6
    "AFD",  # 7
    "ADF",  # 8
    "TFF",  # 9
    "TFT",  # -
    "DAT",  # CC1
    "DTA",  # CC2
    "ADT",  # CC3
    "TDA",  # CC4
    "ATD",  # CC5
    "TAD",  # CC6
    "TTF",  # CC7
    "FFF",  # CC8
)
_VALUE = {c: i for i, c in enumerate(_CHARACTERS)}
_BARS_OF = dict(zip(_CHARACTERS, _BARS, strict=True))
_POSTAL = re.compile(r"[0-9]{7}")
_DATA = re.compile(r"[0-9A-Z-]*")


class NoBarcode(ValueError):
    """No customer barcode can be made; ``reason`` says why, in Japanese."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CustomerBarcode:
    """One customer barcode.

    :ivar code: the postal code and the address characters, not padded
        (``"10000131-3-2-503"``).
    :ivar symbols: the 20 data characters and the check character.
    :ivar bars: the 67 bars, start and stop included.
    """

    code: str
    symbols: tuple[str, ...]
    bars: str

    def as_json(self) -> dict[str, object]:
        return {"code": self.code, "symbols": list(self.symbols), "bars": self.bars}


def _letter(char: str) -> tuple[str, str]:
    """A letter as its control code and digit: A–J CC1 0–9, K–T CC2, U–Z CC3."""
    index = ord(char) - ord("A")
    return f"CC{index // 10 + 1}", str(index % 10)


def _characters(data: str) -> list[str]:
    """``data`` as barcode characters, cut to 20 and padded with CC4."""
    out: list[str] = []
    for char in data:
        out.extend(_letter(char) if "A" <= char <= "Z" else (char,))
    out = out[:DATA_LENGTH]
    return out + ["CC4"] * (DATA_LENGTH - len(out))


def check_character(characters: list[str]) -> str:
    """The character that makes the sum of the values a multiple of 19."""
    total = sum(_VALUE[c] for c in characters)
    return _CHARACTERS[(19 - total % 19) % 19]


def encode_data(data: str) -> CustomerBarcode:
    """The barcode of ``data``: 7 digits, then digits, ``-`` and ``A``–``Z``.

    :raises NoBarcode: when ``data`` is not of that form.
    """
    if not _POSTAL.match(data) or not _DATA.fullmatch(data):
        raise NoBarcode("郵便番号7けたと住所表示番号（数字・ハイフン・英字）ではありません。")
    characters = _characters(data)
    symbols = (*characters, check_character(characters))
    bars = START + "".join(_BARS_OF[c] for c in symbols) + STOP
    return CustomerBarcode(code=data, symbols=symbols, bars=bars)


def postal_digits(postal_code: str | None) -> str:
    """The 7 digits of a postal code written ``1000013``, ``100-0013`` or
    full-width; ``""`` when it is not one."""
    text = (postal_code or "").strip().translate(_WIDE_DIGITS)
    text = re.sub(r"^〒\s*", "", text)
    text = re.sub(r"(?<=^[0-9]{3})[-\uff0d\u2212\u30fc]", "", text)
    return text if _POSTAL.fullmatch(text) else ""


_WIDE_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def encode(postal_code: str | None, address: str | None) -> CustomerBarcode:
    """The customer barcode of an address.

    :raises NoBarcode: without a 7-digit postal code; for a representative
        postal code (ending in ``00``: the manual gives those no barcode);
        without an address, or for one with no 番地 or number at all (the
        barcode would not say where in the town the letter goes).
    """
    postal = postal_digits(postal_code)
    if not postal:
        raise NoBarcode("郵便番号（7けた）がありません。")
    if postal.endswith("00"):
        raise NoBarcode("郵便番号が市区町村の代表番号（下2けた00）です。")
    if not (address or "").strip():
        raise NoBarcode("住所がありません。")
    number = address_number(address or "")
    if not number:
        raise NoBarcode("住所に番地・号の数字がありません。")
    return encode_data(postal + number)
