"""Who may use the お知らせ screens (``Notices``: Supervisor and Staff; Admin)."""

from tests.matrix.access import ST, SV, A, Access, roles

_MAY = roles(A, SV, ST)

EXPECTED = {
    "NoticesView.index": Access(_MAY),
    # a run for a period: the matrix's empty form is refused with a message
    # (no one to send, or a redirect back), never a 500
    "NoticesView.create": Access(_MAY, ok=302),
    # no notice run among the samples: a served request answers 404
    "NoticesView.show": Access(_MAY, ok=404),
    "NoticesView.download": Access(_MAY, ok=404),
}

ARG_OVERRIDES = {
    "NoticesView.show": {"run_id": 999999},
    "NoticesView.download": {"run_id": 999999, "kind": "pdf"},
}

MENU = {A: {"Notices"}, SV: {"Notices"}, ST: {"Notices"}}
