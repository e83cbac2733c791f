"""People (事業対象者): the search screen, the person's page, corrections.

Permissions (``app.security.roles``): searching and viewing need
``Residents.can_read``; correcting master data, exclusion and review need
``ResidentMaster.can_write``.  Every search and view is access-logged.
"""

import logging
from functools import partial

from flask import abort, flash, g, jsonify, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, has_access_api, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.audit import writer as audit
from app.errors import DomainError, NotFound, PermissionDenied
from app.residents import corrections, records
from app.residents import search as people
from app.residents.forms import ExcludeForm, ResidentForm, VersionForm
from app.residents.models import CATEGORY_COLUMNS
from app.security import http
from app.text.wareki import age_on, fiscal_year_of, fiscal_year_start, format_wareki
from app.web import labels
from app.web.display import describe_history, offices_by_id, result_rows

log = logging.getLogger(__name__)

FISCAL_YEARS_SHOWN = 6


def can(permission, group):
    """Whether the signed-in user holds ``permission`` of the permission ``group``."""
    from app.extensions import appbuilder

    return appbuilder.sm.has_access(permission, group)


def add_form_error(form, exc):
    """Attach a DomainError to its field, or to the form as a whole (a
    refusal as not permitted is remembered for :func:`log_form_shown`)."""
    if isinstance(exc, PermissionDenied):
        form.permission_denied = True
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None and hasattr(field, "errors"):
        field.errors = list(field.errors) + [str(exc.message)]
    else:
        form.form_errors.append(str(exc.message))


def log_form_shown(form, action, resident_no, target=None, detail=None, guarded=()):
    """The one access-log row of a form page showing a person's data, as
    first shown or shown again with its errors.

    A submission refused as not permitted is logged as ``access.denied``,
    naming the person: a value of the ``guarded`` select fields that the form
    did not offer (:func:`app.security.http.refused_choices`), or a rule's
    :class:`~app.errors.PermissionDenied` (:func:`add_form_error`).
    """
    refused = http.refused_choices(form, guarded) if request.method == "POST" else []
    if refused or getattr(form, "permission_denied", False):
        http.log_refusal(
            None,
            "not_permitted",
            resident_no=resident_no,
            detail={"fields": refused, **(detail or {})},
        )
    else:
        audit.record(action, resident_no=resident_no, target=target, detail=detail, commit=True)


def _int_arg(name):
    value = request.args.get(name, "").strip()
    # ASCII digits only ("²" is a digit to str.isdigit but not to int()).
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 9 else None


def _filters_from_request():
    offices = offices_by_id()
    office_code = request.args.get("office", "").strip()
    office = next((o for o in offices.values() if o.code == office_code), None)
    filters = people.SearchFilters(
        category=request.args.get("category", "")
        if request.args.get("category") in CATEGORY_COLUMNS
        else "",
        status=request.args.get("status", "")
        if request.args.get("status") in people.STATUS_FILTERS
        else "",
        office_id=office.id if office else None,
        fiscal_year=_int_arg("fy"),
    )
    return filters, office.code if office else None


def _fiscal_years():
    current = fiscal_year_of(clock.today())
    return list(range(current, current - FISCAL_YEARS_SHOWN, -1))


def _ages(resident):
    today = clock.today()
    fy_start = fiscal_year_start(fiscal_year_of(today))
    at_start = age_on(resident.birth_date, fy_start) if resident.birth_date <= fy_start else None
    return age_on(resident.birth_date, today), at_start


def _show_url_pattern():
    """The person's page URL with ``{id}``: one ``url_for`` instead of one per row."""
    return url_for("ResidentSearchView.show", pk=0).removesuffix("0") + "{id}"


class ResidentSearchView(BaseView):
    """Search people and see one person's record (read only)."""

    route_base = "/residents"
    class_permission_name = "Residents"
    method_permission_name = {"search": "read", "show": "read", "lookup": "read"}
    default_view = "search"

    @expose("/")
    @has_access
    @no_cache
    def search(self):
        text = request.args.get("q", "")
        filters, office_code = _filters_from_request()
        after_id = _int_arg("after")
        error, query, page, log_detail = None, None, None, None
        try:
            query = people.parse_query(text)
        except DomainError as exc:
            error = str(exc.message)
        if query is not None and not (query.is_empty and filters.is_empty):
            page = people.search(query, filters, after_id=after_id)
            log_detail = {"q": text.strip(), "kind": query.kind, **filters.as_log(office_code)}
            if after_id:
                log_detail["after"] = after_id
            if query.kind == "resident_no" and len(page.rows) == 1 and not after_id:
                target = url_for(".show", pk=page.rows[0].id)
                audit.record(
                    "resident.search",
                    detail=log_detail,
                    people=[page.rows[0].resident_no],
                    commit=True,
                )
                return redirect(target)
        html = self.render_template(
            "residents/search.html",
            q=text,
            filters=filters,
            office_code=office_code or "",
            error=error,
            page=page,
            rows=[]
            if page is None
            else result_rows(page.rows, page.current_passes, clock.today(), _show_url_pattern()),
            after_id=after_id,
            offices=offices_by_id().values(),
            fiscal_years=_fiscal_years(),
            categories=CATEGORY_COLUMNS,
            statuses=people.STATUS_FILTERS,
        )
        # Logged after rendering: a commit expires every loaded row, and the page
        # would read each one again.  Nothing is sent before the log is committed.
        if log_detail is not None:
            shown = [r.resident_no for r in page.rows]
            audit.record("resident.search", detail=log_detail, people=shown, commit=True)
        elif error:
            audit.record(
                "resident.search", detail={"q": text.strip()}, outcome="refused", commit=True
            )
        return html

    @expose("/lookup")
    @has_access_api
    @no_cache
    def lookup(self):
        """Search-as-you-type: up to 10 people as JSON."""
        text = request.args.get("q", "")
        rows = people.lookup(text)
        payload = [
            {
                "url": url_for(".show", pk=r.id),
                "resident_no": r.resident_no,
                "name": r.name,
                "kana": r.kana,
                "birth_date": format_wareki(r.birth_date),
                "status": r.status,
            }
            for r in rows
        ]
        if text.strip():
            audit.record(
                "resident.search",
                detail={"q": text.strip(), "mode": "suggest", "returned": len(rows)},
                people=[r.resident_no for r in rows],
                commit=True,
            )
        return jsonify(payload)

    @expose("/<int:pk>")
    @has_access
    @no_cache
    def show(self, pk):
        try:
            resident = records.get(pk)
        except NotFound:
            abort(404)
        passes = records.pass_rows(resident.id)
        rows, users = records.history_of(resident.id)
        history = describe_history(rows, users, {p.id: p for p in passes})
        defaults = records.issue_defaults(resident, g.user, passes=passes)
        age_today, age_at_fy_start = _ages(resident)
        html = self.render_template(
            "residents/show.html",
            resident=resident,
            passes=passes,
            history=history,
            defaults=defaults,
            age_today=age_today,
            age_at_fy_start=age_at_fy_start,
            fy_start=fiscal_year_start(defaults.fiscal_year),
            can_issue=can("can_write", "Issuances"),
            can_edit=can("can_write", "ResidentMaster"),
            can_correct=can("can_write", "IssuanceAdmin"),
            version_form=partial(VersionForm, version=resident.version),
            # made only when the cached fragment of its fields is first rendered
            exclude_form=partial(ExcludeForm, formdata=None),
        )
        audit.record("resident.view", resident_no=resident.resident_no, commit=True)
        return html


class ResidentMasterView(BaseView):
    """Correct a person's master data, exclude, reinstate, clear a review flag."""

    route_base = "/residents"
    class_permission_name = "ResidentMaster"
    method_permission_name = {
        "edit": "write",
        "exclude": "write",
        "reinstate": "write",
        "review": "write",
    }
    default_view = "edit"

    def _resident(self, pk):
        try:
            return records.get(pk)
        except NotFound:
            abort(404)

    @expose("/<int:pk>/edit", methods=["GET", "POST"])
    @has_access
    @no_cache
    def edit(self, pk):
        resident = self._resident(pk)
        form = ResidentForm(obj=resident if request.method == "GET" else None)
        if request.method == "GET":
            form.version.data = resident.version
            form.mail_reason.data = resident.mail_reason or ""
            form.mail_kind.data = resident.mail_kind or ""
            html = self.render_template("residents/edit.html", resident=resident, form=form)
            log_form_shown(form, "resident.view", resident.resident_no)
            return html
        if form.validate_on_submit():
            try:
                fields = corrections.update_resident(
                    resident, form.changes(), g.user, expected_version=form.version.data
                )
            except DomainError as exc:
                add_form_error(form, exc)
            else:
                if fields:
                    flash(_("The person's record was saved."), "success")
                else:
                    flash(_("Nothing was changed."), "info")
                return redirect(url_for("ResidentSearchView.show", pk=resident.id))
        html = self.render_template("residents/edit.html", resident=resident, form=form)
        log_form_shown(form, "resident.view", resident.resident_no)
        return html

    @expose("/<int:pk>/exclude", methods=["POST"])
    @has_access
    def exclude(self, pk):
        resident = self._resident(pk)
        form = ExcludeForm()
        if form.validate_on_submit():
            try:
                corrections.exclude_resident(
                    resident,
                    form.reason.data,
                    form.excluded_on.data,
                    g.user,
                    expected_version=form.version.data,
                )
            except DomainError as exc:
                flash(str(exc.message), "danger")
            else:
                flash(_("The person was excluded."), "success")
        else:
            for errors in form.errors.values():
                for message in errors:
                    flash(str(message), "danger")
        return redirect(url_for("ResidentSearchView.show", pk=resident.id))

    def _confirm(self, pk, action, done_message):
        resident = self._resident(pk)
        form = VersionForm()
        if form.validate_on_submit():
            try:
                action(resident, g.user, expected_version=form.version.data)
            except DomainError as exc:
                flash(str(exc.message), "danger")
            else:
                flash(done_message, "success")
        return redirect(url_for("ResidentSearchView.show", pk=resident.id))

    @expose("/<int:pk>/reinstate", methods=["POST"])
    @has_access
    def reinstate(self, pk):
        return self._confirm(pk, corrections.reinstate_resident, _("The exclusion was cancelled."))

    @expose("/<int:pk>/review", methods=["POST"])
    @has_access
    def review(self, pk):
        return self._confirm(pk, corrections.clear_review, _("Marked as reviewed."))


def _register_filters():
    """Label filters the shared ``app.web.jinja`` does not have (yet)."""
    from flask import current_app

    filters = current_app.jinja_env.filters
    filters.setdefault("mail_reason_label", lambda code: labels.label(labels.MAIL_REASONS, code))


def register(appbuilder):
    _register_filters()
    appbuilder.add_view(
        ResidentSearchView,
        "ResidentSearch",
        label=_l("Search people"),
        category="PeopleMenu",
        category_label=_l("People"),
        icon="fa-search",
    )
    appbuilder.add_view_no_menu(ResidentMasterView)
