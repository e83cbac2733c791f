"""The files the application writes go through app.files.tables: a hostile 宛名,
送付先 or log entry comes out of the mailing list and the access-log CSV as text."""

import csv
import io
import json
from datetime import date, datetime

import pytest

from app.audit.models import AccessLog
from tests.factories import make_resident

# A March day of fiscal 2025, when the mass mailing of fiscal 2026 is done.
MARCH_DAY = datetime(2026, 3, 23, 10, 0)


def _issue_last_years_pass(person, user):
    from app.offices.services import by_code
    from app.passes.issuance import issue_pass

    issue_pass(
        person,
        kind="new",
        applied_on=date(2025, 6, 1),
        issued_on=date(2025, 6, 1),
        office=by_code("HQ"),
        method="mail",
        user=user("staff"),
        fiscal_year=2025,
    )


@pytest.fixture
def hostile_holders(db, user, frozen_clock):
    """Two people due for a renewal: one mailed at home, one at a 送付先 in the
    care of family, every name and address line starting like a formula."""
    frozen_clock(MARCH_DAY)
    at_home = make_resident(
        name='=HYPERLINK("http://x","y")',
        postal_code="1600001",
        address="\t=1+2",
        address2=" @SUM(A1)",
    )
    elsewhere = make_resident(
        name="-1+2",
        postal_code="1600002",
        mail_name="\r=1",
        mail_reason="family",
        mail_postal_code="1600003",
        mail_address="＝1",
    )
    for person in (at_home, elsewhere):
        _issue_last_years_pass(person, user)
    return at_home, elsewhere


def test_the_mailing_list_neutralises_hostile_names_and_addresses(app, hostile_holders, tmp_path):
    out = tmp_path / "run"
    result = app.test_cli_runner().invoke(
        args=["letters", "mass-mailing", "--fiscal-year", "2026", "--out", str(out),
              "--workers", "1"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = (out / "mailing-list.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0][3] == "氏名"
    by_postal_code = {row[5]: row for row in rows[1:]}
    home, family = by_postal_code["1600001"], by_postal_code["1600003"]
    assert home[3] == '\'=HYPERLINK("http://x","y")'
    assert home[4] == ""
    assert home[6:8] == ["'\t=1+2", "' @SUM(A1)"]
    assert family[3] == "'-1+2"
    # the household line: the 宛名 trimmed, then 様方 (still neutralised)
    assert family[4] == "'=1\u3000様方"
    assert family[6] == "'＝1"
    assert int(home[0]) in (1, 2)  # a number stays a number


def _add_log(db, **values):
    row = AccessLog(at=datetime(2026, 5, 1, 9), action="resident.view", outcome="ok", **values)
    db.session.add(row)
    db.session.commit()


def _csv(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_access_log_csv_neutralises_hostile_entries(app, db, login):
    _add_log(db, username=" =1", resident_no="1234567890", target="\t=HYPERLINK(1)",
             ip="@SUM(A1)", detail={"q": "=1"})  # fmt: skip
    result = app.test_cli_runner().invoke(args=["audit", "export", "--since", "2026-05-01"])
    assert result.exit_code == 0, result.output
    row = _csv(result.stdout)[1]
    assert row[0] == "2026-05-01 09:00:00"
    assert row[1] == "' =1"
    assert row[4] == "'@SUM(A1)"
    assert row[6] == "1234567890"
    assert row[7] == "'\t=HYPERLINK(1)"
    assert row[9] == "検索語：=1"  # the detail in words
    assert row[13] == "'\t=HYPERLINK(1)"  # the codes, at the end, as safe
    assert json.loads(row[15]) == {"q": "=1"}  # JSON starts with "{": nothing to quote
    resp = login("auditor").get("/accesslog/export.csv", query_string={"date_from": "2026-05-01"})
    body = resp.get_data(as_text=True)
    assert body.startswith("\ufeff日時,")
    screen = [r for r in _csv(body.removeprefix("\ufeff"))[1:] if r[12] == "resident.view"]
    assert screen == [row]
