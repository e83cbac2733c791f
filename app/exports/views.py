"""The export routes: ``/exports/<list>.<xlsx|csv>``, each in the permission
group of the list it exports (whoever may see the list may export it).

A file is written to a temporary file first (rows streamed from the database
in batches; openpyxl's write-only mode), the access log is written with
everyone in it (``people=``, their number in ``detail.rows``), and the file
is then streamed to the browser and removed.
"""

import logging
import os
import tempfile
from collections.abc import Iterator

from flask import abort, g, request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _

from app import clock
from app.audit import writer as audit
from app.errors import DomainError
from app.exports import lists
from app.exports.download import CSV, XLSX, download
from app.extensions import db
from app.files import tables
from app.hostlink.models import ImportRun
from app.passes.views import _filters_from_request as pass_filters
from app.residents import search as people
from app.residents.views import _filters_from_request as search_filters
from app.security import accounts as account_service

log = logging.getLogger(__name__)

FORMATS = {"xlsx": XLSX, "csv": CSV}


class _Collecting:
    """The rows of an export, noting each 住民番号 as it passes."""

    def __init__(self, export: lists.ExportList) -> None:
        self.export = export
        self.numbers: list[str] = []
        self.count = 0

    def __iter__(self) -> Iterator:
        column = self.export.people_column
        for row in self.export.rows():
            self.count += 1
            if column is not None:
                self.numbers.append(row[column])
            yield row


def _write(export: lists.ExportList, fmt: str, rows: _Collecting, path: str) -> None:
    if fmt == "csv":
        with open(path, "w", encoding="utf-8", newline="") as out:
            out.write(tables.BOM)
            tables.write_csv(out, export.header, rows)
        return
    sheet = tables.Sheet(
        title=export.title, header=export.header, rows=rows, column_widths=export.widths
    )
    tables.write_large_xlsx(path, sheet)


def export_file(export: lists.ExportList, fmt: str, user=None) -> tuple[str, int]:
    """Write ``export`` as ``fmt`` to a temporary file and log it.

    :returns: the file's path (the caller removes it) and the number of rows.
    """
    handle, path = tempfile.mkstemp(suffix=f".{fmt}")
    os.close(handle)
    rows = _Collecting(export)
    try:
        _write(export, fmt, rows, path)
    except BaseException:
        os.unlink(path)
        raise
    detail = {"list": export.name, "format": fmt, "rows": rows.count, **export.log_detail}
    if export.people_column is None:
        audit.record("list.export", target=export.name, detail=detail, user=user, commit=True)
    else:
        audit.record(
            "resident.export", target=export.name, detail=detail, people=rows.numbers,
            user=user, commit=True,
        )  # fmt: skip
    return path, rows.count


def _respond(export: lists.ExportList, fmt: str):
    if fmt not in FORMATS:
        abort(404)
    path, _count = export_file(export, fmt)
    filename = f"{export.title}_{clock.now():%Y%m%d_%H%M}.{fmt}"
    return download(tables.pieces_then_remove(path), filename, FORMATS[fmt])


class ResidentExportView(BaseView):
    route_base = "/exports/residents"
    class_permission_name = "Residents"
    method_permission_name = {"search": "read"}

    @expose("/search.<fmt>")
    @has_access
    def search(self, fmt):
        try:
            query = people.parse_query(request.args.get("q", ""))
        except DomainError as exc:
            return str(exc.message), 400
        filters, _office = search_filters()
        if query.is_empty and filters.is_empty:
            return _("Enter something to search for, or choose a filter, before exporting."), 400
        return _respond(lists.search_results(query, filters), fmt)


class PassExportView(BaseView):
    route_base = "/exports/passes"
    class_permission_name = "Issuances"
    method_permission_name = {"passes": "read"}

    @expose("/list.<fmt>")
    @has_access
    def passes(self, fmt):
        errors: list = []
        filters, _office = pass_filters(errors)
        if errors:
            return " ".join(str(e) for e in errors), 400
        return _respond(lists.passes(filters), fmt)


class ReturnsExportView(BaseView):
    route_base = "/exports/returns"
    class_permission_name = "IssuanceAdmin"
    method_permission_name = {"returns": "write"}

    @expose("/awaiting.<fmt>")
    @has_access
    def returns(self, fmt):
        return _respond(lists.returns_awaiting(), fmt)


class HostLinkExportView(BaseView):
    route_base = "/exports/hostlink"
    class_permission_name = "HostLink"
    method_permission_name = {"runs": "read", "excluded": "read"}

    @expose("/runs.<fmt>")
    @has_access
    def runs(self, fmt):
        return _respond(lists.import_runs(), fmt)

    @expose("/runs/<int:run_id>/excluded.<fmt>")
    @has_access
    def excluded(self, run_id, fmt):
        if db.session.get(ImportRun, run_id) is None:
            abort(404)
        return _respond(lists.excluded_by_run(run_id), fmt)


class AccountExportView(BaseView):
    route_base = "/exports/accounts"
    class_permission_name = "Accounts"
    method_permission_name = {"accounts": "read"}

    @expose("/list.<fmt>")
    @has_access
    def accounts(self, fmt):
        return _respond(lists.accounts(account_service.manageable_users(g.user)), fmt)


def register(appbuilder):
    for view in (
        ResidentExportView,
        PassExportView,
        ReturnsExportView,
        HostLinkExportView,
        AccountExportView,
    ):
        appbuilder.add_view_no_menu(view)
