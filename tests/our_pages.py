"""The main pages of the application, each with a role that sees it: the list
that the checks of every page read (axe-core in the browser, the Nu Html
Checker on the rendered HTML).

The objects the pages show come from the role matrix's ``samples`` fixture
(``tests/matrix/conftest.py``): a test module using :func:`main_pages` imports
that fixture.
"""

from dataclasses import dataclass

from flask import url_for


@dataclass(frozen=True)
class Page:
    """One page: a short name (for the printed counts), who looks, and where."""

    name: str
    role: str
    url: str


# (name, role, endpoint, URL arguments: sample names or literal values)
_PAGES = (
    ("home", "staff", "HomeView.index", {}),
    ("home-branch", "branch", "HomeView.index", {}),
    ("home-signed-out", "anonymous", "HomeView.index", {}),
    ("sign-in", "anonymous", "WardAuthDBView.login", {}),
    ("search-results", "staff", "ResidentSearchView.search", {"q": "ミホン"}),
    ("person", "staff", "ResidentSearchView.show", {"pk": "resident_id"}),
    ("person-auditor", "auditor", "ResidentSearchView.show", {"pk": "resident_id"}),
    ("pass-list", "staff", "IssuanceView.list", {}),
    ("pass", "staff", "IssuanceView.show", {"pk": "issuance_id"}),
    ("counter-issue-form", "branch", "IssuanceView.new", {"resident_pk": "resident_id"}),
    ("returns", "staff", "ReturnsView.index", {}),
    ("returns-batch", "staff", "ReturnsBatchView.index", {}),
    ("checklist", "staff", "ChecklistView.index", {}),
    ("mass-mailing", "supervisor", "MassMailingView.index", {}),
    (
        "mass-mailing-preview",
        "supervisor",
        "MassMailingView.preview",
        {"fiscal_year": "fiscal_year", "cutoff": "day"},
    ),
    ("mass-mailing-run", "supervisor", "MassMailingView.show", {"run_id": "run_id"}),
    ("notices", "supervisor", "NoticesView.index", {}),
    ("host-link-runs", "supervisor", "ImportRunView.runs", {}),
    ("host-link-run", "supervisor", "ImportRunView.run", {"run_id": "import_run_id"}),
    ("ledger-migration", "supervisor", "LedgerMigrationView.index", {}),
    ("ledger-run", "supervisor", "LedgerMigrationView.run", {"run_id": "ledger_run_id"}),
    ("access-log", "supervisor", "AccessLogView.search", {}),
    ("statistics", "staff", "StatsView.show", {}),
    ("staff-accounts", "supervisor", "StaffAccountsView.list", {}),
    ("my-account", "staff", "MyAccountView.show", {}),
    ("password-change", "staff", "MyAccountView.password", {}),
)
NOT_FOUND = "/no-such-page"


def main_pages(app, samples):
    """Every main page as a :class:`Page`, URLs filled from ``samples``; the
    error page (404) as signed in and signed out last."""
    pages = []
    with app.test_request_context():
        for name, role, endpoint, arguments in _PAGES:
            values = {
                k: samples.get(v, v) if isinstance(v, str) else v for k, v in arguments.items()
            }
            pages.append(Page(name, role, url_for(endpoint, **values)))
    pages.append(Page("not-found", "staff", NOT_FOUND))
    pages.append(Page("not-found-signed-out", "anonymous", NOT_FOUND))
    return pages
