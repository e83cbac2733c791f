"""Screens of the ledger migration (Supervisor; Admin): upload a workbook,
its reconciliation report with progress while it is read, 「取込を確定」 or
取消, the report as PDF and Excel, and the erasure records with their
certificate.

Permissions (``LedgerMigration`` group): ``can_read`` for the pages and
downloads, ``can_run`` to upload, import or discard, ``can_erase`` to record
an erasure.
"""

import logging
from urllib.parse import quote

from flask import Response, abort, current_app, flash, g, jsonify, redirect, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, has_access_api, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.utils import secure_filename

from app.audit import writer as audit
from app.errors import DomainError
from app.extensions import db
from app.migration import erasure, jobs, runs
from app.migration.forms import ErasureForm, UploadForm, confirm_form
from app.migration.models import (
    RUN_APPLIED,
    RUN_CHECKED,
    RUN_RUNNING,
    MigrationRun,
)
from app.web.display import offices_by_id

log = logging.getLogger(__name__)

ITEMS_SHOWN = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _run_or_404(run_id):
    run = db.session.get(MigrationRun, run_id)
    if run is None:
        abort(404)
    return run


def _download(data, filename, mimetype):
    ascii_name = secure_filename(filename) or "download"
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": disposition})


def _recent_runs():
    statement = select(MigrationRun).order_by(MigrationRun.id.desc()).limit(50)
    return list(db.session.execute(statement).scalars())


def _log_items_shown(run, items):
    """Rejected rows and mismatches name people: one access-log row for the page."""
    numbers = sorted({i.resident_no for i in items if i.resident_no})
    audit.record(
        "ledger.view",
        target=f"ledger_run:{run.id}",
        detail={"file": run.file_name, "count": len(numbers)},
        people=numbers,
        commit=True,
    )


class LedgerMigrationView(BaseView):
    route_base = "/ledger"
    class_permission_name = "LedgerMigration"
    method_permission_name = {
        "index": "read",
        "run": "read",
        "progress": "read",
        "report_pdf": "read",
        "report_xlsx": "read",
        "certificate": "read",
        "upload": "run",
        "confirm": "run",
        "discard": "run",
        "record_erasure": "erase",
    }
    default_view = "index"

    @expose("/")
    @has_access
    @no_cache
    def index(self):
        return self.render_template("migration/index.html", runs=_recent_runs(), form=UploadForm())

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        form = UploadForm()
        if not form.validate_on_submit():
            for message in form.file.errors or [_("Choose the ledger workbook to upload.")]:
                flash(str(message), "danger")
            return redirect(url_for("LedgerMigrationView.index"))
        storage = form.file.data
        run_id = jobs.check_upload(storage.read(), storage.filename, g.user)
        return redirect(url_for("LedgerMigrationView.run", run_id=run_id))

    @expose("/runs/<int:run_id>")
    @has_access
    @no_cache
    def run(self, run_id):
        run = _run_or_404(run_id)
        records = erasure.records_of(run_id)
        items = runs.items_of(run_id, limit=ITEMS_SHOWN) if run.status != RUN_RUNNING else []
        if items:
            _log_items_shown(run, items)
        return self.render_template(
            "migration/run.html",
            run=run,
            items=items,
            items_shown=ITEMS_SHOWN,
            erasures=records,
            form=confirm_form(),
            erasure_form=ErasureForm(corrects=records) if run.status == RUN_APPLIED else None,
            can_confirm=run.status == RUN_CHECKED and bool(run.stored_path),
        )

    @expose("/runs/<int:run_id>/progress")
    @has_access_api
    def progress(self, run_id):
        run = _run_or_404(run_id)
        return jsonify(
            status=run.status,
            phase=run.phase,
            done=run.progress_done,
            total=run.progress_total,
        )

    @expose("/runs/<int:run_id>/confirm", methods=["POST"])
    @has_access
    def confirm(self, run_id):
        _run_or_404(run_id)
        if not confirm_form().validate_on_submit():
            abort(400)
        try:
            runs.begin_import(run_id)
        except DomainError as error:
            flash(str(error.message), "danger")
        else:
            jobs.start("import_ledger", run_id, g.user)
        return redirect(url_for("LedgerMigrationView.run", run_id=run_id))

    @expose("/runs/<int:run_id>/discard", methods=["POST"])
    @has_access
    def discard(self, run_id):
        _run_or_404(run_id)
        if not confirm_form().validate_on_submit():
            abort(400)
        try:
            runs.discard_run(run_id, user=g.user)
        except DomainError as error:
            flash(str(error.message), "danger")
        else:
            flash(_("The check was discarded and the uploaded file deleted."), "success")
        return redirect(url_for("LedgerMigrationView.run", run_id=run_id))

    def _report(self, run_id, kind):
        from app.migration import documents

        run = _run_or_404(run_id)
        if run.summary is None:
            abort(404)
        data = documents.report_pdf(run) if kind == "pdf" else documents.report_xlsx(run)
        documents.audit_download(run, kind)
        mimetype = "application/pdf" if kind == "pdf" else XLSX
        return _download(data, documents.report_filename(run, kind), mimetype)

    @expose("/runs/<int:run_id>/report.pdf")
    @has_access
    def report_pdf(self, run_id):
        return self._report(run_id, "pdf")

    @expose("/runs/<int:run_id>/report.xlsx")
    @has_access
    def report_xlsx(self, run_id):
        return self._report(run_id, "xlsx")

    @expose("/runs/<int:run_id>/erasures", methods=["POST"])
    @has_access
    def record_erasure(self, run_id):
        run = _run_or_404(run_id)
        form = ErasureForm(corrects=erasure.records_of(run_id))
        if not form.validate_on_submit():
            for errors in form.errors.values():
                for message in errors:
                    flash(str(message), "danger")
            return redirect(url_for("LedgerMigrationView.run", run_id=run_id) + "#erasure")
        try:
            erasure.record_erasure(
                run,
                location=form.location.data,
                method=form.method.data,
                erased_on=form.erased_on.data,
                erased_by=form.erased_by.data,
                witness=form.witness.data,
                recorded_by=g.user,
                note=form.note.data,
                corrects_id=form.corrects_id.data,
            )
        except DomainError as error:
            flash(str(error.message), "danger")
        else:
            flash(_("The erasure was recorded."), "success")
        return redirect(url_for("LedgerMigrationView.run", run_id=run_id) + "#erasure")

    @expose("/runs/<int:run_id>/certificate.pdf")
    @has_access
    def certificate(self, run_id):
        from app.migration import documents

        run = _run_or_404(run_id)
        if run.status != RUN_APPLIED:
            abort(404)
        data = documents.certificate_pdf(run)
        documents.audit_download(run, "certificate")
        return _download(data, documents.certificate_filename(run), "application/pdf")


STATUS_LABELS = {
    "running": _l("Running"),
    "checked": _l("Checked (not imported)"),
    "applied": _l("Imported"),
    "refused": _l("Refused"),
    "failed": _l("Failed"),
    "discarded": _l("Discarded"),
}
STATUS_CLASSES = {
    "running": "info",
    "checked": "warning",
    "applied": "success",
    "refused": "danger",
    "failed": "danger",
    "discarded": "default",
}
ITEM_KINDS = {"rejected": _l("Rejected"), "mismatch": _l("Difference"), "notice": _l("Notice")}


def _office_name(code):
    names = {o.code: o.name for o in offices_by_id().values()}
    return names.get(code, code)


def _register_filters():
    current_app.jinja_env.filters.update(
        ledger_status=lambda code: str(STATUS_LABELS.get(code, code)),
        ledger_status_class=lambda code: STATUS_CLASSES.get(code, "default"),
        ledger_item_kind=lambda code: str(ITEM_KINDS.get(code, code)),
        office_name=_office_name,
    )


def register(appbuilder):
    _register_filters()
    appbuilder.add_view(
        LedgerMigrationView,
        "LedgerMigration",
        label=_l("Excel ledger migration"),
        category="HostLinkMenu",
        category_label=_l("Host link"),
        icon="fa-table",
    )
