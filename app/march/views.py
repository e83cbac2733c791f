"""The batches screen of the March applications (順次発送): the window, the
letters waiting, making today's batch now, and the batches' files.

Permissions: ``Letters.can_print`` (the cover letters' own), for the screen,
making a batch and downloading its files.
"""

import logging

from flask import abort, flash, g, redirect, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access, no_cache
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app import clock
from app.errors import DomainError, NotFound
from app.march import batches, window

log = logging.getLogger(__name__)


class MarchBatchView(BaseView):
    """順次発送: the daily batches of next-year letters."""

    route_base = "/march"
    class_permission_name = "Letters"
    method_permission_name = {"index": "print", "create": "print", "download": "print"}
    default_view = "index"

    @expose("/")
    @has_access
    @no_cache
    def index(self):
        today = clock.today()
        return self.render_template(
            "march/batches.html",
            today=today,
            window=window.upcoming(today),
            is_open=window.window_on(today) is not None,
            pending=batches.pending_count(today),
            batches=batches.recent_batches(),
        )

    @expose("/batch", methods=["POST"])
    @has_access
    def create(self):
        try:
            batch = batches.create_batch(user=g.user, trigger="screen")
        except DomainError as exc:
            flash(str(exc.message), "danger")
            return redirect(url_for("MarchBatchView.index"))
        if batch is None:
            flash(_("There are no letters waiting to be sent."), "info")
        else:
            flash(
                _("Batch %(id)s was made: %(n)s letters.") % {"id": batch.id, "n": batch.letters},
                "success",
            )
        return redirect(url_for("MarchBatchView.index"))

    @expose("/batch/<int:batch_id>/<name>")
    @has_access
    @no_cache
    def download(self, batch_id, name):
        try:
            batch = batches.get(batch_id)
            path = batches.file_path(batch, name)
        except NotFound:
            abort(404)
        batches.log_download(batch, name)
        download_name = f"{batch.batch_date:%Y%m%d}_{batch.id}_{name}"
        return send_file(
            path, mimetype="application/pdf", as_attachment=True, download_name=download_name
        )


def register(appbuilder):
    appbuilder.add_view(
        MarchBatchView,
        "MarchBatches",
        label=_l("March applications"),
        category="PassesMenu",
        category_label=_l("Passes"),
    )
