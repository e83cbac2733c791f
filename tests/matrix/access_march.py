"""The March applications' batches screen (issue 12, 順次発送): the cover
letters' own permission (Letters.can_print)."""

from tests.matrix.access import ST, SV, A, Access, roles

PRINTING = roles(A, SV, ST)

EXPECTED = {
    "MarchBatchView.index": Access(PRINTING),
    "MarchBatchView.create": Access(PRINTING),
    # no batch of that number: 404 for those who may download
    "MarchBatchView.download": Access(PRINTING, ok=404),
}

ARG_OVERRIDES = {"MarchBatchView.download": {"batch_id": 999999, "name": "送付状.pdf"}}

MENU = {role: {"MarchBatches"} for role in (A, SV, ST)}
