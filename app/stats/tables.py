"""The report as titled tables — the same tables on the screen, in the PDF and
as the sheets of the workbook — and the seed's sentence.

A :class:`Table` has a title, a header and rows whose last cells are counts.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from app.files.tables import Sheet
from app.residents.models import EXCLUSION_REASONS
from app.text.wareki import format_fiscal_year, format_wareki
from app.web.labels import MAIL_STOP_REASONS


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def _labels() -> dict[str, str]:
    """Words for the codes of the report: the screens' own (app.web.labels)
    where they exist, the few that only the statistics have here."""
    from app.web import labels

    found = {
        code: str(word)
        for table in (labels.METHODS, labels.ISSUANCE_KINDS, labels.EXCLUSION_REASONS)
        for code, word in table.items()
    }
    found.update(
        reissue_lost=_("Reissue (lost)"),
        reissue_damaged=_("Reissue (damaged)"),
        under_60=_("Under 60"),
        continuing=_("Continuing (held one last year)"),
        turned_60=_("Turned 60"),
        moved_in=_("Moved in"),
        category_gained=_("Category gained"),
        other_new=_("Other new holders"),
    )
    return found


def _label(code: str, labels: dict[str, str]) -> str:
    if code.endswith("+") and code[:-1].isdigit():
        return _("%(low)s years and over") % {"low": code[:-1]}
    low, _dash, high = code.partition("-")
    if low.isdigit() and high.isdigit():
        return _("%(low)s to %(high)s years") % {"low": low, "high": high}
    return labels.get(code, code)


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return (
        format_wareki(datetime.date(int(year), int(month), 1)).split("年")[0] + f"年{int(month)}月"
    )


def seed_table(report: dict[str, Any]) -> Table:
    e, p = report["eligible"], report["passes"]
    h = report["breakdowns"]["holders"]
    return Table(
        "summary",
        _("Program figures"),
        [_("Item"), _("Total"), _("Aged 60 or more"), _("Disability / child allowance")],
        [
            [_("Eligible people (people)"), e["total"], e["aged_60_plus"], e["disability_child"]],
            [_("Passes issued (passes)"), p["issued"], p["aged_60_plus"], p["disability_child"]],
            [_("Pass holders (people)"), h["people"], h["aged_60_plus"], h["disability_child"]],
        ],
    )


def _simple(key: str, title: str, first: str, counts: dict[str, int], labels: dict) -> Table:
    rows = [[_label(code, labels), n] for code, n in counts.items()]
    return Table(key, title, [first, _("Count")], rows)


def _categories_table(cats: dict[str, int]) -> Table:
    return Table(
        "categories",
        _("Eligible people by category (overlapping)"),
        [_("Category"), _("People")],
        [
            [_("Elderly"), cats["elderly"]],
            [_("Disability handbook"), cats["disabled"]],
            [_("Child-rearing allowance"), cats["child_allowance"]],
        ],
    )


def _comparison_table(years: list[dict[str, Any]]) -> Table:
    return Table(
        "comparison",
        _("The same date of earlier years"),
        [_("Fiscal year"), _("As of"), _("Passes issued")],
        [
            [
                format_fiscal_year(c["fiscal_year"]),
                format_wareki(datetime.date.fromisoformat(c["as_of"])),
                c["issued"],
            ]
            for c in years
        ],
    )


def report_tables(report: dict[str, Any], offices: dict[str, str]) -> list[Table]:
    """Every table of the report, in the order the screen shows them.

    :param offices: office code → name.
    """
    labels = _labels()
    p, b = report["passes"], report["breakdowns"]
    tables = [
        seed_table(report),
        _categories_table(report["eligible"]["categories"]),
        Table(
            "by_office",
            _("Passes by office"),
            [_("Office"), _("Count")],
            [[offices.get(code, code), n] for code, n in p["by_office"].items()],
        ),
        _simple("by_method", _("Passes by method"), _("Method"), p["by_method"], labels),
        _simple("by_kind", _("Passes by kind"), _("Kind"), p["by_kind"], labels),
        Table(
            "by_month",
            _("Passes by month of issue"),
            [_("Month"), _("Count")],
            [[_month_label(m), n] for m, n in p["by_month"].items()],
        ),
        _simple("by_age_band", _("Passes by age band"), _("Age"), b["by_age_band"], labels),
        _simple("how_came", _("Holders by how they came"), _("How"), b["how_came"], labels),
        Table(
            "returns",
            _("Returns and resends"),
            [_("Item"), _("Count")],
            [
                [_("Returned"), report["returns"]["returned"]],
                [_("Resent"), report["returns"]["resent"]],
            ],
        ),
        Table(
            "exclusions",
            _("Exclusions in the fiscal year by reason"),
            [_("Reason"), _("People")],
            [[_label(r, labels), b["exclusions"].get(r, 0)] for r in EXCLUSION_REASONS],
        ),
    ]
    if b["mail_stops"] is not None:
        stop_labels = {**labels, **{k: str(v) for k, v in MAIL_STOP_REASONS.items()}}
        tables.append(
            _simple(
                "mail_stops", _("Mail stops by reason"), _("Reason"), b["mail_stops"], stop_labels
            )
        )
    tables.append(_comparison_table(report["comparison"]))
    return tables


def _n(value: int) -> str:
    return f"{value:,}"


def seed_sentence(report: dict[str, Any]) -> str:
    """The seed's wording: 「事業対象者合計 … 名（内訳 …）・入浴証交付枚数 … 枚（内訳 …）（… 現在）」."""
    e, p = report["eligible"], report["passes"]
    day = format_wareki(datetime.date.fromisoformat(report["as_of"]))
    return (
        f"事業対象者合計 {_n(e['total'])} 名（内訳 60 歳以上：{_n(e['aged_60_plus'])} 名、"
        f"障害・児童：{_n(e['disability_child'])} 名）・入浴証交付枚数 {_n(p['issued'])} 枚"
        f"（内訳 60 歳以上：{_n(p['aged_60_plus'])} 枚、障害・児童：{_n(p['disability_child'])} 枚）"
        f"（{day}現在）"
    )


def title_lines(report: dict[str, Any], office_name: str | None = None) -> list[str]:
    day = format_wareki(datetime.date.fromisoformat(report["as_of"]))
    lines = [
        _("Bath pass program figures, %(year)s, as of %(day)s")
        % {"year": format_fiscal_year(report["fiscal_year"]), "day": day}
    ]
    if office_name:
        lines.append(_("Office: %(name)s") % {"name": office_name})
    return lines


def sheets(tables: list[Table], titles: list[str]) -> Iterator[Sheet]:
    """One sheet per table: title lines, header, rows; counts as #,##0."""
    for table in tables:
        count_columns = [i for i, name in enumerate(table.header) if i > 0 and _is_count(table, i)]
        yield Sheet(
            title=table.title,
            header=table.header,
            rows=table.rows,
            column_widths=[34] + [16] * (len(table.header) - 1),
            title_rows=[*titles, table.title],
            number_formats={i: "#,##0" for i in count_columns},
        )


def _is_count(table: Table, index: int) -> bool:
    return all(isinstance(row[index], int) for row in table.rows) if table.rows else True
