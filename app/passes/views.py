"""Passes (交付記録): the list, one pass, recording an issue, corrections.

Permissions: the list and a pass need ``Issuances.can_read``; recording an
application / issue needs ``Issuances.can_write`` (BranchStaff: their own office,
at the counter only — enforced by :func:`app.passes.issuance.issue_pass` and
by the form's choices); correcting a pass and issuing by mail need
``IssuanceAdmin.can_write``.
"""

import logging
import re
import secrets
from datetime import date

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.applications.forms import ApplicationForm, application_of
from app.audit import writer as audit
from app.errors import DomainError, NotFound
from app.march import services as march_services
from app.march import window as march_window
from app.passes import issuance as issuance_service
from app.passes import lists as pass_service
from app.passes import queries, rules
from app.passes.models import KINDS, METHODS
from app.residents import records
from app.residents.forms import IssuanceEditForm
from app.residents.search import date_error_message
from app.residents.views import add_form_error, can, log_form_shown
from app.security import roles
from app.text.wareki import WarekiError, fiscal_year_of, format_fiscal_year, parse_date_input
from app.web.display import describe_history, office_choices, offices_by_id

log = logging.getLogger(__name__)

# Each rendered application form carries a random token (32 bytes, 43 characters
# URL-safe), stored on the pass it records.
SUBMISSION_TOKEN_BYTES = 32
SUBMISSION_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def _number(text):
    """A whole number typed or sent as 1 to 9 ASCII digits, else None (no
    superscripts or other scripts' digits, nothing too long for a column)."""
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


def _date_arg(name, errors):
    text = request.args.get(name, "").strip()
    if not text:
        return None
    try:
        day = parse_date_input(text)
    except WarekiError as exc:
        errors.append(date_error_message(exc, text))
        return None
    if day is None:
        errors.append(_("Enter a date such as 2026-04-01, R8.4.1 or 令和8年4月1日."))
    return day


def _filters_from_request(errors):
    office_code = request.args.get("office", "").strip()
    office = next((o for o in offices_by_id().values() if o.code == office_code), None)
    fy = request.args.get("fy", "").strip()
    filters = pass_service.PassFilters(
        fiscal_year=_number(fy),
        office_id=office.id if office else None,
        method=request.args.get("method", "") if request.args.get("method") in METHODS else "",
        kind=request.args.get("kind", "") if request.args.get("kind") in KINDS else "",
        issued_from=_date_arg("from", errors),
        issued_to=_date_arg("to", errors),
        returned_not_resent=request.args.get("returned") == "1",
    )
    return filters, office.code if office else None


def _issuing_user_is_branch_only():
    return roles.is_branch_only(g.user)


def _office_choices_for_user():
    if _issuing_user_is_branch_only():
        return office_choices(only_id=g.user.office_id)
    return office_choices()


def _method_choices(form):
    """Issuing by mail needs IssuanceAdmin; BranchStaff record counter issues only."""
    if _issuing_user_is_branch_only() or not can("can_write", "IssuanceAdmin"):
        form.method.choices = [c for c in form.method.choices if c[0] == "counter"]


def _submission_token(form):
    """The token of the submitted form, or None (none, or not one of ours)."""
    token = (form.submission.data or "").strip()
    return token if SUBMISSION_TOKEN.fullmatch(token) else None


def _recorded_by(resident, token):
    """The pass of ``resident`` this very form (its token) already recorded, or None."""
    found = queries.by_submission_token(token) if token else None
    return found if found is not None and found.resident_id == resident.id else None


def _confirmed_year(form):
    return _number(form.confirm_fiscal_year.data)


def _past_year(form):
    """The earlier fiscal year the submitted 交付日 falls in, or None: the
    form then shows the box that confirms a pass of that year."""
    day = form.issued_on.data if request.method == "POST" else None
    if not isinstance(day, date):
        return None
    year = fiscal_year_of(day)
    return year if year < fiscal_year_of(clock.today()) else None


def _issue_service(form):
    """A March application for next year's pass (app.march), or an ordinary issue.

    "auto" (the default in the window) is next year's pass for a mail
    application made inside the window, this year's at the counter.
    """
    choice = form.pass_year.data
    if choice == "auto":
        window = march_window.window_on(clock.today())
        applied = form.applied_on.data
        by_mail = form.method.data == "mail" and isinstance(applied, date)
        choice = "next" if window and by_mail and window.contains(applied) else "current"
    if choice == "next":
        return march_services.issue_next_year
    return issuance_service.issue_pass


def _march_window(form):
    """The March window open today (the form then offers the year), or None;
    the choice's labels name the two years."""
    window = march_window.window_on(clock.today())
    if window is not None:
        form.pass_year.choices = [
            ("auto", _("By mail next year's, at the counter this year's")),
            ("current", _("This fiscal year (%(year)s), at once") % {
                "year": format_fiscal_year(window.fiscal_year - 1)}),
            ("next", _("Next fiscal year (%(year)s), sent after the mass mailing's block") % {
                "year": format_fiscal_year(window.fiscal_year)}),
        ]  # fmt: skip
    return window


def _fill_defaults(form, defaults):
    """The issue form as first shown: today, and the person's defaults."""
    today = clock.today()
    form.kind.data = defaults.kind
    form.applied_on.data = today
    form.issued_on.data = today
    form.office.data = defaults.office_id
    form.method.data = defaults.method
    form.supersedes_id.data = str(defaults.supersedes_id or "")
    # In the March window: next year's pass by mail, this year's at the counter.
    form.pass_year.data = "auto"


def _issue_from_form(resident, form, token):
    """Record the issue the form describes.

    :raises DomainError: when a rule refuses.
    """
    rules.check_past_fiscal_year(form.issued_on.data, _confirmed_year(form))
    return _issue_service(form)(
        resident,
        kind=form.kind.data,
        applied_on=form.applied_on.data,
        issued_on=form.issued_on.data,
        office=offices_by_id().get(form.office.data),
        method=form.method.data,
        user=g.user,
        reissue_reason=form.reissue_reason.data or None,
        note=(form.note.data or "").strip() or None,
        override_reason=(form.override_reason.data or "").strip() or None,
        supersedes_id=_number(form.supersedes_id.data),
        submission_token=token,
        application=application_of(form),
    )


def _submit_issue(resident, form):
    """Record the submitted issue; the redirect to the person's page, or None
    (the errors are on the form) when a rule refused it.

    A form submitted again (a double click, the browser's back-and-resend)
    carries the token of the pass it recorded: that pass is shown and nothing
    is added.  Any other submission goes through the rules and shows their
    errors.
    """
    token = _submission_token(form)
    done = _recorded_by(resident, token)
    if done is None:
        try:
            created = _issue_from_form(resident, form, token)
        except DomainError as exc:
            # The same form submitted twice at once: the other request won.
            done = _recorded_by(resident, token)
            if done is None:
                add_form_error(form, exc)
                return None
        else:
            flash(
                _("The pass was recorded: control No. %(no)s.") % {"no": created.control_no},
                "success",
            )
            return redirect(url_for("ResidentSearchView.show", pk=resident.id))
    flash(
        _("This application was already recorded (control No. %(no)s). Nothing was added.")
        % {"no": done.control_no},
        "warning",
    )
    return redirect(url_for("ResidentSearchView.show", pk=resident.id))


class IssuanceView(BaseView):
    """The pass list, one pass, and recording an application / issue."""

    route_base = "/issuances"
    class_permission_name = "Issuances"
    method_permission_name = {"list": "read", "show": "read", "new": "write"}
    default_view = "list"

    @expose("/")
    @has_access
    @no_cache
    def list(self):
        errors = []
        filters, office_code = _filters_from_request(errors)
        after = request.args.get("after", "")
        page = pass_service.list_passes(filters, after_id=_number(after))
        current = fiscal_year_of(clock.today())
        html = self.render_template(
            "issuances/list.html",
            page=page,
            filters=filters,
            office_code=office_code or "",
            errors=errors,
            offices=offices_by_id().values(),
            fiscal_years=list(range(current, current - 6, -1)),
            kinds=KINDS,
            methods=METHODS,
            args=request.args,
        )
        # After rendering: the commit would expire the rows the page reads.
        audit.record(
            "issuance.list",
            detail={**filters.as_log(office_code), "returned": len(page.rows)},
            people=[row.resident.resident_no for row in page.rows],
            commit=True,
        )
        return html

    @expose("/<int:pk>")
    @has_access
    @no_cache
    def show(self, pk):
        try:
            issuance = pass_service.get(pk)
        except NotFound:
            abort(404)
        rows = pass_service.history_of(issuance)
        users = records.history_users(rows)
        html = self.render_template(
            "issuances/show.html",
            issuance=issuance,
            history=describe_history(rows, users, {issuance.id: issuance}),
            can_correct=can("can_write", "IssuanceAdmin"),
        )
        audit.record(
            "issuance.view",
            resident_no=issuance.resident.resident_no,
            target=f"{issuance.fiscal_year}-{issuance.control_no}",
            commit=True,
        )
        return html

    @expose("/new/<int:resident_pk>", methods=["GET", "POST"])
    @has_access
    @no_cache
    def new(self, resident_pk):
        try:
            resident = records.get(resident_pk)
        except NotFound:
            abort(404)
        passes = records.passes_of(resident.id)
        defaults = records.issue_defaults(resident, g.user, passes=passes)
        form = ApplicationForm()
        form.office.choices = _office_choices_for_user()
        _method_choices(form)
        window = _march_window(form)
        if request.method == "GET":
            _fill_defaults(form, defaults)
        elif form.validate_on_submit():
            done = _submit_issue(resident, form)
            if done is not None:
                return done
        if _submission_token(form) is None:
            form.submission.data = secrets.token_urlsafe(SUBMISSION_TOKEN_BYTES)
        html = self.render_template(
            "issuances/new.html",
            resident=resident,
            form=form,
            defaults=defaults,
            past_year=_past_year(form),
            march_window=window,
            can_override=can("can_override", "IssuanceAdmin"),
            branch_only=_issuing_user_is_branch_only(),
        )
        # office and method offer only what the user may choose (their own office, counter)
        log_form_shown(
            form,
            "resident.view",
            resident.resident_no,
            detail={"form": "issue"},
            guarded=("office", "method"),
        )
        return html


class IssuanceAdminView(BaseView):
    """Correct a pass: dates, office, method, returned and resent dates, note."""

    route_base = "/issuances"
    class_permission_name = "IssuanceAdmin"
    method_permission_name = {"edit": "write"}
    default_view = "edit"

    FIELDS = (
        "applied_on",
        "issued_on",
        "office",
        "method",
        "reissue_reason",
        "returned_on",
        "resent_on",
        "note",
    )

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    @no_cache
    def edit(self, pk):
        try:
            issuance = pass_service.get(pk)
        except NotFound:
            abort(404)
        form = IssuanceEditForm()
        form.office.choices = office_choices()
        if issuance.kind == "reissue":
            form.reissue_reason.choices = [c for c in form.reissue_reason.choices if c[0]]
        else:
            del form.reissue_reason
        if request.method == "GET":
            for name in self.FIELDS:
                if name in form:
                    form[name].data = getattr(issuance, "office_id" if name == "office" else name)
            if "reissue_reason" in form:
                form.reissue_reason.data = issuance.reissue_reason or ""
            form.version.data = issuance.version
        elif form.validate_on_submit():
            changes = {
                "applied_on": form.applied_on.data,
                "issued_on": form.issued_on.data,
                "office_id": form.office.data,
                "method": form.method.data,
                "returned_on": form.returned_on.data,
                "resent_on": form.resent_on.data,
                "note": (form.note.data or "").strip() or None,
            }
            if "reissue_reason" in form:
                changes["reissue_reason"] = form.reissue_reason.data or None
            try:
                issuance_service.update_issuance(
                    issuance, changes, g.user, expected_version=form.version.data
                )
            except DomainError as exc:
                add_form_error(form, exc)
            else:
                flash(_("The pass record was saved."), "success")
                return redirect(url_for("IssuanceView.show", pk=issuance.id))
        html = self.render_template("issuances/edit.html", issuance=issuance, form=form)
        log_form_shown(
            form,
            "issuance.view",
            issuance.resident.resident_no,
            target=f"{issuance.fiscal_year}-{issuance.control_no}",
            detail={"form": "correction"},
        )
        return html


def register(appbuilder):
    appbuilder.add_view(
        IssuanceView,
        "IssuanceList",
        label=_l("Pass records"),
        category="PassesMenu",
        category_label=_l("Passes"),
        icon="fa-id-card",
    )
    appbuilder.add_view_no_menu(IssuanceAdminView)
