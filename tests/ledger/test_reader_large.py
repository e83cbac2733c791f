"""The ledger reader on a workbook of 200,000 rows (read with the default limits)."""

import datetime
import io
import time

import openpyxl
import pytest

from app.ledger import DEFAULT_MAX_ROWS, read_ledger
from tests.ledger.conftest import PASS_HEADER

ROWS = 200_000


def _large_workbook() -> bytes:
    wb = openpyxl.Workbook(write_only=True)
    people = wb.create_sheet("対象者")
    people.append(["対象者台帳（ダミー）"])
    people.append(["住民番号", "氏名", "ふりがな", "性別", "生年月日", "区分"])
    birth = datetime.date(1950, 1, 1)
    for index in range(ROWS):
        number = index + 1
        people.append(
            [
                number if index % 2 else f"{number:010d}",
                "山田 太郎",
                "ﾔﾏﾀﾞ ﾀﾛｳ" if index % 3 else "やまだ たろう",
                1 + index % 2,
                birth + datetime.timedelta(days=index % 9000),
                "高齢",
            ]
        )
    passes = wb.create_sheet("R2年度")
    passes.append(list(PASS_HEADER))
    passes.append([1, 1, "山田 太郎", None, datetime.date(2020, 4, 1), "本課", "窓口", "新規"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.slow
def test_a_workbook_of_200000_rows_is_read_by_default():
    assert ROWS < DEFAULT_MAX_ROWS
    data = _large_workbook()
    started = time.perf_counter()
    ledger = read_ledger(data)
    seconds = time.perf_counter() - started
    assert ledger.errors == ()
    assert len(ledger.people) == ROWS
    summary = ledger.sheet("対象者")
    assert (summary.header_row, summary.rows_read, summary.rows_taken) == (2, ROWS, ROWS)
    last = ledger.people[-1]
    assert (last.row, last.resident_no, last.kana, last.sex) == (
        ROWS + 2,
        f"{ROWS:010d}",
        "ヤマダ タロウ",
        2,
    )
    assert ledger.people[0].birth_date == datetime.date(1950, 1, 1)
    assert [p.kind for p in ledger.passes] == ["new"]
    # Generous: about 4 s on the development machine's two shared cores.
    assert seconds < 30, seconds
