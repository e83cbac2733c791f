"""``GET /api/v1/stats/?as_of=YYYY-MM-DD&fiscal_year=Y[&office=CODE]``: the
report as the JSON of ``flask stats`` (JWT, as every API of ours; the roles
that see the statistics screen; a branch user gets their own office's pass
figures, and a 403 with a Japanese message for another office)."""

import logging

from flask import g, request
from flask_appbuilder.api import BaseApi, expose, protect, safe

from app.errors import DomainError, PermissionDenied
from app.stats import services
from app.stats.views import checked_request
from app.web.api import TimeoutAnswered

log = logging.getLogger(__name__)


class StatsApi(TimeoutAnswered, BaseApi):
    resource_name = "stats"
    class_permission_name = "Statistics"
    method_permission_name = {"get_stats": "read"}
    openapi_spec_tag = "Statistics"

    @expose("/", methods=["GET"])
    @protect()
    @safe
    def get_stats(self):
        """The program statistics for an as-of date and fiscal year.
        ---
        get:
          responses:
            200:
              description: the figures
            400:
              description: bad input (a Japanese message)
            403:
              description: another office asked for by a branch user
        """
        try:
            stats_request = checked_request(
                request.args.get("as_of"),
                request.args.get("fiscal_year"),
                request.args.get("office", "").strip(),
                g.user,
            )
        except PermissionDenied as exc:
            return self.response(403, message=str(exc.message))
        except DomainError as exc:
            return self.response_400(message=str(exc.message))
        return self.response(200, **services.report_json(services.build_report(stats_request)))


def register(appbuilder):
    appbuilder.add_api(StatsApi)
