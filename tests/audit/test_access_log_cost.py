"""What naming the people of a list in the access log costs per page (issue 11,
item 9): a search page of 25 people and a pass-list page of 50 passes, timed
through the test client and counted in SQL statements.

A measurement, not a check: it prints its figures (run it with ``-s``) and
asserts only that every page was served and logged.
"""

import statistics
import time
from datetime import date

import pytest

from app.audit.models import AccessLog
from tests.factories import make_resident

REQUESTS = 40
PEOPLE = 60


@pytest.fixture
def many_people(db, user, frozen_clock):
    """60 people whose kana starts with ソクテイ, each with a pass of today."""
    from app.offices import services as offices
    from app.passes import issuance

    frozen_clock(date(2026, 6, 1))
    staff, hq = user("staff"), offices.by_code("HQ")
    for n in range(PEOPLE):
        person = make_resident(name=f"測定\u3000{n:02d}", kana=f"ソクテイ {n:02d}")
        issuance.issue_pass(
            person, kind="new", applied_on=date(2026, 6, 1), issued_on=date(2026, 6, 1),
            office=hq, method="counter", user=staff,
        )  # fmt: skip


def _measure(statements, client, url):
    client.get(url)  # the first request warms the caches (menu, templates)
    times = []
    with statements() as seen:
        for _n in range(REQUESTS):
            start = time.perf_counter()
            resp = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
            assert resp.status_code == 200
    return statistics.median(times), statistics.mean(times), len(seen) / REQUESTS


@pytest.mark.slow
@pytest.mark.parametrize(
    ("page", "url", "action"),
    [
        ("search, 25 people", "/residents/?q=ソクテイ", "resident.search"),
        ("pass list, 50 passes", "/issuances/", "issuance.list"),
    ],
)
def test_cost_of_a_logged_list_page(db, login, statements, many_people, page, url, action):
    client = login("staff")
    before = db.session.query(AccessLog).filter(AccessLog.action == action).count()
    median, mean, per_page = _measure(statements, client, url)
    logged = db.session.query(AccessLog).filter(AccessLog.action == action).count() - before
    assert logged == REQUESTS + 1
    print(
        f"\n[{db.engine.dialect.name}] {page}: median {median:.2f} ms, mean {mean:.2f} ms, "
        f"{per_page:.1f} SQL statements per page ({REQUESTS} requests)"
    )


@pytest.mark.slow
@pytest.mark.parametrize("listed", [25, 50])
def test_cost_of_naming_the_people_of_one_row(app, db, listed):
    """The log row of a page alone, with and without its people, interleaved
    so that the machine's speed changes alike for both."""
    from app.audit import writer as audit

    numbers = [f"{1000000000 + n:010d}" for n in range(listed)]
    plain, named = [], []
    with app.test_request_context("/residents/"):
        for _n in range(REQUESTS * 5):
            for people, times in ((None, plain), (numbers, named)):
                start = time.perf_counter()
                audit.record(
                    "resident.search", detail={"q": "ソクテイ"}, people=people, commit=True
                )
                times.append((time.perf_counter() - start) * 1000)
    print(
        f"\n[{db.engine.dialect.name}] log row alone: median {statistics.median(plain):.3f} ms; "
        f"naming {listed} people: median {statistics.median(named):.3f} ms "
        f"(+{statistics.median(named) - statistics.median(plain):.3f} ms)"
    )
