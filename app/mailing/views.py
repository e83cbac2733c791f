"""Screens of 送付停止 and returned mail.

* the 送付停止 panel of the person's page (``templates/mailing/_person.html``,
  filled by the Jinja global ``mailing_panel``) and its forms: stop, resume,
  hand a pass back (返還), clear a returned letter — ``ResidentMaster.can_write``
  (Admin, Supervisor, Staff);
* the returns batch screen (typing or scanning 整理番号 one after another, or a
  file of them) — ``IssuanceAdmin.can_write``, as the returns screen;
* the people a mass mailing does not mail, as PDF and Excel —
  ``MassMailing.can_run`` for a preview, ``can_read`` for a run.
"""

import logging
from functools import partial

from flask import abort, flash, g, jsonify, make_response, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_babel import gettext as _

from app import clock
from app.audit import writer as audit
from app.errors import DomainError, NotFound
from app.extensions import db
from app.letters import mass_mailing
from app.letters.models import MassMailingRun
from app.mailing import notmailed, returned, stops
from app.mailing.forms import (
    ClearReturnForm,
    HandBackForm,
    ResumeForm,
    ReturnsBatchForm,
    ReturnsFileForm,
    StopForm,
)
from app.passes.models import STATUS_VALID
from app.passes.returns import get_pass
from app.residents import records
from app.text.wareki import fiscal_year_of
from app.web.dates import typed_date

log = logging.getLogger(__name__)


def _flash_form_errors(form):
    for errors in form.errors.values():
        for message in errors:
            flash(str(message), "danger")


def _person_page(resident):
    return redirect(url_for("ResidentSearchView.show", pk=resident.id) + "#ward-mailing")


def panel(resident, passes=None):
    """What the 送付停止 panel of the person's page shows (the Jinja global
    ``mailing_panel``): the active stop, past stops, an unresolved returned
    letter, the passes that can be handed back, and the forms.

    :param passes: every pass of the person, when the page has them.
    """
    from app.extensions import appbuilder

    history = stops.stops_of(resident.id)
    active = next((s for s in history if s.is_active), None)
    this_year = fiscal_year_of(clock.today())
    valid = [p for p in passes or () if p.status == STATUS_VALID and p.fiscal_year >= this_year]
    return {
        "active": active,
        "history": history,
        "unresolved": returned.unresolved_for(resident, passes),
        "valid_passes": valid,
        "can_write": appbuilder.sm.has_access("can_write", "ResidentMaster"),
        # made only when a cached fragment of their fields is rendered the
        # first time (templates/mailing/_person.html)
        "stop_form": partial(StopForm, formdata=None),
        "resume_form": partial(ResumeForm, formdata=None),
        "hand_back_form": partial(HandBackForm, formdata=None),
        "clear_form": partial(ClearReturnForm, formdata=None),
        "reason_label": stops.reason_label,
    }


def stopped_numbers(rows):
    """``{住民番号: reason}`` of the search results with an active stop (the
    Jinja global ``mail_stopped_among``): one query per page."""
    return stops.stopped_among([r.resident_no for r in rows])


class MailStopView(BaseView):
    """送付停止, 再開, 返還 and the clearing of a returned letter, from the person's page."""

    route_base = "/mailing"
    class_permission_name = "ResidentMaster"
    method_permission_name = {"stop": "write", "resume": "write", "hand_back": "write",
                              "clear_return": "write"}  # fmt: skip
    base_permissions = ["can_write"]

    def _resident(self, pk):
        try:
            return records.get(pk)
        except NotFound:
            abort(404)

    def _submit(self, pk, form, action, done):
        resident = self._resident(pk)
        if not form.validate_on_submit():
            _flash_form_errors(form)
            return _person_page(resident)
        try:
            action(resident, form)
        except DomainError as exc:
            flash(str(exc.message), "danger")
        else:
            flash(done, "success")
        return _person_page(resident)

    @expose("/<int:pk>/stop", methods=["POST"])
    @has_access
    def stop(self, pk):
        def action(resident, form):
            stops.stop_mailing(resident, form.reason.data, g.user, note=form.note.data,
                               since=form.since.data)  # fmt: skip

        return self._submit(pk, StopForm(), action, _("Mailing to this person was stopped."))

    @expose("/<int:pk>/resume", methods=["POST"])
    @has_access
    def resume(self, pk):
        def action(resident, form):
            stops.resume_mailing(resident, g.user, reason=form.reason.data)

        return self._submit(pk, ResumeForm(), action, _("Mailing to this person was resumed."))

    @expose("/<int:pk>/hand-back", methods=["POST"])
    @has_access
    def hand_back(self, pk):
        def action(resident, form):
            issuance_id, version = form.issuance_id.data or "", form.version.data or ""
            if not issuance_id.isdigit():
                raise NotFound(_("The pass was not found."))
            stops.hand_back(
                resident, get_pass(int(issuance_id)), g.user, stop=form.stop.data,
                on=form.on.data, note=form.note.data,
                expected_version=int(version) if version.isdigit() else None,
            )  # fmt: skip

        return self._submit(pk, HandBackForm(), action, _("The pass was recorded as handed back."))

    @expose("/<int:pk>/clear-return", methods=["POST"])
    @has_access
    def clear_return(self, pk):
        def action(resident, form):
            returned.clear_return(resident, g.user, form.reason.data)

        return self._submit(
            pk,
            ClearReturnForm(),
            action,
            _("The returned mail was cleared: the person is mailed again."),
        )


def _fiscal_years():
    current = fiscal_year_of(clock.today())
    return [current + 1, current, current - 1]


def _batch_forms(source=None):
    batch = ReturnsBatchForm(formdata=source)
    upload = ReturnsFileForm(formdata=source)
    for form in (batch, upload):
        form.fiscal_year.choices = [(fy, str(fy)) for fy in _fiscal_years()]
        if source is None:
            form.fiscal_year.data = fiscal_year_of(clock.today())
            form.returned_on.data = clock.today()
    return batch, upload


def _wants_json():
    return (
        request.headers.get("X-Requested-With") == "fetch"
        or request.accept_mimetypes.best == "application/json"
    )


class ReturnsBatchView(BaseView):
    """返戻の一括入力: 整理番号 typed or scanned one after another, each answered
    at once; or a file of scanned numbers."""

    route_base = "/returns/batch"
    class_permission_name = "IssuanceAdmin"
    method_permission_name = {"index": "write", "one": "write", "upload": "write"}
    base_permissions = ["can_write"]
    default_view = "index"

    def _page(self, batch, upload, outcome=None, status=200):
        answers = outcome.answers if outcome else []
        html = self.render_template(
            "mailing/returns_batch.html", batch=batch, upload=upload, answers=answers,
            outcome=outcome,
        )  # fmt: skip
        people = [a.resident_no for a in answers if a.resident_no]
        audit.record("issuance.list", detail={"view": "returns_batch", "returned": len(answers)},
                     people=people, commit=True)  # fmt: skip
        return html, status

    @expose("/")
    @has_access
    @no_cache
    def index(self):
        batch, upload = _batch_forms()
        return self._page(batch, upload)

    def _valid_fiscal_year(self, form):
        value = form.fiscal_year.data
        return value if value in _fiscal_years() else fiscal_year_of(clock.today())

    @expose("/one", methods=["POST"])
    @has_access
    def one(self):
        batch, upload = _batch_forms(request.form)
        try:
            day = _day(request.form.get("returned_on"))
            outcome = returned.record_returns(
                returned.read_one(
                    request.form.get("control_no", ""), self._valid_fiscal_year(batch)
                ),
                day,
                g.user,
            )
        except DomainError as exc:
            if _wants_json():
                return jsonify({"ok": False, "message": str(exc.message)}), 400
            flash(str(exc.message), "danger")
            return self._page(batch, upload, status=400)
        answer = outcome.answers[0]
        if _wants_json():
            return jsonify({"ok": answer.ok, "message": answer.message, "reason": answer.reason})
        batch.control_no.data = ""
        return self._page(batch, upload, outcome)

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        batch, upload = _batch_forms(request.form)
        stored = request.files.get("file")
        try:
            if stored is None or not stored.filename:
                raise DomainError(_("Choose the file of scanned numbers."), field="file")
            day = _day(request.form.get("returned_on"))
            lines = returned.read_lines(stored.read(), self._valid_fiscal_year(upload))
            outcome = returned.record_returns(lines, day, g.user)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return self._page(batch, upload, status=400)
        flash(
            _("%(ok)s returns recorded, %(ng)s refused.")
            % {"ok": len(outcome.recorded), "ng": len(outcome.refused)},
            "success" if not outcome.refused else "warning",
        )
        return self._page(batch, upload, outcome)


def _day(text):
    """The 返戻日 typed, today when empty.

    :raises DomainError: not a date, or in the future.
    """
    return returned.check_day(typed_date(text, None))


def _file_response(data, name, mimetype):
    from urllib.parse import quote

    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    response.headers["Cache-Control"] = "no-store"
    return response


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class NotMailedView(BaseView):
    """一斉発送対象外者一覧: the people not mailed, by name and reason (PDF, Excel)."""

    route_base = "/massmailing/not-mailed"
    class_permission_name = "MassMailing"
    method_permission_name = {"preview": "run", "run": "read"}
    base_permissions = ["can_read", "can_run"]

    def _send(self, fiscal_year, cutoff, skipped, kind, run_id=None):
        codes, label = mass_mailing.SKIP_REASONS, mass_mailing.reason_label
        if kind == "pdf":
            data = notmailed.not_mailed_pdf(fiscal_year, cutoff, skipped, codes, label, run_id)
            mimetype = "application/pdf"
        else:
            data = notmailed.not_mailed_xlsx(fiscal_year, cutoff, skipped, codes, label)
            mimetype = XLSX
        audit.record(
            "mass_mailing.download",
            target=f"mass_mailing:{run_id or 'preview'}:not_mailed.{kind}",
            detail={
                "fiscal_year": fiscal_year,
                "file": f"not_mailed.{kind}",
                "total": len(skipped),
            },
            people=[s["resident_no"] for s in skipped],
            commit=True,
        )
        return _file_response(data, notmailed.file_name(fiscal_year, kind), mimetype)

    @expose("/preview.<kind>")
    @has_access
    @no_cache
    def preview(self, kind):
        if kind not in ("pdf", "xlsx"):
            abort(404)
        today = clock.today()
        fy_text = request.args.get("fiscal_year", "")
        fiscal_year = (
            int(fy_text) if fy_text.isdigit() and len(fy_text) == 4 else fiscal_year_of(today) + 1
        )
        try:
            cutoff = typed_date(
                request.args.get("cutoff"), mass_mailing.default_cutoff(fiscal_year, today)
            )
            mass_mailing.check_request(fiscal_year, cutoff, today)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("MassMailingView.index"))
        _people, skipped = mass_mailing.select_people(fiscal_year, cutoff)
        return self._send(fiscal_year, cutoff, skipped, kind)

    @expose("/run/<int:run_id>.<kind>")
    @has_access
    @no_cache
    def run(self, run_id, kind):
        run = db.session.get(MassMailingRun, run_id)
        if run is None or kind not in ("pdf", "xlsx") or run.issued_at is None:
            abort(404)
        skipped = (run.summary or {}).get("skipped_people", [])
        return self._send(run.fiscal_year, run.cutoff_date, skipped, kind, run_id=run.id)


def register(appbuilder):
    from flask import current_app

    current_app.jinja_env.globals.update(mailing_panel=panel, mail_stopped_among=stopped_numbers)
    for view in (MailStopView, ReturnsBatchView, NotMailedView):
        appbuilder.add_view_no_menu(view)
