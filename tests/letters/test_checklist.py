"""日別処理状況リスト (daily processing checklist)."""

from datetime import date

from app.audit.models import AccessLog
from app.history import services as history
from app.letters import checklist, jobs
from app.passes import returns
from tests.factories import make_resident
from tests.letters.conftest import page_texts, pdf_text, save_png


def _day_of_work(mailed_pass, user, db, extra_counter=0):
    a = make_resident(name="窓口\u3000一子")
    mailed_pass(a, fiscal_year=2025, issued_on=date(2026, 3, 23), method="counter",
                by="branch", office="YOTSUYA")  # fmt: skip
    b = make_resident(name="郵送\u3000二郎")
    mailed_pass(b, fiscal_year=2025, issued_on=date(2026, 3, 23))
    c = make_resident(name="返戻\u3000三子")
    old = mailed_pass(c, fiscal_year=2025, issued_on=date(2026, 3, 23))
    returns.record_return(old, user("staff"))
    d = make_resident(name="送付\u3000四郎")
    history.record("resident", d.id, d.id, "mail_address", {"mail_address": [None, "x"]},
                   user=user("staff"))  # fmt: skip
    history.record("resident", d.id, d.id, "update", {"phone": [None, "1"]}, user=user("staff"))
    db.session.commit()
    for n in range(extra_counter):
        mailed_pass(make_resident(name=f"多数\u3000{n:02d}"), fiscal_year=2025,
                    issued_on=date(2026, 3, 23), method="counter")  # fmt: skip


def test_checklist_of_all_offices(login, march, mailed_pass, user, db):
    _day_of_work(mailed_pass, user, db, extra_counter=30)
    resp = login("staff").get("/checklist/pdf?date=2026-03-23")
    assert resp.status_code == 200
    pdf = resp.data
    pages = page_texts(pdf)
    # 35 rows: two pages of rows (28 + 7) and the totals page
    assert len(pages) == 3
    assert "1 / 3" in pages[0]
    assert "3 / 3" in pages[2]
    for page in pages[:2]:
        assert "時刻" in page  # header row repeated
        assert "整理番号" in page
        assert "担当者" in page
        assert "令和8年3月23日" in page
        assert "確認者印" in page
    text = "".join(pages)
    assert "窓口 一子" in text.replace("\u3000", " ")
    assert "四谷特別出張所" in text
    assert "返戻" in text
    assert "送付先変更" in text
    assert "試験 update" not in text
    assert "多数 29" in text.replace("\u3000", " ")
    assert "合計" in pages[2]
    assert "窓口" in pages[2]
    assert "郵送" in pages[2]
    width, height = _page_size(pdf)
    assert width > height  # A4 landscape
    save_png(pdf, "letters-checklist")
    log = db.session.query(AccessLog).filter_by(action="checklist.print").one()
    assert log.detail["rows"] == 35


def _page_size(pdf):
    import io

    from pypdf import PdfReader

    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    return float(box.width), float(box.height)


def test_a_day_without_work_says_so(login, march, db):
    pdf = login("staff").get("/checklist/pdf?date=R8.3.1&office=HQ").data
    text = pdf_text(pdf)
    assert "該当する処理はありません" in text
    assert "令和8年3月1日" in text
    assert "1 / 1" in text
    save_png(pdf, "letters-checklist-empty")


def test_branch_staff_see_only_their_own_office(login, march, mailed_pass, user, db):
    _day_of_work(mailed_pass, user, db)
    client = login("branch")
    own = pdf_text(client.get("/checklist/pdf?date=2026-03-23").data).replace("\u3000", " ")
    assert "窓口 一子" in own
    assert "郵送 二郎" not in own
    assert client.get("/checklist/pdf?date=2026-03-23&office=HQ").status_code == 403
    assert client.get("/checklist/stored/2026-03-23/HQ").status_code == 403
    page = client.get("/checklist/").get_data(as_text=True)
    assert "全事務所" not in page
    denied = db.session.query(AccessLog).filter_by(action="access.denied").count()
    assert denied == 2


def test_bad_date_is_refused(login, march, db):
    resp = login("staff").get("/checklist/pdf?date=2026-02-30", follow_redirects=True)
    assert "日付は 2026-04-01" in resp.get_data(as_text=True)


def test_evening_job_writes_every_office(app, login, march, mailed_pass, user, db):
    _day_of_work(mailed_pass, user, db)
    assert jobs.generate_daily_checklists() == "11 checklists written"
    stored = checklist.stored_checklists()
    assert len(stored) == 11
    yotsuya = checklist.stored_path(date(2026, 3, 23), "YOTSUYA").read_bytes()
    assert "窓口 一子" in pdf_text(yotsuya).replace("\u3000", " ")
    client = login("supervisor")
    assert "checklist/stored/2026-03-23/YOTSUYA" in client.get("/checklist/").get_data(as_text=True)
    assert client.get("/checklist/stored/2026-03-23/YOTSUYA").status_code == 200


def test_checklist_command(app, march, mailed_pass, user, db, tmp_path):
    _day_of_work(mailed_pass, user, db)
    out = tmp_path / "c.pdf"
    result = app.test_cli_runner().invoke(
        args=["checklist", "--date", "2026-03-23", "--office", "HQ", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes()).replace("\u3000", " ")
    assert "郵送 二郎" in text
    assert "窓口 一子" not in text


def test_hostile_and_long_names_are_printed_literally_on_one_line(login, march, mailed_pass):
    hostile = make_resident(name='<script>alert(1)</script><img src="file:///etc/passwd">')
    mailed_pass(hostile, fiscal_year=2025, issued_on=date(2026, 3, 23), method="counter")
    long = make_resident(name="長" * 98 + "😀")
    mailed_pass(long, fiscal_year=2025, issued_on=date(2026, 3, 23), method="counter")
    pdf = login("staff").get("/checklist/pdf?date=2026-03-23&office=HQ").data
    pages = page_texts(pdf)
    assert len(pages) == 2  # one page of rows, the totals: the long name did not wrap
    assert "<script>alert(1)</script>" in pages[0]
    assert "長長長…" in pages[0]


def _reissued(mailed_pass, offices, user, db, name):
    """A counter pass of 2026-03-23 and its reissue (lost) the same day."""
    from app.passes.issuance import issue_pass

    person = make_resident(name=name)
    old = mailed_pass(person, fiscal_year=2025, issued_on=date(2026, 3, 23), method="counter")
    db.session.commit()
    new = issue_pass(
        person, kind="reissue", applied_on=date(2026, 3, 23), issued_on=date(2026, 3, 23),
        office=offices["HQ"], method="counter", user=user("staff"), reissue_reason="lost",
        supersedes_id=old.id,
    )  # fmt: skip
    db.session.commit()
    return old, new


def _statements_of(statements, action):
    with statements() as seen:
        result = action()
    return len(seen), result


def test_each_reissue_names_the_pass_it_replaced_in_one_statement(
    march, mailed_pass, offices, user, db, statements
):
    """The 備考 of a reissue names the replaced 整理番号; finding them is one
    statement for the whole day, not one per reissue (the soak test's checklist
    of a busy day took 26 s with a statement per line)."""
    first = [_reissued(mailed_pass, offices, user, db, f"再交\u3000{n}子") for n in range(2)]
    few, found = _statements_of(statements, lambda: checklist.collect(date(2026, 3, 23)))
    rows = found["rows"]
    notes = {r["control_no"]: r["note"] for r in rows}
    for old, new in first:
        assert f"旧整理番号 {old.control_no}" in notes[str(new.control_no)]
        assert "旧整理番号" not in notes[str(old.control_no)]
    for n in range(6):
        _reissued(mailed_pass, offices, user, db, f"再交\u3000{n}郎")
    many, found = _statements_of(statements, lambda: checklist.collect(date(2026, 3, 23)))
    assert sum("旧整理番号" in r["note"] for r in found["rows"]) == 8
    assert many == few
