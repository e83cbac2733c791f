"""The symbol bar for bar against an independent implementation: zint
(Debian package ``zint``, installed by scripts/setup-system.sh).

``zint --barcode=JAPANPOST --dump`` prints the symbol as three rows of
modules (top, timing, bottom); a bar is a module of the timing row, and the
rows above and below say whether it is long, an ascender, a descender or only
the timing bar.  zint refuses data longer than 20 characters instead of
cutting it as the manual does, so the generated data fits in 20.
"""

import random
import shutil
import subprocess

import pytest

from app.postal import encode, encode_data


def zint_bars(data):
    out = subprocess.run(
        ["zint", "--barcode=JAPANPOST", "-d", data, "--dump"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout
    rows = []
    for line in out.splitlines():
        hex_digits = line.replace(" ", "")
        if hex_digits:
            rows.append(bin(int(hex_digits, 16))[2:].zfill(len(hex_digits) * 4))
    top, timing, bottom = rows
    bars = []
    for i, module in enumerate(timing):
        if module == "1":
            up, down = top[i] == "1", bottom[i] == "1"
            bars.append("F" if up and down else "A" if up else "D" if down else "T")
    return "".join(bars)


def _generated(n, seed=13):
    """Postal codes with data of every kind and length that fits 20 characters."""
    rng = random.Random(seed)
    out = []
    while len(out) < n:
        postal = f"{rng.randrange(10**7):07d}"
        data, width = "", 7
        for _ in range(rng.randint(0, 13)):
            kind = rng.random()
            if kind < 0.6:
                char, cost = str(rng.randrange(10)), 1
            elif kind < 0.8:
                char, cost = "-", 1
            else:
                char, cost = chr(ord("A") + rng.randrange(26)), 2
            if width + cost > 20:
                break
            data, width = data + char, width + cost
        out.append(postal + data)
    return out


@pytest.fixture(scope="module")
def zint():
    if shutil.which("zint") is None:
        pytest.fail("zint is missing: run scripts/setup-system.sh")


def test_generated_inputs_bar_for_bar(zint):
    inputs = _generated(400) + [f"16000{i:02d}" for i in range(1, 100, 7)]
    differ = [d for d in inputs if encode_data(d).bars != zint_bars(d)]
    assert differ == []
    assert len(inputs) >= 400


def test_every_character_against_zint(zint):
    for char in "0123456789-ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        data = "1600023" + char * (6 if char.isalpha() else 13)
        assert encode_data(data).bars == zint_bars(data), char


def test_the_manual_examples_against_zint(zint):
    for postal, address in [
        ("263-0023", "千葉市稲毛区緑町3丁目30-8　郵便ビル403号"),
        ("273-0102", "千葉県鎌ケ谷市右京塚　東3丁目-20-5　郵便・A&bコーポB604号"),
        ("623-0011", "京都府綾部市青野町綾部6-7　LプラザB106"),
        ("100-0013", "東京都千代田区霞が関1丁目3番2号 郵便プラザ503室"),
    ]:
        barcode = encode(postal, address)
        assert barcode.bars == zint_bars(barcode.code)
