"""The home page: the signed-in user's office's work today."""

from flask import g
from flask_appbuilder import IndexView, expose

from app.home import figures as dashboard


class HomeView(IndexView):
    route_base = ""
    index_template = "home.html"

    @expose("/")
    def index(self):
        summary = None
        if g.user is not None and g.user.is_authenticated:
            summary = dashboard.today_summary(g.user)
        return self.render_template(self.index_template, summary=summary)


def register(appbuilder):
    """The index view is registered by FAB itself (``FAB_INDEX_VIEW``)."""
