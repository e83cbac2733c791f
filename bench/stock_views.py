"""A stock Flask-AppBuilder ModelView of residents, for the benchmark only.

``bench/search.py`` measures our search and person page against what FAB gives
out of the box over the same data, in the same server run.  Registered only
when ``EXTRA_VIEW_MODULES`` names this module (never in production), with no menu entry,
behind the same permission group as the residents' screens.
"""

from flask_appbuilder import ModelView
from flask_appbuilder.models.sqla.interface import SQLAInterface

from app.residents.models import Resident


class StockResidentView(ModelView):
    """FAB's defaults: a list with column filters (the kana prefix is FAB's
    "starts with" filter, ``_flt_0_kana``) and a show page."""

    route_base = "/bench/stock/residents"
    datamodel = SQLAInterface(Resident)
    class_permission_name = "Residents"
    method_permission_name = {"list": "read", "show": "read"}
    base_permissions = ["can_read"]
    list_columns = ["resident_no", "name", "kana", "birth_date", "address", "status"]
    search_columns = ["resident_no", "name", "kana"]
    show_columns = [
        "resident_no",
        "name",
        "kana",
        "sex",
        "birth_date",
        "postal_code",
        "address",
        "address2",
        "phone",
        "status",
        "note",
    ]


def register(appbuilder):
    appbuilder.add_view_no_menu(StockResidentView)
