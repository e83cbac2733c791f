"""The access-log screen: search by user, person, action and dates; CSV export.

Read-only: there is no route that changes or deletes a row.  Every search and
export is itself logged.
"""

from flask import Response, current_app, request, stream_with_context
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.audit import logs
from app.audit import writer as audit
from app.audit.details import Words
from app.errors import DomainError
from app.files import tables

PAGE_SIZE = 100
FIELDS = ("user", "resident_no", "action", "date_from", "date_to")


def _filter_from_args(args):
    return logs.parse_filter(
        username=args.get("user"),
        resident_no=args.get("resident_no"),
        action=args.get("action"),
        date_from=args.get("date_from"),
        date_to=args.get("date_to"),
    )


class AccessLogView(BaseView):
    route_base = "/accesslog"
    class_permission_name = "AccessLog"
    method_permission_name = {"search": "read", "export": "export"}
    default_view = "search"

    @expose("/")
    @has_access
    def search(self):
        values = {name: request.args.get(name, "") for name in FIELDS}
        page = max(request.args.get("page", 1, type=int) or 1, 1)
        errors, rows, total = {}, [], 0
        try:
            flt = _filter_from_args(request.args)
        except DomainError as exc:
            errors[exc.field or "form"] = exc.message
        else:
            rows, total = logs.search(flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
            audit.record(
                "access_log.search",
                detail={"filter": flt.as_detail(), "page": page, "rows": len(rows), "total": total},
                commit=True,
            )
        return self.render_template(
            "audit/search.html",
            values=values,
            errors=errors,
            rows=rows,
            total=total,
            page=page,
            pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
            actions=logs.ACTIONS,
            words=Words(),
            title=_("Access log"),
        )

    def _refused(self, field, message):
        return self.render_template(
            "audit/search.html",
            values={name: request.args.get(name, "") for name in FIELDS},
            errors={field: message},
            rows=[],
            total=0,
            page=1,
            pages=1,
            actions=logs.ACTIONS,
            words=Words(),
            title=_("Access log"),
        ), 400

    @expose("/export.csv")
    @has_access
    def export(self):
        try:
            flt = _filter_from_args(request.args)
        except DomainError as exc:
            return self._refused(exc.field or "form", exc.message)
        total = logs.count(flt)
        most = current_app.config["ACCESS_LOG_EXPORT_MAX_ROWS"]
        if total > most:
            # A download holds a web worker until its last row (about 8 s per
            # 100,000 rows); the whole log of a year is the command line's job.
            return self._refused(
                "form",
                _(
                    "The download would have %(n)s rows; the screen gives at most %(most)s."
                    " Narrow the period or the other conditions, or ask the administrator"
                    " for the whole log (flask audit export)."
                )
                % {"n": f"{total:,}", "most": f"{most:,}"},
            )
        # Logged before the download starts: a cut-off download was still an export.
        audit.record(
            "access_log.export", detail={"filter": flt.as_detail(), "rows": total}, commit=True
        )

        # The byte-order mark (tables' default) is what makes Excel read UTF-8.
        body = tables.iter_csv(logs.csv_header(), logs.csv_records(logs.iter_rows(flt)))
        filename = f"access_log_{clock.now():%Y%m%d_%H%M}.csv"
        return Response(
            stream_with_context(body),
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="{filename}"',
                "Content-Type": "text/csv; charset=utf-8",
            },
        )


def register(appbuilder):
    current_app.jinja_env.filters.update(
        access_action=lambda code: f"{logs.ACTION_LABELS.get(code, code)}" if code else "",
        access_outcome=lambda code: f"{logs.OUTCOME_LABELS.get(code, code)}" if code else "",
    )
    appbuilder.add_view(
        AccessLogView,
        "AccessLogMenu",
        label=_l("Access log"),
        icon="fa-list-alt",
        category="ManagementMenu",
        category_label=_l("Management"),
        category_icon="fa-cogs",
    )
