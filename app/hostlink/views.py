"""Host extract screens: the import runs, one run's details, the supervisor's
approve / discard of a held run and the manual upload.

Permissions (``HostLink`` group): ``can_read`` for the lists, ``can_approve``
to decide on a held run, ``can_upload`` to upload a file.
"""

import logging

from flask import abort, current_app, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.forms import DynamicForm
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from werkzeug.routing import BuildError
from werkzeug.utils import secure_filename

from app.audit import writer as audit
from app.errors import DomainError
from app.hostlink import approval, imports, messages, runs, status
from app.hostlink.models import RUN_APPLIED, RUN_DISCARDED, RUN_HELD, TRIGGER_UPLOAD

log = logging.getLogger(__name__)

STATUS_LABELS = {
    "running": _l("Running"),
    "applied": _l("Applied"),
    "held": _l("Held for approval"),
    "refused": _l("Refused"),
    "failed": _l("Failed"),
    "discarded": _l("Discarded"),
}
STATUS_CLASSES = {
    "applied": "success",
    "held": "warning",
    "refused": "danger",
    "failed": "danger",
    "discarded": "default",
    "running": "info",
}
TRIGGER_LABELS = {
    "schedule": _l("Schedule"),
    "upload": _l("Upload"),
    "command": _l("Command line"),
}
FLASH_CATEGORIES = {"applied": "success", "held": "warning"}


class DecisionForm(DynamicForm):
    """Approve or discard: only the CSRF token."""


class UploadForm(DynamicForm):
    file = FileField(_l("Extract file"), validators=[FileRequired()])


def _can(permission):
    from app.extensions import appbuilder

    return appbuilder.sm.has_access(permission, "HostLink")


def _page_arg(name):
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and 0 < int(value) < 100000 else 1


def _person_url(resident_id):
    try:
        return url_for("ResidentSearchView.show", pk=resident_id)
    except BuildError:  # the person screens are not installed
        return f"/residents/{resident_id}"


class ImportRunView(BaseView):
    route_base = "/hostlink"
    class_permission_name = "HostLink"
    method_permission_name = {
        "runs": "read",
        "run": "read",
        "approve": "approve",
        "discard": "approve",
        "upload": "upload",
    }
    default_view = "runs"

    @expose("/runs/")
    @has_access
    @no_cache
    def runs(self):
        return self.render_template(
            "hostlink/runs.html",
            runs=runs.list_runs(_page_arg("page")),
            link=status.link_status(),
            upload_form=UploadForm() if _can("can_upload") else None,
            reason=messages.run_reason,
        )

    @expose("/runs/<int:run_id>")
    @has_access
    @no_cache
    def run(self, run_id):
        try:
            run = approval.get_run(run_id)
        except DomainError:
            abort(404)
        rejected = runs.rejections(run_id, _page_arg("rpage"))
        excluded = runs.excluded_people(run_id, _page_arg("xpage"))
        if excluded.items or rejected.items:
            # A list of people is shown: logged like a search result, naming
            # the people excluded and the 住民番号 of the rejected records.
            shown = [person.resident_no for person, _change in excluded.items]
            audit.record(
                "resident.search",
                target=request.path,
                detail={"import_run": run_id, "excluded_shown": len(excluded.items)},
                people=shown + [r.resident_no for r in rejected.items],
                commit=True,
            )
        return self.render_template(
            "hostlink/run.html",
            run=run,
            rejected=rejected,
            excluded=excluded,
            can_decide=run.status == RUN_HELD and _can("can_approve"),
            form=DecisionForm(),
            reason=messages.run_reason,
            field_label=messages.field_label,
            record_error=messages.record_error_text,
            person_url=_person_url,
        )

    def _decide(self, action, run_id, done_status, done_message):
        form = DecisionForm()
        if not form.validate_on_submit():
            abort(400)
        try:
            outcome = action(run_id, user=g.user, trigger=TRIGGER_UPLOAD)
        except DomainError as exc:
            flash(str(exc.message), "danger")
        else:
            if outcome.status == done_status:
                flash(done_message, "success")
            else:
                flash(outcome.reason, "danger")
        return redirect(url_for("ImportRunView.run", run_id=run_id))

    @expose("/runs/<int:run_id>/approve", methods=["POST"])
    @has_access
    def approve(self, run_id):
        return self._decide(
            approval.approve_run, run_id, RUN_APPLIED, _("The held extract was applied.")
        )

    @expose("/runs/<int:run_id>/discard", methods=["POST"])
    @has_access
    def discard(self, run_id):
        return self._decide(
            approval.discard_run, run_id, RUN_DISCARDED, _("The held extract was discarded.")
        )

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        form = UploadForm()
        if not form.validate_on_submit():
            flash(_("Choose an extract file to upload."), "danger")
            return redirect(url_for("ImportRunView.runs"))
        storage = form.file.data
        name = secure_filename(storage.filename or "") or "upload.DAT"
        outcome = imports.import_file(
            data=storage.read(),
            file_name=name,
            trigger=TRIGGER_UPLOAD,
            user=g.user,
            require_trigger=False,
        )
        flash(outcome.reason, FLASH_CATEGORIES.get(outcome.status, "danger"))
        return redirect(url_for("ImportRunView.run", run_id=outcome.run_id))


def _register_filters():
    filters = current_app.jinja_env.filters
    filters.setdefault("run_status", lambda code: str(STATUS_LABELS.get(code, code)))
    filters.setdefault("run_status_class", lambda code: STATUS_CLASSES.get(code, "default"))
    filters.setdefault("run_trigger", lambda code: str(TRIGGER_LABELS.get(code, code)))


def register(appbuilder):
    _register_filters()
    appbuilder.add_view(
        ImportRunView,
        "ImportRuns",
        label=_l("Import runs"),
        category="HostLinkMenu",
        category_label=_l("Host link"),
        icon="fa-exchange",
    )
