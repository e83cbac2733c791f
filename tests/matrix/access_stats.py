"""The statistics screen and API (issue 14) and the list exports."""

from tests.matrix.access import AU, BR, SIGNED_IN, ST, SV, A, Access, Sample, roles

STATS = SIGNED_IN  # BranchStaff: own office only (tests/stats/)
READERS = SIGNED_IN
RECORDS_WORK = roles(A, SV, ST)
IMPORT_RUNS = roles(A, SV, ST, AU)
ACCOUNTS = roles(A, SV)

EXPECTED = {
    "StatsView.show": Access(STATS),
    "StatsView.pdf": Access(STATS),
    "StatsView.xlsx": Access(STATS),
    "StatsApi.get_stats": Access(STATS, jwt=True),
    # without a search (no ?q= nor filter) the export refuses: 400
    "ResidentExportView.search": Access(READERS, ok=400),
    "PassExportView.passes": Access(READERS),
    "ReturnsExportView.returns": Access(RECORDS_WORK),
    "HostLinkExportView.runs": Access(IMPORT_RUNS),
    "HostLinkExportView.excluded": Access(IMPORT_RUNS),
    "AccountExportView.accounts": Access(ACCOUNTS),
}

ARG_OVERRIDES = {
    "ResidentExportView.search": {"fmt": "csv"},
    "PassExportView.passes": {"fmt": "csv"},
    "ReturnsExportView.returns": {"fmt": "xlsx"},
    "HostLinkExportView.runs": {"fmt": "csv"},
    "HostLinkExportView.excluded": {"run_id": Sample("import_run_id"), "fmt": "xlsx"},
    "AccountExportView.accounts": {"fmt": "xlsx"},
}

MENU = {role: {"Statistics"} for role in (A, SV, ST, BR, AU)}
