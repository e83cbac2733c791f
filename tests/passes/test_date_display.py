"""One display form of dates on the screens, 和暦 (令和8年11月20日), also in
form defaults; the Western form only in files for machines (issue 11, item 17)."""

import re
from datetime import date, datetime

from lxml import html as lxml_html

from app.hostlink import imports
from app.hostlink.writer import build_extract
from app.passes import returns
from app.passes.issuance import issue_pass

ISO = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b")
SHORT_WAREKI = re.compile(r"\b[MTSHR]\d{2}\.\d{2}\.\d{2}\b")


def _shown_dates(page_html):
    """ISO or short 和暦 dates a person reads on the page, or finds in a form
    field's value; help texts (which name the accepted spellings) aside."""
    tree = lxml_html.fromstring(page_html)
    for node in tree.xpath("//script | //style | //head | //*[contains(@class, 'help-block')]"):
        node.drop_tree()
    values = tree.xpath("//input[not(@type='hidden')]/@value | //textarea/text()")
    text = "\n".join([tree.text_content(), *values])
    return ISO.findall(text) + SHORT_WAREKI.findall(text)


def _host_run(tmp_path):
    """One applied host extract (its run has an as-of date and times)."""
    record = {"resident_no": "2000000001", "name": "試験\u3000一郎", "kana": "シケン イチロウ",
              "sex": 1, "birth_date": date(1950, 6, 1), "postal_code": "1600022",
              "address": "東京都新宿区新宿１－１－１", "address2": "", "phone": "",
              "is_elderly": True, "is_disabled": False, "is_child_allowance": False}  # fmt: skip
    as_of = date(2026, 11, 16)
    path = tmp_path / f"FUREAI_{as_of:%Y%m%d}.DAT"
    path.write_bytes(build_extract(as_of, [record], created_on=as_of))
    path.with_suffix(".END").write_bytes(b"")
    return imports.import_file(path, trigger="command")


def test_screens_show_dates_in_wareki_only(
    app, db, login, person, office, user, frozen_clock, tmp_path
):
    frozen_clock(datetime(2026, 11, 20, 10, 0))
    mailed = issue_pass(person, kind="new", applied_on=date(2026, 11, 2),
                        issued_on=date(2026, 11, 2), office=office("HQ"), method="mail",
                        user=user("staff"))  # fmt: skip
    returns.record_return(mailed, user("staff"))
    run = _host_run(tmp_path)
    client = login("supervisor")
    client.get(f"/residents/{person.id}")  # an access-log row to show
    pages = [
        "/",
        f"/residents/{person.id}",
        f"/residents/{person.id}/edit",
        f"/issuances/new/{person.id}",
        "/issuances/",
        f"/issuances/{mailed.id}",
        f"/issuances/{mailed.id}/edit",
        "/returns/",
        "/checklist/",
        "/massmailing/",
        "/accesslog/",
        "/hostlink/runs/",
        f"/hostlink/runs/{run.run_id}",
        "/staffaccounts/",
        "/myaccount/",
    ]
    for url in pages:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert _shown_dates(resp.get_data(as_text=True)) == [], url


def test_form_defaults_are_wareki_and_read_back(db, login, person, office, user, today):
    client = login("staff")
    page = client.get(f"/issuances/new/{person.id}").get_data(as_text=True)
    assert 'id="applied_on" name="applied_on" required type="text" value="令和8年11月20日"' in page
    edit = client.get(f"/residents/{person.id}/edit").get_data(as_text=True)
    assert 'value="昭和30年4月1日"' in edit
    assert 'value="令和8年11月20日"' in client.get("/checklist/").get_data(as_text=True)


def test_the_access_log_shows_wareki_with_the_time(db, login, person, frozen_clock):
    frozen_clock(datetime(2026, 12, 1, 14, 5))
    client = login("supervisor")
    client.get(f"/residents/{person.id}")
    page = client.get("/accesslog/").get_data(as_text=True)
    assert "令和8年12月1日 14:05" in page
