"""Excel ledger benchmark: reading the go-live workbook (app.ledger.reader).

Builds, with openpyxl in write-only mode and a fixed seed, a dummy ledger of
90,000 people (対象者) and five fiscal-year sheets (H28年度 … R2年度) holding
130,000 passes in all, laid out as the clerks did (title row, header, mixed
spellings: number and text 住民番号, three kana forms, date cells and 和暦
text, office abbreviations, blank 種別, a total row).  Then measures, each in
a fresh process:

* **reader**: :func:`app.ledger.read_ledger` end to end — file checks, zip
  scan, calamine, every row converted and checked, blank 種別 decided;
* **calamine rows**: python-calamine alone, every row of the same six sheets
  turned into Python lists (the floor for any calamine-based reader);
* **openpyxl rows**: openpyxl ``load_workbook(read_only=True)`` and
  ``iter_rows(values_only=True)`` over the same sheets, for comparison.

Peak memory is the process's VmHWM (``ru_maxrss`` where /proc is missing),
with the same figure just after the imports for reference.

Usage: ``.venv/bin/python bench/ledger_read.py [--people N] [--passes N]
[--repeat N] [--keep PATH]``.
"""

import argparse
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


SEED = 20260401
FISCAL_YEARS = (
    (2016, "H28年度"),
    (2017, "H29年度"),
    (2018, "平成30年度"),
    (2019, "R1年度"),
    (2020, "R2年度"),
)
# Dummy names with their readings: "surname:kana".
SURNAMES = tuple(
    tuple(pair.split(":"))
    for pair in [
        "佐藤:さとう",
        "鈴木:すずき",
        "高橋:たかはし",
        "田中:たなか",
        "伊藤:いとう",
        "渡辺:わたなべ",
        "山本:やまもと",
        "中村:なかむら",
        "小林:こばやし",
        "加藤:かとう",
        "吉田:よしだ",
        "山田:やまだ",
        "佐々木:ささき",
        "髙橋:たかはし",
        "山﨑:やまざき",
    ]
)
GIVEN = tuple(
    tuple(pair.split(":"))
    for pair in [
        "太郎:たろう",
        "花子:はなこ",
        "一郎:いちろう",
        "幸子:さちこ",
        "清:きよし",
        "和子:かずこ",
        "茂:しげる",
        "節子:せつこ",
        "勇:いさむ",
        "久子:ひさこ",
    ]
)
OFFICES = (
    "本課",
    "地域包括",
    "地域包括ケア推進課",
    "本庁",
    "四谷特出",
    "箪笥町",
    "榎町特別出張所",
    "若松町",
    "大久保",
    "戸塚特出",
    "落一",
    "落合第二",
    "柏木",
    "角筈特別出張所",
)


# -- building the workbook ------------------------------------------------------------


def _kana(reading, rng):
    import jaconv

    form = rng.random()
    if form < 0.5:
        return jaconv.hira2kata(reading)
    if form < 0.8:
        return reading
    return jaconv.z2h(jaconv.hira2kata(reading), kana=True, ascii=False, digit=False)


def _wareki_text(day, rng):
    from app.text.wareki import to_wareki

    era, year = to_wareki(day)
    if rng.random() < 0.5:
        return f"{era.letter}{year}.{day.month}.{day.day}"
    return f"{era.name}{year}年{day.month}月{day.day}日"


def _person_row(index, rng):
    surname, given = rng.choice(SURNAMES), rng.choice(GIVEN)
    number = 100_000_000 + index * 7
    birth = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(365 * 40))
    excluded = rng.random() < 0.15
    return [
        number if rng.random() < 0.7 else f"{number:010d}",
        f"{surname[0]}{rng.choice((' ', '　', ''))}{given[0]}",
        f"{_kana(surname[1], rng)} {_kana(given[1], rng)}",
        rng.choice(("男", "女", 1, 2)),
        birth if rng.random() < 0.8 else _wareki_text(birth, rng),
        rng.choice(("160-0022", "1690072", 1620052, "〒161-0033")),
        f"東京都新宿区ダミー町{rng.randrange(1, 9)}-{rng.randrange(1, 30)}-{rng.randrange(1, 20)}",
        rng.choice(("", "", "", "ダミー荘101")),
        f"03-0000-{rng.randrange(10000):04d}",
        rng.choice(("高齢", "高齢", "高齢", "高齢・障害", "障害", "児童")),
        datetime.date(2019, 3, 31) if excluded else None,
        rng.choice(("転出", "死亡", "資格喪失 施設へ")) if excluded else None,
        None,
        None,
        None,
        None,
        rng.choice((None, None, None, "ダミー備考")),
    ]


def _pass_rows(fiscal_year, count, people, rng):
    start = datetime.date(fiscal_year, 4, 1)
    for control_no in range(1, count + 1):
        person = rng.randrange(people)
        issued = start + datetime.timedelta(days=rng.randrange(360))
        applied = issued - datetime.timedelta(days=rng.randrange(3))
        returned = rng.random() < 0.01
        yield [
            control_no,
            100_000_000 + person * 7,
            "ダミー 氏名",
            applied if rng.random() < 0.9 else None,
            issued if rng.random() < 0.85 else _wareki_text(issued, rng),
            rng.choice(OFFICES),
            rng.choice(("窓口", "窓口", "郵送", "郵", None)),
            rng.choice((None, None, "新規", "更新", "再交付（紛失）")),
            f"{_wareki_text(issued + datetime.timedelta(days=9), rng)} あて所不明"
            if returned
            else None,
            None,
            None,
        ]


def _headers():
    """The reader's own column tables (imported here, not at the top: the raw
    calamine and openpyxl measurements must not pay for importing the app)."""
    from app.ledger.passes import PASS_COLUMNS
    from app.ledger.people import PEOPLE_COLUMNS

    people = [spec.header for spec in PEOPLE_COLUMNS]
    # 交付場所 with the line break clerks put in the header cell.
    passes = ["交付\n場所" if spec.header == "交付場所" else spec.header for spec in PASS_COLUMNS]
    return people, passes


def build(path, people, passes, seed=SEED):
    """Write the dummy ledger to ``path``; returns the sheets' data row counts."""
    import openpyxl

    rng = random.Random(seed)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("対象者")
    ws.append(["ふれあい入浴証 対象者台帳（ダミー）"])
    ws.append([])
    people_header, pass_header = _headers()
    ws.append(people_header)
    for index in range(people):
        ws.append(_person_row(index, rng))
    counts = {"対象者": people}
    per_year = [passes // len(FISCAL_YEARS)] * len(FISCAL_YEARS)
    per_year[-1] += passes - sum(per_year)
    for (fiscal_year, name), count in zip(FISCAL_YEARS, per_year, strict=True):
        ws = wb.create_sheet(name)
        ws.append([f"{name} ふれあい入浴証交付台帳（ダミー）"])
        ws.append(pass_header)
        for row in _pass_rows(fiscal_year, count, people, rng):
            ws.append(row)
        ws.append([])
        ws.append(["合計", count])
        counts[name] = count
    ws = wb.create_sheet("集計")
    ws.append(["年度", "件数"])
    wb.save(path)
    return counts


# -- the measuring process ------------------------------------------------------------


def _peak_mb():
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sheet_names():
    return ["対象者", *(name for _, name in FISCAL_YEARS)]


def _measure(mode, path):
    if mode == "reader":
        from app.ledger import read_ledger
    elif mode == "calamine":
        import python_calamine
    else:
        import openpyxl
    baseline = _peak_mb()
    data = Path(path).read_bytes()
    started = time.perf_counter()
    cpu = time.process_time()
    if mode == "reader":
        ledger = read_ledger(data)
        rows = len(ledger.people) + len(ledger.passes)
        extra = {"errors": len(ledger.errors), "notices": len(ledger.notices)}
    elif mode == "calamine":
        workbook = python_calamine.CalamineWorkbook.from_filelike(__import__("io").BytesIO(data))
        rows = sum(
            sum(1 for _ in workbook.get_sheet_by_name(name).iter_rows()) for name in _sheet_names()
        )
        extra = {}
    else:
        workbook = openpyxl.load_workbook(
            __import__("io").BytesIO(data), read_only=True, data_only=True
        )
        rows = sum(
            sum(1 for _ in workbook[name].iter_rows(values_only=True)) for name in _sheet_names()
        )
        workbook.close()
        extra = {}
    result = {
        "mode": mode,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "rows": rows,
        "peak_mb": _peak_mb(),
        "baseline_mb": baseline,
        **extra,
    }
    print(json.dumps(result))


def _run(mode, path):
    command = [sys.executable, __file__, "--measure", mode, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _table(results, build_seconds, size, counts):
    people = counts["対象者"]
    passes = sum(counts.values()) - people
    lines = [
        f"workbook: {people:,} people, {passes:,} passes on {len(counts) - 1} fiscal-year"
        f" sheets; {size / 1e6:.1f} MB; built in {build_seconds:.1f} s",
        "",
        f"{'measurement':<34}{'wall s':>9}{'cpu s':>9}{'rows':>10}{'peak MB':>10}{'base MB':>10}",
    ]
    labels = {
        "reader": "reader (read_ledger, calamine)",
        "calamine": "calamine rows only",
        "openpyxl": "openpyxl read_only rows only",
    }
    for mode, runs in results.items():
        best = min(runs, key=lambda r: r["seconds"])
        lines.append(
            f"{labels[mode]:<34}{best['seconds']:>9.2f}{best['cpu_seconds']:>9.2f}{best['rows']:>10,}"
            f"{max(r['peak_mb'] for r in runs):>10.0f}{best['baseline_mb']:>10.0f}"
        )
    reader = min(results["reader"], key=lambda r: r["seconds"])
    lines += [
        "",
        f"reader: {reader['errors']} row errors, {reader['notices']} notices (expected: 0 errors)",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--people", type=int, default=90_000)
    parser.add_argument("--passes", type=int, default=130_000)
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per measurement (best wall time shown)"
    )
    parser.add_argument(
        "--keep", type=Path, help="save the workbook here instead of a temporary file"
    )
    parser.add_argument("--measure", nargs=2, metavar=("MODE", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        _measure(*args.measure)
        return
    with tempfile.TemporaryDirectory(prefix="ledger-bench-") as folder:
        path = args.keep or Path(folder) / "ledger.xlsx"
        started = time.perf_counter()
        counts = build(path, args.people, args.passes)
        build_seconds = time.perf_counter() - started
        results = {
            mode: [_run(mode, path) for _ in range(args.repeat)]
            for mode in ("reader", "calamine", "openpyxl")
        }
        print(_table(results, build_seconds, os.path.getsize(path), counts))


if __name__ == "__main__":
    main()
