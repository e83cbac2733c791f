"""Excel and CSV exports of the lists: every row, Japanese names and headers,
formula-like cells neutralised, and one access-log row naming everyone."""

import csv
import io
from datetime import date
from urllib.parse import unquote

import pytest
from openpyxl import load_workbook
from sqlalchemy import select


def _people(n, **extra):
    from tests.factories import make_resident

    return [
        make_resident(name=f"出力\u3000{i:03d}", kana=f"シュツリョク {i:03d}", **extra)
        for i in range(n)
    ]


def _export_log():
    from app.audit.models import AccessLog, AccessLogPerson
    from app.extensions import db

    row = db.session.execute(
        select(AccessLog).where(AccessLog.action.in_(["resident.export", "list.export"]))
        .order_by(AccessLog.id.desc())
    ).scalars().first()  # fmt: skip
    numbers = db.session.execute(
        select(AccessLogPerson.resident_no).where(AccessLogPerson.log_id == row.id)
    ).scalars().all()  # fmt: skip
    return row, sorted(numbers)


def test_exports_search_results_every_page_to_excel(login, db):
    people = _people(30)  # more than one page of 25
    resp = login("staff").get("/exports/residents/search.xlsx?q=シュツリョク")
    assert resp.status_code == 200
    name = unquote(resp.headers["Content-Disposition"].split("UTF-8''")[1])
    assert name.startswith("対象者_")
    assert name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "住民番号"
    assert rows[0][1] == "氏名"
    assert len(rows) == 31
    assert sheet.freeze_panes == "A2"
    entry, numbers = _export_log()
    assert entry.action == "resident.export"
    assert entry.detail["rows"] == 30
    assert numbers == sorted(p.resident_no for p in people)


def test_exports_csv_neutralises_formula_like_names(login, db):
    from tests.factories import make_resident

    make_resident(name='=HYPERLINK("x")', kana="シキ テスト")
    resp = login("staff").get("/exports/residents/search.csv?q=シキ")
    assert resp.status_code == 200
    assert resp.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[1][1] == '\'=HYPERLINK("x")'


def test_exports_pass_list_with_its_filters(login, db):
    from app.extensions import db as sqla
    from app.offices.services import by_code
    from app.passes.models import Issuance

    people = _people(3)
    hq = by_code("HQ")
    for no, (person, method) in enumerate(
        zip(people, ("counter", "mail", "mail"), strict=False), 1
    ):
        sqla.session.add(Issuance(
            resident_id=person.id, fiscal_year=2026, control_no=no, kind="new",
            applied_on=date(2026, 5, no), issued_on=date(2026, 5, no), office_id=hq.id,
            method=method, status="valid",
        ))  # fmt: skip
    sqla.session.commit()
    resp = login("auditor").get("/exports/passes/list.xlsx?fy=2026&method=mail")
    rows = list(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert [r[3] for r in rows[1:]] == [2, 3]
    assert rows[1][8] == "郵送"
    _entry, numbers = _export_log()
    assert numbers == sorted(p.resident_no for p in people[1:])


@pytest.mark.parametrize("role", ["branch", "auditor"])
def test_exports_are_refused_to_roles_that_do_not_see_the_list(login, db, role):
    resp = login(role).get("/exports/accounts/list.csv")
    assert resp.status_code in (302, 403)


def test_exports_accounts_and_import_runs_are_logged_without_people(login, db):
    client = login("supervisor")
    resp = client.get("/exports/accounts/list.csv")
    text = resp.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ユーザー名")
    assert "staff" in text
    entry, numbers = _export_log()
    assert entry.action == "list.export"
    assert numbers == []
    resp = client.get("/exports/hostlink/runs.xlsx")
    assert resp.status_code == 200
    header = next(load_workbook(io.BytesIO(resp.data)).active.iter_rows(values_only=True))
    assert len(header) == 13
    assert header[1] == "ファイル"


@pytest.mark.parametrize(
    ("role", "page", "link"),
    [
        ("staff", "/residents/?q=シュツリョク", "/exports/residents/search.xlsx?q="),
        ("staff", "/issuances/?fy=2026", "/exports/passes/list.csv?fy=2026"),
        ("staff", "/returns/", "/exports/returns/awaiting.xlsx"),
        ("supervisor", "/hostlink/runs/", "/exports/hostlink/runs.csv"),
        ("supervisor", "/staffaccounts/list/", "/exports/accounts/list.xlsx"),
    ],
)
def test_exports_each_list_links_to_its_files(login, db, role, page, link):
    _people(1)
    html = login(role).get(page).get_data(as_text=True)
    assert link in html.replace("&amp;", "&")
    assert "Excelで出力" in html
    assert "CSVで出力" in html
