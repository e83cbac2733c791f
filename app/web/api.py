"""Read-only REST API: ``/api/v1/residents/`` and ``/api/v1/issuances/``.

Sign in with ``POST /api/v1/security/login`` (JWT), then ``GET`` a list
(``?q=`` in FAB's rison form, e.g.
``q=(filters:!((col:resident_no,opr:eq,value:'1086400007')))``), one record
(``/<id>``) or ``/_info``.  A person's passes:
``/api/v1/issuances/?q=(filters:!((col:resident,opr:rel_o_m,value:<resident id>)))``.
There are no write routes at all.  The same
permission groups as the screens apply (``Residents``, ``Issuances``:
``can_read``), pages are capped by ``FAB_API_MAX_PAGE_SIZE`` and every read of
personal data is an ``api.read`` access-log row.
"""

import logging
import sys

from flask import request
from flask_appbuilder.api import ModelRestApi
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from marshmallow import Schema, fields

from app.audit import writer as audit
from app.db.timeouts import is_statement_timeout
from app.extensions import db
from app.passes.models import Issuance
from app.residents.models import CATEGORY_COLUMNS, Resident
from app.web.display import FIELD_LABELS

log = logging.getLogger(__name__)

READ_ONLY_ROUTES = {"get_list", "get", "info"}
READ_PERMISSIONS = {"get_list": "read", "get": "read", "info": "read"}


class ResidentSchema(Schema):
    id = fields.Integer()
    resident_no = fields.String()
    name = fields.String()
    kana = fields.String()
    sex = fields.Integer()
    birth_date = fields.Date()
    postal_code = fields.String()
    address = fields.String()
    address2 = fields.String()
    categories = fields.List(fields.String())  # Resident.categories
    status = fields.String()
    excluded_on = fields.Date(allow_none=True)
    exclusion_reason = fields.String(allow_none=True)
    gaiji = fields.Boolean(attribute="has_gaiji")
    # 送付停止: filled in by ResidentApi for the whole page in one query.
    mail_stopped = fields.Boolean(dump_default=False)
    mail_stop_reason = fields.String(allow_none=True, dump_default=None)


class IssuanceSchema(Schema):
    id = fields.Integer()
    resident_no = fields.Function(lambda p: p.resident.resident_no)
    control_no = fields.Integer()
    fiscal_year = fields.Integer()
    kind = fields.String()
    reissue_reason = fields.String(allow_none=True)
    applied_on = fields.Date()
    issued_on = fields.Date()
    office = fields.Function(lambda p: p.office.code)
    method = fields.String()
    status = fields.String()
    returned_on = fields.Date(allow_none=True)
    resent_on = fields.Date(allow_none=True)
    # self (本人) / proxy (代理人); null when not recorded (app.applications).
    applicant = fields.String(allow_none=True)


def _field_names(schema_class):
    return list(schema_class._declared_fields)


class TimeoutAnswered:
    """For FAB's REST views, whose ``@safe`` answers every exception with a
    500: a statement cancelled by ``STATEMENT_TIMEOUT_MS`` is a 503 with the
    screens' Japanese message instead (``@safe`` calls this inside its
    ``except``, so the exception is the one being handled)."""

    def response_500(self, message=None):
        if is_statement_timeout(sys.exc_info()[1]):
            from app.security.http import ERROR_MESSAGES

            db.session.rollback()
            return self.response(503, message=str(ERROR_MESSAGES[503][1]))
        return super().response_500(message)


class ReadOnlyApi(TimeoutAnswered, ModelRestApi):
    """A ModelRestApi with GET routes only, fixed response fields and access logging."""

    include_route_methods = READ_ONLY_ROUTES
    method_permission_name = READ_PERMISSIONS
    base_order = ("id", "asc")
    page_size = 20

    def _init_properties(self):
        super()._init_properties()
        # No add/edit forms: _info must not list related records for them
        # (for passes that would be every resident).
        self.add_columns = []
        self.edit_columns = []

    def _handle_columns_args(self, args, default_select_columns, default_response_columns):
        # Responses always carry the documented fields; ``columns`` is ignored.
        return default_select_columns, []

    def _log(self, results):
        numbers = sorted({r.get("resident_no") for r in results if r.get("resident_no")})
        audit.record(
            "api.read",
            resident_no=numbers[0] if len(numbers) == 1 else None,
            target=request.path,
            detail={
                "resource": self.resource_name,
                "q": request.args.get("q", ""),
                "returned": len(results),
            },
            people=numbers,
            commit=True,
        )

    def pre_get(self, data):
        self._log([data.get("result", {})])

    def pre_get_list(self, data):
        self._log(data.get("result", []))


# The API's column labels are the screens' field labels (one translation each),
# plus the few columns only the API has.
_ID_LABEL = {"id": _l("Internal ID")}
RESIDENT_LABELS = {
    **_ID_LABEL,
    **{
        field: FIELD_LABELS[field]
        for field in (
            "resident_no", "name", "kana", "sex", "birth_date", "postal_code",
            "address", "address2", "status", "excluded_on", "exclusion_reason",
        )
    },
    "categories": _l("Category"),
    "gaiji": _l("Gaiji"),
    "mail_stopped": _l("Mailing stopped"),
    "mail_stop_reason": _l("Reason for stopping"),
}  # fmt: skip
ISSUANCE_LABELS = {
    **_ID_LABEL,
    **{
        field: FIELD_LABELS[field]
        for field in (
            "resident_no", "control_no", "fiscal_year", "kind", "reissue_reason",
            "applied_on", "issued_on", "method", "status", "returned_on", "resent_on",
        )
    },
    "office": FIELD_LABELS["office_id"],
    "applicant": _l("Applicant"),
}  # fmt: skip


class ResidentApi(ReadOnlyApi):
    resource_name = "residents"
    datamodel = SQLAInterface(Resident)
    class_permission_name = "Residents"
    label_columns = RESIDENT_LABELS
    list_title = show_title = add_title = edit_title = _l("People")
    list_model_schema = ResidentSchema()
    show_model_schema = ResidentSchema()
    list_columns = _field_names(ResidentSchema)
    show_columns = list_columns
    list_select_columns = [
        "id",
        "resident_no",
        "name",
        "kana",
        "sex",
        "birth_date",
        "postal_code",
        "address",
        "address2",
        *CATEGORY_COLUMNS.values(),  # read by Resident.categories
        "status",
        "excluded_on",
        "exclusion_reason",
        "has_gaiji",
    ]
    show_select_columns = list_select_columns
    search_columns = [
        "resident_no",
        "kana_key",
        "name_key",
        "birth_date",
        "postal_code",
        "status",
        *CATEGORY_COLUMNS.values(),
    ]
    order_columns = ["id", "resident_no", "kana_key", "birth_date"]

    def _mail_stops(self, results):
        from app.mailing.stops import stopped_among

        stopped = stopped_among([r["resident_no"] for r in results if r.get("resident_no")])
        for r in results:
            r["mail_stopped"] = r.get("resident_no") in stopped
            r["mail_stop_reason"] = stopped.get(r.get("resident_no"))

    def pre_get(self, data):
        self._mail_stops([data.get("result", {})])
        super().pre_get(data)

    def pre_get_list(self, data):
        self._mail_stops(data.get("result", []))
        super().pre_get_list(data)


class IssuanceApi(ReadOnlyApi):
    resource_name = "issuances"
    datamodel = SQLAInterface(Issuance)
    class_permission_name = "Issuances"
    label_columns = ISSUANCE_LABELS
    list_title = show_title = add_title = edit_title = _l("Pass records")
    list_model_schema = IssuanceSchema()
    show_model_schema = IssuanceSchema()
    list_columns = _field_names(IssuanceSchema)
    show_columns = list_columns
    list_select_columns = [
        "id",
        "control_no",
        "fiscal_year",
        "kind",
        "reissue_reason",
        "applied_on",
        "issued_on",
        "method",
        "status",
        "returned_on",
        "resent_on",
        "applicant",
        "resident.resident_no",
        "office.code",
    ]
    show_select_columns = list_select_columns
    search_columns = [
        "fiscal_year",
        "control_no",
        "kind",
        "method",
        "status",
        "issued_on",
        "applied_on",
        "returned_on",
        "resent_on",
        "resident",
        "office",
    ]
    order_columns = ["id", "fiscal_year", "control_no", "issued_on"]


def register(appbuilder):
    appbuilder.add_api(ResidentApi)
    appbuilder.add_api(IssuanceApi)
