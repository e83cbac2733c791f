"""The statistics screen (事業実績), its PDF report and Excel workbook.

Permission group ``Statistics``: ``can_read`` to see it, ``can_all_offices``
for the whole ward; without it (BranchStaff) the pass figures are those of
the user's own office, and asking for another office is refused in Japanese.
"""

import logging

from flask import g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.errors import DomainError, PermissionDenied
from app.exports.download import PDF, XLSX, download
from app.extensions import appbuilder
from app.files.tables import iter_xlsx
from app.letters.pdf import render_pdf
from app.stats import charts, services
from app.stats import tables as report_tables
from app.text.wareki import format_fiscal_year
from app.web.display import offices_by_id

log = logging.getLogger(__name__)


def _office_names():
    return {o.code: o.name for o in offices_by_id().values()}


def checked_request(as_of, fiscal_year, office_code, user):
    """The request of the form's values for ``user``.

    :raises DomainError: bad input; :class:`PermissionDenied` for a branch
        user asking for another office.
    """
    stats_request = services.parse_request(as_of, fiscal_year)
    if appbuilder.sm.has_access("can_all_offices", "Statistics"):
        return services.for_office(stats_request, office_code)
    own = getattr(getattr(user, "office", None), "code", None)
    limited = services.StatsRequest(
        stats_request.as_of, stats_request.fiscal_year, None, office_code or None
    )
    return services.limit_to_own_office(limited, own)


def _report_from_args():
    stats_request = checked_request(
        request.args.get("as_of"),
        request.args.get("fiscal_year"),
        request.args.get("office", "").strip(),
        g.user,
    )
    return stats_request, services.build_report(stats_request)


FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


def _cumulative(by_month):
    """Passes issued by the end of each month of the fiscal year, April first
    (a March mailing of the year before counts in April's figure)."""
    per_month = {int(key[5:]): 0 for key in by_month}
    for key, n in by_month.items():
        per_month[int(key[5:])] += n
    total, found = 0, []
    for month in FISCAL_MONTHS:
        total += per_month.get(month, 0)
        found.append(total)
    return found


def chart_svgs(report):
    """The monthly bars and the years compared as lines (cumulative passes by
    month of the fiscal year, one line per year, each up to its as-of date)."""
    months = list(report["passes"]["by_month"].items())
    bars = charts.bar_chart(
        _("Passes by month of issue"), [(f"{int(m[5:])}月", n) for m, n in months]
    )
    years = report["comparison"]
    lines = charts.line_chart(
        _("The same date of earlier years"),
        [f"{m}月" for m in FISCAL_MONTHS],
        [
            (format_fiscal_year(c["fiscal_year"]), _upto(c, _cumulative(c["by_month"])))
            for c in years
        ],
    )
    return Markup(bars), Markup(lines)


def _upto(year, values):
    """``values`` cut after the month of the year's as-of date."""
    month = int(year["as_of"][5:7])
    return values[: FISCAL_MONTHS.index(month) + 1]


def _stem(report):
    return f"事業実績_{report['fiscal_year']}年度_{report['as_of']}"


class StatsView(BaseView):
    route_base = "/stats"
    class_permission_name = "Statistics"
    method_permission_name = {"show": "read", "pdf": "read", "xlsx": "read"}
    default_view = "show"

    def _form_values(self):
        return {name: request.args.get(name, "") for name in ("as_of", "fiscal_year", "office")}

    def _refused(self, exc):
        status = 403 if isinstance(exc, PermissionDenied) else 400
        return self._page(None, str(exc.message)), status

    def _page(self, report, error=None):
        tables, bars, lines = [], None, None
        if report is not None:
            tables = report_tables.report_tables(report, _office_names())
            bars, lines = chart_svgs(report)
        return self.render_template(
            "stats/show.html",
            title=_("Program statistics"),
            values=self._form_values(),
            error=error,
            report=report,
            tables=tables,
            sentence=report_tables.seed_sentence(report) if report else "",
            bar_chart=bars,
            line_chart=lines,
            offices=offices_by_id().values(),
            all_offices=appbuilder.sm.has_access("can_all_offices", "Statistics"),
            office_name=_office_names().get(report["office"] or "", "") if report else "",
        )

    @expose("/")
    @has_access
    @no_cache
    def show(self):
        try:
            _, report = _report_from_args()
        except DomainError as exc:
            return self._refused(exc)
        return self._page(report)

    @expose("/report.pdf")
    @has_access
    def pdf(self):
        try:
            stats_request, report = _report_from_args()
        except DomainError as exc:
            return self._refused(exc)
        data = render_pdf("pdf/stats_report.html", pdf_context(report, stats_request))
        return download(data, f"{_stem(report)}.pdf", PDF, inline=True)

    @expose("/report.xlsx")
    @has_access
    def xlsx(self):
        try:
            stats_request, report = _report_from_args()
        except DomainError as exc:
            return self._refused(exc)
        body = workbook_pieces(report, stats_request)
        return download(body, f"{_stem(report)}.xlsx", XLSX)


def pdf_context(report, stats_request):
    """The plain-dict context of ``pdf/stats_report.html``."""
    names = _office_names()
    tables = report_tables.report_tables(report, names)
    return {
        "titles": report_tables.title_lines(report, names.get(stats_request.office_code or "")),
        "sentence": report_tables.seed_sentence(report),
        "tables": [
            {"title": t.title, "header": list(t.header), "rows": [list(r) for r in t.rows]}
            for t in tables
        ],
    }


def workbook_sheets(report, stats_request):
    names = _office_names()
    titles = report_tables.title_lines(report, names.get(stats_request.office_code or ""))
    titles.append(report_tables.seed_sentence(report))
    return list(report_tables.sheets(report_tables.report_tables(report, names), titles))


def workbook_pieces(report, stats_request):
    return iter_xlsx(workbook_sheets(report, stats_request))


def register(appbuilder):
    appbuilder.add_view(
        StatsView,
        "Statistics",
        label=_l("Program statistics"),
        icon="fa-bar-chart",
    )
