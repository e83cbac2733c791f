"""The daily checklist shows who applied (read back from the PDF)."""

from app.passes.issuance import issue_pass
from tests.factories import make_resident
from tests.letters.conftest import pdf_text, save_png


def _flat(text):
    return text.replace("\u3000", " ")


def test_the_checklist_shows_the_proxy_and_the_applicant_in_person(login, db, offices, user,
                                                                   today):  # fmt: skip
    common = {"kind": "new", "applied_on": today, "issued_on": today, "office": offices["HQ"],
              "method": "counter", "user": user("staff")}  # fmt: skip
    issue_pass(make_resident(name="代理\u3000申請"), **common, application={
        "applicant": "proxy", "proxy_name": "山田 花子", "proxy_relation": "separate_family",
        "proxy_authority": "power_of_attorney", "id_checked": "insurance_card"})  # fmt: skip
    issue_pass(make_resident(name="本人\u3000申請"), **common, application={
        "applicant": "self", "proxy_name": None, "proxy_relation": None,
        "proxy_authority": None, "id_checked": "my_number_card"})  # fmt: skip
    issue_pass(make_resident(name="記録\u3000なし"), **common)
    resp = login("staff").get(f"/checklist/pdf?date={today.isoformat()}")
    assert resp.status_code == 200
    save_png(resp.data, "applications-checklist-proxy")
    text = _flat(pdf_text(resp.data))
    rows = {line.split()[4]: line for line in text.splitlines() if "令和8年度" in line}
    assert "代理人 山田 花子" in rows["代理"]
    assert "別居の家族・委任状" in rows["代理"]
    assert rows["本人"].split()[8] == "本人"
    # a pass recorded without its applicant: the column is empty
    assert rows["記録"].split()[8] == "試験"
    assert "地域包括ケア推進課" in text  # the office's name still fits its column
