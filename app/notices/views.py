"""Screens of the お知らせ: the notice runs, a run for a period on demand, a
run's people, and the downloads of its postcards and list.

Permissions (``Notices`` group): ``can_read`` for the pages and downloads,
``can_run`` to produce a run.  Every page or file naming people writes one
access-log row naming them.
"""

import logging
from urllib.parse import quote

from flask import abort, current_app, flash, g, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.audit import writer as audit
from app.errors import DomainError, NotFound
from app.extensions import appbuilder
from app.notices import messages, runs, services
from app.notices.models import REASONS, RUN_DONE
from app.text.wareki import fiscal_year_of, fiscal_year_start
from app.web.dates import typed_date

log = logging.getLogger(__name__)

# More postcards than this are left to the scheduler (about 20 a second).
MAX_ON_SCREEN = 300
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILES = {
    "pdf": ("application/pdf", "お知らせはがき"),
    "list": (XLSX, "お知らせはがき一覧"),
}


def _run_or_404(run_id):
    try:
        return runs.get_run(run_id)
    except NotFound:
        abort(404)


class NoticesView(BaseView):
    """お知らせはがき: runs, on demand, downloads."""

    route_base = "/notices"
    class_permission_name = "Notices"
    method_permission_name = {"index": "read", "show": "read", "download": "read",
                              "create": "run"}  # fmt: skip
    base_permissions = ["can_read", "can_run"]
    default_view = "index"

    @expose("/")
    @has_access
    @no_cache
    def index(self):
        today = clock.today()
        start = fiscal_year_start(fiscal_year_of(today))
        return self.render_template(
            "notices/index.html",
            runs=runs.recent_runs(),
            counts=services.counts_by_reason(start, today),
            counts_from=start,
            reasons=REASONS,
            start=today.replace(day=1),
            end=today,
            can_run=appbuilder.sm.has_access("can_run", "Notices"),
        )

    @expose("/create", methods=["POST"])
    @has_access
    def create(self):
        try:
            start = typed_date(request.form.get("start"), None)
            end = typed_date(request.form.get("end"), clock.today())
            only_unsent = request.form.get("only_unsent") == "1"
            runs.check_period(start, end)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("NoticesView.index"))
        count = runs.scope_count(start=start, end=end, only_unsent=only_unsent)
        if not count:
            flash(messages.nobody(), "warning")
            return redirect(url_for("NoticesView.index"))
        run = runs.queue_run("screen", start=start, end=end, only_unsent=only_unsent, user=g.user)
        if count > MAX_ON_SCREEN:
            # minutes of rendering: the scheduler does it, not the web worker
            flash(messages.queued(count), "info")
            return redirect(url_for("NoticesView.show", run_id=run.id))
        run = runs.execute_run(run, user=g.user)
        if run.status != RUN_DONE:
            flash(messages.run_failed(), "danger")
        else:
            flash(_("%(n)s postcards are ready.", n=run.total), "success")
        return redirect(url_for("NoticesView.show", run_id=run.id))

    @expose("/runs/<int:run_id>")
    @has_access
    @no_cache
    def show(self, run_id):
        run = _run_or_404(run_id)
        sent, skipped = runs.shown_people(run)
        html = self.render_template(
            "notices/run.html",
            run=run,
            sent=sent,
            skipped=skipped,
            reasons=REASONS,
        )
        audit.record(
            "notice.list",
            target=f"notice_run:{run.id}",
            detail={"view": "notices", "count": len(sent) + len(skipped)},
            people=[item[1].resident_no for item in [*sent, *skipped]],
            commit=True,
        )
        return html

    @expose("/runs/<int:run_id>/<kind>")
    @has_access
    @no_cache
    def download(self, run_id, kind):
        run = _run_or_404(run_id)
        if kind not in _FILES:
            abort(404)
        try:
            path = runs.file_path(run, kind)
        except NotFound:
            abort(404)
        mimetype, stem = _FILES[kind]
        audit.record(
            "notice.download",
            target=f"notice_run:{run.id}:{kind}",
            detail={"file": path.name},
            people=runs.people_in_file(run, kind),
            commit=True,
        )
        name = f"{stem}_{run.id}{path.suffix}"
        response = send_file(path, mimetype=mimetype, as_attachment=True,
                             download_name=f"notices-{run.id}{path.suffix}")  # fmt: skip
        response.headers["Content-Disposition"] = (
            f'attachment; filename="notices-{run.id}{path.suffix}"; '
            f"filename*=UTF-8''{quote(name)}"
        )
        return response


def _register_filters():
    current_app.jinja_env.filters.update(
        notice_reason=lambda code: messages.label(messages.REASON_LABELS, code),
        notice_skip=lambda code: messages.label(messages.SKIP_LABELS, code),
        notice_trigger=lambda code: messages.label(messages.TRIGGER_LABELS, code),
        notice_status=lambda code: messages.label(messages.STATUS_LABELS, code),
        notice_state=lambda code: messages.label(messages.STATE_LABELS, code),
    )


def register(appbuilder):
    _register_filters()
    appbuilder.add_view(
        NoticesView,
        "Notices",
        label=_l("Notice postcards"),
        category="PassesMenu",
        category_label=_l("Passes"),
    )
