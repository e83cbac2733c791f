"""Role × URL table of the mailing feature (issue 12: 送付停止, returned mail,
the people a mass mailing does not mail)."""

from tests.matrix.access import ST, SV, A, Access, Sample, roles

RECORDS_WORK = roles(A, SV, ST)  # the person's page forms, returns
BULK_JOBS = roles(A, SV)  # the mass mailing

EXPECTED = {
    "MailStopView.stop": Access(RECORDS_WORK),
    "MailStopView.resume": Access(RECORDS_WORK),
    "MailStopView.hand_back": Access(RECORDS_WORK),
    "MailStopView.clear_return": Access(RECORDS_WORK),
    "ReturnsBatchView.index": Access(RECORDS_WORK),
    "ReturnsBatchView.one": Access(RECORDS_WORK),
    "ReturnsBatchView.upload": Access(RECORDS_WORK),
    "NotMailedView.preview": Access(BULK_JOBS),
    # the sample run is queued, not issued: it has no list yet
    "NotMailedView.run": Access(BULK_JOBS, ok=404),
}

ARG_OVERRIDES = {
    "MailStopView.stop": {"pk": Sample("resident_id")},
    "MailStopView.resume": {"pk": Sample("resident_id")},
    "MailStopView.hand_back": {"pk": Sample("resident_id")},
    "MailStopView.clear_return": {"pk": Sample("resident_id")},
    "NotMailedView.preview": {
        "kind": "xlsx",
        "fiscal_year": Sample("fiscal_year"),
        "cutoff": Sample("day"),
    },  # fmt: skip
    "NotMailedView.run": {"kind": "pdf", "run_id": Sample("run_id")},
}
