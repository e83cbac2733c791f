"""A dummy Excel ledger (エクセル台帳) to rehearse the go-live migration (``flask demo-ledger``).

The workbook of excel-ledger.md, faults included in small proportions: on 対象者 the
people of ``flask demo-extract`` with the same count and seed, so that an import after
that extract matches them, and about 3 % former residents it no longer has (older
registrations, numbered from 0, who moved out or died); a sheet per fiscal year with
the passes :func:`app.demo.passes.plan_history` plans; 集計, which the reader ignores.
"""

import datetime
import io
import random
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

import jaconv
import openpyxl
from openpyxl.utils import get_column_letter

from app import clock
from app.demo.passes import plan_history
from app.demo.people import generate_people
from app.ledger.cells import CellError
from app.ledger.codes import OfficeResolver, default_offices
from app.ledger.passes import PASS_COLUMNS
from app.ledger.people import PEOPLE_COLUMNS, PEOPLE_SHEET
from app.ledger.rows import ColumnSpec
from app.text.wareki import fiscal_year_of, fiscal_year_start, format_fiscal_year, to_wareki

__all__ = ["FORMER_RATIO", "IGNORED_SHEET", "build_demo_ledger"]

Record = dict[str, Any]
# (probability, fault counted, how the clerk spelt the value)
Spellings = Sequence[tuple[float, str, Callable[[Any], Any]]]

FORMER_RATIO = 0.03
IGNORED_SHEET = "集計"
# Share of the former residents whose leaving the clerks wrote down.
_FORMER_RECORDED = 0.6
_EXCLUSION_TEXTS = ("転出", "死亡", "資格喪失", "転出 大阪市へ", "職権消除", "その他")
_EXCLUSION_WEIGHTS = (40, 35, 10, 5, 5, 5)
_MAIL_REASONS = {"facility": "施設入所", "family": "家族方", "other": "その他"}
_CATEGORY_WORDS = (("is_elderly", "高齢"), ("is_disabled", "障害"), ("is_child_allowance", "児童"))
_REISSUE_WORDS = {
    "lost": ("再交付（紛失）", "再交付(紛失)", "再(紛)"),
    "damaged": ("再交付（汚損）", "再交付(汚損)", "再(汚)"),
}
_RETURN_NOTES = ("あて所不明", "転居先不明", "受取拒否", "保管期間経過")
_PASS_NOTES = ("代理人（長女）受領", "電話で再送の依頼あり", "施設職員が来庁")
_UNKNOWN_OFFICES = ("保健センター", "区民ホール", "出張窓口", "本所")
_IMPOSSIBLE_BIRTHS = ("S64.1.8", "昭和64年1月8日", "S64.2.1")
_DATE_FORMS = {
    "letter": "{L}{y}.{m}.{d}",
    "kanji": "{E}{y}年{m}月{d}日",
    "slash": "{L}{y}/{m}/{d}",
    "short": "{e}{y}.{m}.{d}",
    "fullwidth": "{L}{y}.{m}.{d}",
    "western": "{Y}/{m}/{d}",
    "iso": "{Y}-{m:02d}-{d:02d}",
}
_DATE_WEIGHTS = (50, 25, 8, 7, 5, 3, 2)
# Rows per planted row fault of each kind (at least one a sheet) and per blank row.
_ROWS_PER_FAULT = 25_000
_PEOPLE_PER_FAULT = 30_000
_ROWS_PER_BLANK = 3_000


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _hyphenated(code: str) -> str:
    return f"{code[:3]}-{code[3:]}"


_NAME_SPELLINGS: Spellings = (
    (0.12, "name_halfwidth_space", lambda name: name.replace("\u3000", " ")),
    (0.05, "name_without_space", lambda name: name.replace("\u3000", "")),
    (0.04, "name_trailing_space", lambda name: name + "\u3000 "),
)
_KANA_SPELLINGS: Spellings = (
    (0.25, "kana_hiragana", jaconv.kata2hira),
    (0.12, "kana_halfwidth", lambda kana: jaconv.z2h(kana, kana=True, ascii=False, digit=False)),
)
_RESIDENT_NO_SPELLINGS: Spellings = (
    (0.3, "resident_no_number", int),
    (0.03, "resident_no_fullwidth", _fullwidth),
)
_POSTAL_SPELLINGS: Spellings = (
    (0.15, "postal_without_hyphen", str),
    (0.15, "postal_mark", lambda code: "〒" + _hyphenated(code)),
    (0.1, "postal_number", int),
)
_CONTROL_NO_SPELLINGS: Spellings = (
    (0.01, "control_no_text", str),
    (0.01, "control_no_fullwidth", lambda number: _fullwidth(str(number))),
)


def _resolves(resolver: OfficeResolver, text: str, code: str) -> bool:
    try:
        return resolver.resolve(text) == code
    except CellError:
        return False


def _office_spellings() -> dict[str, tuple[str, list[str]]]:
    """Per office code: its official name and the short forms clerks write."""
    offices = default_offices()
    resolver = OfficeResolver(offices)
    spellings = {}
    for office in offices:
        base = office.name.removesuffix("特別出張所")
        forms = [base, base + "特出", base + "出張所", base[0] + base[-1]]
        if office.is_headquarters:
            forms = ["地域包括", "本庁", "本課"]
        # Only forms the reader takes for this office (the two-character one is for
        # the numbered branches): an unknown office is planted, never written by chance.
        short = [f for f in dict.fromkeys(forms) if _resolves(resolver, f, office.code)]
        spellings[office.code] = (office.name, short)
    return spellings


class _Sheet:
    """A write-only worksheet; ``append`` gives the row's number (Excel's, from 1)."""

    def __init__(self, workbook: openpyxl.Workbook, name: str) -> None:
        self.ws = workbook.create_sheet(name)
        self.name = name
        self.rows = 0

    def append(self, cells: Sequence[object]) -> int:
        self.ws.append(cells)
        self.rows += 1
        return self.rows


class _Clerk:
    """The seeded draws that write each cell as some clerk did, counting every fault,
    and who already has a pass the reader takes.  One generator drawn in a fixed
    order, so that a seed gives one workbook."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"fureai-demo-ledger-{seed}")
        self.faults: Counter[str] = Counter()
        self.rejects: list[Record] = []
        self.offices = _office_spellings()
        self.seen: set[int] = set()
        self.taken: dict[str, Counter[str]] = {f: Counter() for f in ("kind", "method", "office")}

    def chance(self, probability: float, fault: str) -> bool:
        if self.rng.random() < probability:
            self.faults[fault] += 1
            return True
        return False

    def spell(self, value: Any, spellings: Spellings, usual: Callable[[Any], Any] = str) -> Any:
        """``value`` in one of the faulty spellings drawn, else as ``usual`` writes it."""
        if value is None or value == "":
            return None
        roll = self.rng.random()
        for probability, fault, spelling in spellings:
            if roll < probability:
                self.faults[fault] += 1
                return spelling(value)
            roll -= probability
        return usual(value)

    def reject(self, sheet: _Sheet, row: int, column: str, code: str) -> None:
        self.rejects.append({"sheet": sheet.name, "row": row, "column": column, "code": code})

    def take(self, planned: Record) -> None:
        self.seen.add(planned["person"])
        for field, counter in self.taken.items():
            counter[planned[field]] += 1

    def resident_no(self, number: str) -> object:
        cell = self.spell(number, _RESIDENT_NO_SPELLINGS)
        if isinstance(cell, int) and number.startswith("0"):
            self.faults["resident_no_zeros_lost"] += 1
        return cell

    def date(self, day: datetime.date | None, text_rate: float) -> object:
        if day is None or self.rng.random() >= text_rate:
            return day
        return self.date_text(day)

    def date_text(self, day: datetime.date) -> str:
        """The date typed as text, in one of the clerks' ways."""
        style = self.rng.choices(tuple(_DATE_FORMS), _DATE_WEIGHTS)[0]
        self.faults[f"date_text_{style}"] += 1
        era, year = to_wareki(day)
        form = _DATE_FORMS[style]
        gannen = year == 1 and "{y}" in form and self.chance(0.7, "date_text_gannen")
        fields = {"L": era.letter, "E": era.name, "e": era.short_name, "Y": day.year}
        text = form.format(y="元" if gannen else year, m=day.month, d=day.day, **fields)
        return _fullwidth(text) if style == "fullwidth" else text

    def method(self, method: str) -> str | None:
        if method == "mail":
            return "郵" if self.chance(0.15, "method_short") else "郵送"
        if self.chance(0.15, "method_blank"):
            return None
        return "窓" if self.chance(0.1, "method_short") else "窓口"

    def categories(self, person: Record) -> str:
        words = [word for flag, word in _CATEGORY_WORDS if person[flag]]
        multiple = len(words) > 1 and self.chance(0.5, "category_separator")
        return (self.rng.choice(("/", "、", " ")) if multiple else "・").join(words)

    def office(self, code: str) -> str:
        official, short = self.offices[code]
        return self.rng.choice(short) if short and self.chance(0.7, "office_short") else official

    def kind(self, planned: Record, first_taken: bool, blank_rate: float) -> str | None:
        if planned["kind"] == "reissue":
            word = self.rng.choice(_REISSUE_WORDS[planned["reissue_reason"]])
            self.faults["kind_short"] += word.startswith("再(")
            return word
        # Blank only where the reader's rule (new for a person's first pass taken,
        # renewal after) gives back the planned kind.
        if (planned["kind"] == "new") == first_taken and self.chance(blank_rate, "kind_blank"):
            return None
        return "新規" if planned["kind"] == "new" else "更新"

    def returned(self, day: datetime.date | None, text_rate: float) -> object:
        if day is not None and self.chance(0.3, "return_note"):
            return f"{self.date_text(day)} {self.rng.choice(_RETURN_NOTES)}"
        return self.date(day, text_rate)

    def header(self, specs: Sequence[ColumnSpec], move_rate: float) -> tuple[list, list]:
        """The sheet's columns, moved about by the clerks at times, and their header."""
        columns = [spec.header for spec in specs]
        moved = self.chance(move_rate, "moved_columns_sheets")
        while moved and columns == [spec.header for spec in specs]:
            column = columns.pop(self.rng.randrange(len(columns)))
            columns.insert(self.rng.randrange(len(columns) + 1), column)
        aliases = {spec.header: spec.aliases for spec in specs if spec.aliases}
        texts = []
        for column in columns:
            text = column
            if column in aliases and self.chance(0.25, "header_alias"):
                text = self.rng.choice(aliases[column])
            if len(text) > 1 and self.chance(0.15, "header_spacing"):
                cut = self.rng.randrange(1, len(text))
                text = text[:cut] + self.rng.choice((" ", "\u3000", "\n")) + text[cut:]
            texts.append(text)
        return columns, texts

    def start(self, sheet: _Sheet, title: str, specs: Sequence[ColumnSpec], move_rate: float):
        """Write the title rows (a merged title cell) and the header; return the columns."""
        columns, header = self.header(specs, move_rate)
        width = len(columns)
        sheet.ws.merged_cells.add(f"A1:{get_column_letter(width)}1")
        sheet.append([title])
        self.faults["merged_titles"] += 1
        for _ in range(self.rng.randint(0, 2)):
            sheet.append([] if self.rng.random() < 0.5 else [None] * (width - 2) + ["地域包括"])
        self.faults["title_rows"] += sheet.rows
        sheet.append(header)
        return columns

    def blank_row(self, sheet: _Sheet, width: int) -> None:
        spaces = self.chance(0.2, "blank_rows_with_spaces")
        sheet.append([None] * self.rng.randrange(width) + ["\u3000"] if spaces else [])

    def sample(self, rows: int, count: int) -> list[int]:
        return self.rng.sample(range(rows), min(rows, count))


def _former_people(count: int, seed: int, first_fy: int, today: datetime.date, rng):
    """People the extract no longer has, numbered below it: ``left_on`` the day they left,
    ``exclusion`` what the clerks wrote of it (``None`` when nothing)."""
    reference = fiscal_year_start(fiscal_year_of(today))
    former = generate_people(count, seed=f"fureai-demo-former-{seed}", reference=reference)
    earliest = fiscal_year_start(first_fy) - datetime.timedelta(days=730)
    number = 900_000_000 + rng.randrange(1000) * 10_000
    for person in former:
        number += rng.randint(1, 9)
        text = rng.choices(_EXCLUSION_TEXTS, _EXCLUSION_WEIGHTS)[0]
        person.update(
            resident_no=f"{number:010d}",
            left_on=earliest + datetime.timedelta(days=rng.randrange((today - earliest).days)),
            exclusion=text if rng.random() < _FORMER_RECORDED else None,
        )
    return former


def _plan(count: int, seed: int, years: int, today: datetime.date, rng: random.Random, holders=1.0):
    """Everyone on 対象者 (the extract's people first), their extras, the passes
    (of a ``holders`` share of the people only: a benchmark's volume)."""
    reference = fiscal_year_start(fiscal_year_of(today))
    first_fy = fiscal_year_of(today) - years + 1
    everyone = generate_people(count, seed=seed, reference=reference)
    everyone += _former_people(max(1, round(count * FORMER_RATIO)), seed, first_fy, today, rng)
    offices = sorted(default_offices(), key=lambda o: (not o.is_headquarters, o.code))
    extras, plan = plan_history(everyone, [o.code for o in offices], today, seed, years)
    pick, passes = random.Random(f"holders-{seed}"), []
    kept = {i for i in range(len(everyone)) if holders >= 1 or pick.random() < holders}
    for planned in plan:
        left_on = everyone[planned["person"]].get("left_on", datetime.date.max)
        if planned["issued_on"] < left_on and planned["person"] in kept:
            passes.append(planned)
            if planned["resent_on"] and planned["resent_on"] >= left_on:
                planned["resent_on"] = None
    return everyone, extras, passes


def _person_cells(clerk: _Clerk, person: Record, extra: Record) -> Record:
    postal, mail_postal = person["postal_code"], extra.get("mail_postal_code")
    cells = {
        "住民番号": clerk.resident_no(person["resident_no"]),
        "氏名": clerk.spell(person["name"], _NAME_SPELLINGS),
        "ふりがな": clerk.spell(person["kana"], _KANA_SPELLINGS),
        "性別": person["sex"] if clerk.chance(0.2, "sex_digit") else "男女"[person["sex"] - 1],
        "生年月日": clerk.date(person["birth_date"], 0.4),
        "郵便番号": clerk.spell(postal, _POSTAL_SPELLINGS, _hyphenated),
        "住所": person["address"],
        "方書": person["address2"] or None,
        "電話番号": person["phone"] or None,
        "区分": clerk.categories(person),
        "送付先宛名": extra.get("mail_name"),
        "送付先郵便番号": clerk.spell(mail_postal, _POSTAL_SPELLINGS, _hyphenated),
        "送付先住所": extra.get("mail_address"),
        "送付先事由": _MAIL_REASONS.get(extra.get("mail_reason", "")),
        "備考": extra.get("note"),
    }
    if person.get("exclusion"):
        cells["除外日"] = clerk.date(person["left_on"], 0.3)
        cells["除外事由"] = person["exclusion"]
    return cells


def _write_people(workbook, clerk: _Clerk, everyone, extras, count: int) -> Record:
    sheet = _Sheet(workbook, PEOPLE_SHEET)
    columns = clerk.start(sheet, "ふれあい入浴証 対象者台帳", PEOPLE_COLUMNS, 0.5)
    total = len(everyone)
    # Former residents sit among the others, where the clerks entered them.
    former_at = set(clerk.sample(total, total - count))
    current, former = iter(range(count)), iter(range(count, total))
    order = [next(former if p in former_at else current) for p in range(total)]
    impossible = set(clerk.sample(count, 1 + count // _PEOPLE_PER_FAULT))
    blank_at = set(clerk.sample(total, 1 + total // _ROWS_PER_BLANK))
    for position, index in enumerate(order):
        if position in blank_at:
            clerk.blank_row(sheet, len(columns))
        cells = _person_cells(clerk, everyone[index], extras[index])
        if index in impossible:
            cells["生年月日"] = clerk.rng.choice(_IMPOSSIBLE_BIRTHS)
        row = sheet.append([cells.get(column) for column in columns])
        if index in impossible:
            clerk.reject(sheet, row, "生年月日", "date_out_of_era")
    return {"rows": total, "blank_rows": len(blank_at)}


def _pass_cells(clerk: _Clerk, planned: Record, person: Record, rates, first_taken) -> Record:
    text_rate, blank_rate = rates
    applied, issued = planned["applied_on"], planned["issued_on"]
    if applied == issued and clerk.chance(0.1, "applied_blank"):
        applied = None
    return {
        "住民番号": clerk.resident_no(person["resident_no"]),
        "氏名": clerk.spell(person["name"], _NAME_SPELLINGS),
        "申請日": clerk.date(applied, text_rate),
        "交付日": clerk.date(issued, text_rate),
        "交付場所": clerk.office(planned["office"]),
        "交付方法": clerk.method(planned["method"]),
        "種別": clerk.kind(planned, first_taken, blank_rate),
        "返戻日": clerk.returned(planned["returned_on"], text_rate),
        "再送日": clerk.date(planned["resent_on"], text_rate),
        "備考": clerk.rng.choice(_PASS_NOTES) if clerk.rng.random() < 0.005 else None,
    }


def _pass_row(clerk: _Clerk, sheet: _Sheet, columns, planned, person, number, fault, rates):
    """Write one pass, and its pasted copy when planted; return the rows written."""
    first_taken = fault in (None, "copy") and planned["person"] not in clerk.seen
    cells = _pass_cells(clerk, planned, person, rates, first_taken)
    cells["整理番号"] = clerk.spell(number, _CONTROL_NO_SPELLINGS, int)
    if fault == "office_unknown":
        cells["交付場所"] = clerk.rng.choice(_UNKNOWN_OFFICES)
    elif fault == "missing":
        cells["交付日"] = None
    elif planned["returned_on"] and not clerk.faults["return_undated"]:
        # Once, the return written without its date: a notice, not a rejection.
        clerk.faults["return_undated"] += 1
        cells["返戻日"] = "返戻"
    values = [cells.get(column) for column in columns]
    row = sheet.append(values)
    if fault in ("office_unknown", "missing"):
        clerk.reject(sheet, row, "交付場所" if fault == "office_unknown" else "交付日", fault)
        return 1
    clerk.take(planned)
    if fault != "copy":
        return 1
    # The later of two equal rows is rejected; the clerks' count has both.
    clerk.reject(sheet, sheet.append(values), "整理番号", "duplicate_control_no")
    return 2


def _write_year(workbook, clerk: _Clerk, name: str, fiscal_year: int, passes, everyone, plot):
    """A fiscal year's sheet; ``plot`` says if its columns are moved, its total wrong."""
    rng = clerk.rng
    sheet = _Sheet(workbook, name)
    title = f"{format_fiscal_year(fiscal_year)} ふれあい入浴証交付台帳"
    columns = clerk.start(sheet, title, PASS_COLUMNS, 1.0 if plot["moved"] else 0.0)
    per_kind = 1 + len(passes) // _ROWS_PER_FAULT
    picks = clerk.sample(len(passes), 3 * per_kind)
    kinds = ("office_unknown", "missing", "copy")
    faults = {pick: kinds[i // per_kind] for i, pick in enumerate(picks)}
    rates = (rng.choice((0.02, 0.08, 0.2)), rng.choice((0.0, 0.2, 0.5)))
    blank_at = set(clerk.sample(len(passes), 1 + len(passes) // _ROWS_PER_BLANK))
    rows = 0
    for index, planned in enumerate(passes):
        if index in blank_at:
            clerk.blank_row(sheet, len(columns))
        person = everyone[planned["person"]]
        fault = faults.get(index)
        rows += _pass_row(clerk, sheet, columns, planned, person, index + 1, fault, rates)
    sheet.append([])
    total = max(0, rows + rng.choice((-3, -2, -1, 1, 2, 5))) if plot["wrong"] else rows
    label = "計" if clerk.chance(0.3, "total_label_short") else "合計"
    written = f"{total:,}件" if clerk.chance(0.3, "total_as_text") else total
    sheet.append([label] + [None] * rng.randint(0, 2) + [written])
    return dict(fiscal_year=fiscal_year, rows=rows, blank_rows=len(blank_at) + 1, total=total)


def _sheet_name(fiscal_year: int, style: int) -> str:
    era, year = to_wareki(datetime.date(fiscal_year, 10, 1))
    spelt = "元" if year == 1 else year
    names = (f"{era.letter}{year}年度", f"{era.letter}{year:02d}年度", f"{era.name}{spelt}年度")
    return names[style]


def _write_years(workbook, clerk: _Clerk, everyone, passes, years: int, today):
    """The fiscal-year sheets, their names spelt in turn three ways, and 集計."""
    current = fiscal_year_of(today)
    by_year: dict[int, list[Record]] = {fy: [] for fy in range(current - years + 1, current + 1)}
    for planned in passes:
        by_year[planned["fiscal_year"]].append(planned)
    offset = clerk.rng.randrange(3)
    wrong = clerk.rng.choice(list(by_year))
    moved = set(clerk.sample(years, max(1, years // 2)))
    sheets, wrong_name = {}, ""
    for index, (fy, planned) in enumerate(by_year.items()):
        name = _sheet_name(fy, (index + offset) % 3)
        plot = {"moved": index in moved, "wrong": fy == wrong}
        sheets[name] = _write_year(workbook, clerk, name, fy, planned, everyone, plot)
        wrong_name = name if fy == wrong else wrong_name
    tally = workbook.create_sheet(IGNORED_SHEET)
    tally.append(["年度", "件数"])
    for name, sheet in sheets.items():
        tally.append([name, sheet["total"]])
    return sheets, wrong_name


def build_demo_ledger(
    count: int, seed: int = 0, years: int = 5, today: datetime.date | None = None, holders=1.0
) -> tuple[bytes, dict[str, Any]]:
    """The dummy ledger workbook (.xlsx bytes) and what was planted in it.

    :param count: the people of ``flask demo-extract --residents count``.
    :param seed: the extract's seed; the same seed gives the same workbook.
    :param years: fiscal-year sheets, the current one (that of ``today``) last.
    :param today: the last day anything happens on; the clock's today by default.
    :param holders: the share of people whose passes are written (benchmarks).
    :returns: ``(data, summary)``: ``people``, ``passes`` (data rows written),
        ``extract_people``, ``former_people``, ``former_recorded`` (with 除外日),
        ``sheets`` (in order: ``rows``, ``blank_rows``, ``fiscal_year``, ``total``
        the clerks' 合計), ``wrong_total`` (its sheet), ``faults`` (spellings the
        reader must take → count), ``rejects`` (rows it must reject: ``sheet``,
        ``row``, ``column``, ``code``), ``rejected`` (code → count), ``taken``
        (``kind``, ``method``, ``office`` of the pass rows to take → count).
    """
    today = today or clock.today()
    clerk = _Clerk(seed)
    everyone, extras, passes = _plan(count, seed, years, today, clerk.rng, holders)
    workbook = openpyxl.Workbook(write_only=True)
    people = _write_people(workbook, clerk, everyone, extras, count)
    sheets, wrong_total = _write_years(workbook, clerk, everyone, passes, years, today)
    out = io.BytesIO()
    workbook.save(out)
    former = everyone[count:]
    summary = {
        "people": people["rows"],
        "extract_people": count,
        "former_people": len(former),
        "former_recorded": sum(1 for person in former if person["exclusion"]),
        "passes": sum(sheet["rows"] for sheet in sheets.values()),
        "sheets": {PEOPLE_SHEET: people, **sheets, IGNORED_SHEET: {"ignored": True}},
        "wrong_total": wrong_total,
        "faults": {fault: n for fault, n in sorted(clerk.faults.items()) if n},
        "rejects": clerk.rejects,
        "rejected": dict(sorted(Counter(r["code"] for r in clerk.rejects).items())),
        "taken": {key: dict(sorted(counter.items())) for key, counter in clerk.taken.items()},
    }
    return out.getvalue(), summary
