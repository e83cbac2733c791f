"""Screens of the letters feature: cover letters, returned mail, the daily
checklist and the annual mass mailing.

Permissions (see :mod:`app.security.roles`): cover letters ``Letters.can_print``;
returned mail ``IssuanceAdmin.can_write``; the checklist ``Checklist.can_read``
(another office's or all offices' needs ``Checklist.can_all_offices``, checked
here on the server); the mass mailing ``MassMailing.can_read`` / ``can_run``.
"""

import logging
from datetime import date

from flask import abort, flash, g, jsonify, make_response, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.audit import writer as audit
from app.errors import DomainError, NotFound
from app.extensions import appbuilder, db
from app.letters import checklist, covers, mass_mailing
from app.letters.models import MassMailingRun
from app.mailing import notmailed
from app.offices.models import Office
from app.passes import returns
from app.text.wareki import fiscal_year_of
from app.web.dates import typed_date

log = logging.getLogger(__name__)


def _can(permission, group):
    return appbuilder.sm.has_access(permission, group)


def _pdf_response(data, filename, inline=True):
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _back(default):
    target = request.referrer or ""
    if target.startswith(request.host_url):
        return redirect(target)
    return redirect(default)


# ── cover letters ──────────────────────────────────────────────────────────


class LettersView(BaseView):
    """送付状: one from a pass's page, many from a selection of the pass list."""

    route_base = "/letters"
    class_permission_name = "Letters"
    method_permission_name = {"cover": "print", "covers": "print"}
    base_permissions = ["can_print"]
    default_view = "cover"

    @expose("/cover/<int:issuance_id>")
    @has_access
    @no_cache
    def cover(self, issuance_id):
        try:
            issuances = covers.load_issuances([issuance_id])
            pdf = covers.print_cover_letters(issuances, user=g.user)
        except NotFound:
            abort(404)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return _back(url_for("ReturnsView.index"))
        issuance = issuances[0]
        return _pdf_response(pdf, f"cover-{issuance.fiscal_year}-{issuance.control_no}.pdf")

    @expose("/covers", methods=["POST"])
    @has_access
    @no_cache
    def covers(self):
        ids = request.form.getlist("issuance_ids") or request.form.getlist("ids")
        try:
            issuances = covers.load_issuances(i for i in ids if str(i).isdigit())
            pdf = covers.print_cover_letters(issuances, user=g.user)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return _back(url_for("ReturnsView.index"))
        return _pdf_response(pdf, f"covers-{clock.today().isoformat()}.pdf")


# ── returned mail ──────────────────────────────────────────────────────────


class ReturnsView(BaseView):
    """返戻: record a return by 整理番号; send returned passes again."""

    route_base = "/returns"
    class_permission_name = "IssuanceAdmin"
    method_permission_name = {"index": "write", "record": "write", "resend": "write"}
    base_permissions = ["can_write"]
    default_view = "index"

    def _fiscal_year(self, value):
        current = fiscal_year_of(clock.today())
        return int(value) if str(value).isdigit() and 2000 <= int(value) <= current + 1 else current

    @expose("/")
    @has_access
    @no_cache
    def index(self):
        current = fiscal_year_of(clock.today())
        fiscal_year = self._fiscal_year(request.args.get("fy", ""))
        waiting = returns.awaiting_action()
        resent = None
        if request.args.get("resent", "").isdigit():
            try:
                resent = returns.get_pass(int(request.args["resent"]))
            except NotFound:
                resent = None
        html = self.render_template(
            "letters/returns.html",
            fiscal_year=fiscal_year,
            fiscal_years=[current + 1, current, current - 1],
            waiting=waiting,
            resent=resent,
            returned_on=clock.today(),
            can_print=_can("can_print", "Letters"),
        )
        # After rendering: the commit would expire the passes the page reads.
        shown = [i.resident.resident_no for i in [*waiting, *([resent] if resent else [])]]
        audit.record(
            "issuance.list",
            detail={"view": "returns", "returned": len(waiting)},
            people=shown,
            commit=True,
        )
        return html

    @expose("/record", methods=["POST"])
    @has_access
    def record(self):
        fiscal_year = self._fiscal_year(request.form.get("fiscal_year", ""))
        try:
            on = typed_date(request.form.get("returned_on"), clock.today())
            issuance = returns.find_pass(request.form.get("control_no", ""), fiscal_year)
            returns.record_return(issuance, g.user, on=on)
        except DomainError as exc:
            flash(str(exc.message), "danger")
        else:
            flash(
                _("Pass No. %(no)s (%(name)s) recorded as returned.")
                % {"no": issuance.control_no, "name": issuance.resident.name},
                "success",
            )
        return redirect(url_for("ReturnsView.index", fy=fiscal_year))

    @expose("/<int:issuance_id>/resend", methods=["POST"])
    @has_access
    def resend(self, issuance_id):
        version = request.form.get("version", "")
        try:
            issuance = returns.get_pass(issuance_id)
            returns.resend(
                issuance, g.user, expected_version=int(version) if version.isdigit() else None
            )
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("ReturnsView.index"))
        flash(
            _("Pass No. %(no)s is recorded as sent again. Print its cover letter.")
            % {"no": issuance.control_no},
            "success",
        )
        return redirect(url_for("ReturnsView.index", resent=issuance.id))


# ── daily checklist ────────────────────────────────────────────────────────


def _all_offices_allowed():
    return _can("can_all_offices", "Checklist")


def _own_office():
    office_id = getattr(g.user, "office_id", None)
    return db.session.get(Office, office_id) if office_id else None


def _allowed_office(code):
    """The office whose checklist the user asked for, if they may see it.

    ``""`` means all offices.  Without ``can_all_offices`` only one's own.

    :raises PermissionError: when the user may not see that office.
    """
    if _all_offices_allowed():
        if not code:
            return None
        office = db.session.execute(select(Office).where(Office.code == code)).scalar()
        if office is None:
            raise NotFound(_("No such office."))
        return office
    own = _own_office()
    if own is None or (code and code != own.code):
        raise PermissionError
    return own


class ChecklistView(BaseView):
    """日別処理状況リスト on demand, and the ones printed each evening."""

    route_base = "/checklist"
    class_permission_name = "Checklist"
    method_permission_name = {"index": "read", "pdf": "read", "stored": "read"}
    base_permissions = ["can_read", "can_all_offices"]
    default_view = "index"

    def _denied(self, what, code):
        audit.record(
            "access.denied",
            target=what,
            detail={"reason": "permission", "office": code or None},
            outcome="denied",
            commit=True,
        )
        abort(403)

    @expose("/")
    @has_access
    @no_cache
    def index(self):
        all_offices = _all_offices_allowed()
        own = _own_office()
        offices = (
            db.session.execute(select(Office).order_by(Office.sort_order)).scalars().all()
            if all_offices
            else [own]
            if own
            else []
        )
        stored = checklist.stored_checklists(None if all_offices else (own.code if own else "-"))
        names = {
            o.code: o.name
            for o in db.session.execute(select(Office).order_by(Office.sort_order)).scalars()
        }
        return self.render_template(
            "letters/checklist.html",
            today=clock.today(),
            offices=offices,
            all_offices=all_offices,
            own_code=own.code if own else "",
            stored=[(day, code, names.get(code, code)) for day, code, _path in stored],
        )

    @expose("/pdf")
    @has_access
    @no_cache
    def pdf(self):
        code = request.args.get("office", "").strip()
        try:
            office = _allowed_office(code)
        except PermissionError:
            return self._denied(f"checklist:{code or 'all'}", code)
        try:
            day = typed_date(request.args.get("date"), clock.today())
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("ChecklistView.index"))
        pdf, count, people = checklist.render_checklist_with_people(day, office)
        audit.record(
            "checklist.print",
            target=f"checklist:{day.isoformat()}:{office.code if office else 'all'}",
            detail={"date": day.isoformat(), "office": office.code if office else None,
                    "rows": count},
            people=people,
            commit=True,
        )  # fmt: skip
        return _pdf_response(
            pdf, f"checklist-{day.isoformat()}-{office.code if office else 'ALL'}.pdf"
        )

    @expose("/stored/<day>/<code>")
    @has_access
    @no_cache
    def stored(self, day, code):
        try:
            office = _allowed_office(code)
            when = date.fromisoformat(day)
        except PermissionError:
            return self._denied(f"checklist:{code}", code)
        except (ValueError, NotFound):
            abort(404)
        if office is None:
            abort(404)
        path = checklist.stored_path(when, office.code)
        if not path.is_file():
            abort(404)
        audit.record(
            "checklist.print",
            target=f"checklist:{when.isoformat()}:{office.code}",
            detail={"date": when.isoformat(), "office": office.code, "stored": True},
            people=checklist.listed_people(when, office),
            commit=True,
        )
        return send_file(path, mimetype="application/pdf", download_name=path.name)


# ── annual mass mailing ────────────────────────────────────────────────────


class MassMailingView(BaseView):
    """一斉発送: preview, confirm, follow the progress, download the files."""

    route_base = "/massmailing"
    class_permission_name = "MassMailing"
    method_permission_name = {
        "index": "read",
        "preview": "run",
        "run": "run",
        "show": "read",
        "status": "read",
        "download": "read",
        "resume": "run",
    }
    base_permissions = ["can_read", "can_run"]
    default_view = "index"

    def _request(self, source):
        today = clock.today()
        fy_text = source.get("fiscal_year", "")
        fiscal_year = int(fy_text) if fy_text.isdigit() else fiscal_year_of(today) + 1
        cutoff = typed_date(source.get("cutoff"), mass_mailing.default_cutoff(fiscal_year, today))
        mailing_date = typed_date(source.get("mailing_date"), today)
        return fiscal_year, cutoff, mailing_date

    @expose("/")
    @has_access
    @no_cache
    def index(self):
        today = clock.today()
        fiscal_year = fiscal_year_of(today) + 1
        return self.render_template(
            "letters/mass_mailing.html",
            fiscal_year=fiscal_year,
            cutoff=mass_mailing.default_cutoff(fiscal_year, today),
            mailing_date=today,
            runs=mass_mailing.recent_runs(),
            can_run=_can("can_run", "MassMailing"),
            scheduler_alive=mass_mailing.scheduler_alive(),
        )

    @expose("/preview")
    @has_access
    @no_cache
    def preview(self):
        try:
            fiscal_year, cutoff, mailing_date = self._request(request.args)
            mass_mailing.check_request(fiscal_year, cutoff, mailing_date)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("MassMailingView.index"))
        figures = mass_mailing.preview(fiscal_year, cutoff)
        html = self.render_template(
            "letters/mass_mailing_preview.html",
            figures=figures,
            fiscal_year=fiscal_year,
            cutoff=cutoff,
            mailing_date=mailing_date,
            reason_label=mass_mailing.reason_label,
            scheduler_alive=mass_mailing.scheduler_alive(),
        )
        detail = {"fiscal_year": fiscal_year, "step": "preview", "letters": figures["letters"]}
        notmailed.log_shown(figures["skipped_people"], detail, always=True)
        return html

    @expose("/run", methods=["POST"])
    @has_access
    def run(self):
        try:
            fiscal_year, cutoff, mailing_date = self._request(request.form)
            run = mass_mailing.queue_run(fiscal_year, cutoff, mailing_date, g.user)
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("MassMailingView.index"))
        if mass_mailing.scheduler_alive():
            flash(_("The mass mailing has been queued. You can leave this page."), "success")
        else:
            flash(
                _(
                    "The mass mailing has been queued, but the scheduler is not running: "
                    "it starts only when the scheduler runs. Ask the system administrator "
                    "to start it."
                ),
                "warning",
            )
        return redirect(url_for("MassMailingView.show", run_id=run.id))

    def _run(self, run_id):
        run = db.session.get(MassMailingRun, run_id)
        if run is None:
            abort(404)
        return run

    @expose("/run/<int:run_id>")
    @has_access
    @no_cache
    def show(self, run_id):
        run = self._run(run_id)
        alive = mass_mailing.scheduler_alive()
        html = self.render_template(
            "letters/mass_mailing_run.html",
            run=run,
            progress=mass_mailing.progress(run),
            files=mass_mailing.output_files(run) if run.status == "done" else [],
            reason_label=mass_mailing.reason_label,
            can_run=_can("can_run", "MassMailing"),
            waits_for_scheduler=mass_mailing.waits_for_scheduler(run, alive),
        )
        skipped = (run.summary or {}).get("skipped_people") or [] if run.issued_at else []
        notmailed.log_shown(skipped, {"fiscal_year": run.fiscal_year, "step": "viewed"}, run.id)
        return html

    @expose("/run/<int:run_id>/status")
    @has_access
    @no_cache
    def status(self, run_id):
        return jsonify(mass_mailing.progress(self._run(run_id)))

    @expose("/run/<int:run_id>/resume", methods=["POST"])
    @has_access
    def resume(self, run_id):
        try:
            mass_mailing.resume_run(self._run(run_id), g.user)
        except DomainError as exc:
            flash(str(exc.message), "danger")
        return redirect(url_for("MassMailingView.show", run_id=run_id))

    @expose("/run/<int:run_id>/file/<name>")
    @has_access
    @no_cache
    def download(self, run_id, name):
        run = self._run(run_id)
        try:
            path = mass_mailing.output_path(run, name)
        except NotFound:
            abort(404)
        audit.record(
            "mass_mailing.download",
            target=f"mass_mailing:{run.id}:{name}",
            detail={"fiscal_year": run.fiscal_year, "file": name},
            people=mass_mailing.people_in_file(run, name),
            commit=True,
        )
        mimetype = "text/csv" if name.endswith(".csv") else "application/pdf"
        return send_file(path, mimetype=mimetype, as_attachment=True, download_name=name)


def register(appbuilder):
    appbuilder.add_view_no_menu(LettersView)
    for view, name, label in (
        (ReturnsView, "Returns", _l("Returned mail")),
        (ChecklistView, "Checklist", _l("Daily checklist")),
        (MassMailingView, "MassMailing", _l("Annual mass mailing")),
    ):
        appbuilder.add_view(
            view, name, label=label, category="PassesMenu", category_label=_l("Passes")
        )
