"""The home page: the signed-in user's office's work today."""

from flask import g
from flask_appbuilder import IndexView, expose

from app.audit import writer as audit
from app.home import figures as dashboard


class HomeView(IndexView):
    route_base = ""
    index_template = "home.html"

    @expose("/")
    def index(self):
        summary = None
        if g.user is not None and g.user.is_authenticated:
            summary = dashboard.today_summary(g.user)
        html = self.render_template(self.index_template, summary=summary)
        if summary and summary["latest"]:
            # The latest passes name their people: logged like the pass list.
            audit.record(
                "issuance.list",
                detail={"view": "home", "returned": len(summary["latest"])},
                people=[row.resident.resident_no for row in summary["latest"]],
                commit=True,
            )
        return html


def register(appbuilder):
    """The index view is registered by FAB itself (``FAB_INDEX_VIEW``)."""
