"""The application form through the test client: who applied, the ID checked,
the refusals, and where it shows (the pass, the person's page, the API)."""

from datetime import date

from sqlalchemy import func, select

from app.passes.models import Issuance
from tests.applications.conftest import application_form, form_token, page_text
from tests.conftest import PASSWORD
from tests.factories import make_resident


def _passes(db):
    return db.session.execute(select(func.count()).select_from(Issuance)).scalar()


def _post(client, person, office_id, day, **extra):
    token = form_token(client, person)
    return client.post(
        f"/issuances/new/{person.id}", data=application_form(day, office_id, token, **extra)
    )


def test_the_form_offers_applicant_relation_authority_and_id(login, person, today):
    page = page_text(login("staff").get(f"/issuances/new/{person.id}"))
    for words in ("申請者", "本人", "代理人", "同居の家族", "別居の家族", "施設職員",
                  "ケアマネジャー", "成年後見人", "委任状", "登記事項証明書", "保険証",
                  "マイナンバーカード", "障害者手帳", "児童育成手当の通知", "本人確認書類"):  # fmt: skip
        assert words in page, words
    assert 'name="applicant_form" value="1"' in page
    # the rule as configured, explained beside the field
    assert "同居の家族を除く" in page


def test_a_proxy_without_the_document_is_refused_and_nothing_is_saved(
    login, db, person, offices, today
):
    client = login("staff")
    resp = _post(client, person, offices["HQ"].id, today, applicant="proxy",
                 proxy_name="山田 花子", proxy_relation="separate_family",
                 proxy_authority="none")  # fmt: skip
    assert resp.status_code == 200
    page = page_text(resp)
    assert "別居の家族の代理人には委任状または登記事項証明書の提示が必要です。" in page
    assert _passes(db) == 0


def test_a_proxy_without_a_name_and_unknown_codes_are_refused(login, db, person, offices, today):
    client = login("staff")
    for extra, words in (
        ({"applicant": "proxy", "proxy_relation": "same_household"}, "代理人の氏名を入力"),
        ({"applicant": "proxy", "proxy_name": "山田 花子", "proxy_relation": "x"}, "関係を選んで"),
        ({"id_checked": "passport"}, "本人確認書類を選んで"),
        ({"id_checked": ""}, "本人確認書類を選んで"),
        ({"applicant": "neighbour"}, "申請者（本人または代理人）"),
    ):
        resp = _post(client, person, offices["HQ"].id, today, **extra)
        assert resp.status_code == 200
        assert words in page_text(resp), extra
    assert _passes(db) == 0


def test_a_proxy_with_a_letter_of_proxy_shows_on_the_pass_page_and_the_persons_page(
    login, db, person, offices, today
):
    client = login("staff")
    resp = _post(client, person, offices["HQ"].id, today, applicant="proxy",
                 proxy_name="山田 花子", proxy_relation="separate_family",
                 proxy_authority="power_of_attorney", id_checked="my_number_card")  # fmt: skip
    assert resp.status_code == 302
    issuance = db.session.execute(select(Issuance)).scalar_one()
    assert (issuance.applicant, issuance.proxy_name, issuance.proxy_relation,
            issuance.proxy_authority, issuance.id_checked) == (
        "proxy", "山田 花子", "separate_family", "power_of_attorney", "my_number_card"
    )  # fmt: skip
    shown = page_text(client.get(f"/issuances/{issuance.id}"))
    assert "代理人\u3000山田 花子（別居の家族・委任状）" in shown
    assert "マイナンバーカード" in shown
    person_page = page_text(client.get(f"/residents/{person.id}"))
    assert "代理人（山田 花子）" in person_page


def test_an_applicant_in_person_and_same_household_family_without_a_document(
    login, db, offices, today
):
    client = login("staff")
    alone, cared_for = make_resident(), make_resident()
    assert _post(client, alone, offices["HQ"].id, today).status_code == 302
    resp = _post(client, cared_for, offices["HQ"].id, today, applicant="proxy",
                 proxy_name="試験 一郎", proxy_relation="same_household",
                 proxy_authority="none")  # fmt: skip
    assert resp.status_code == 302
    rows = db.session.execute(select(Issuance).order_by(Issuance.id)).scalars().all()
    assert [(r.applicant, r.proxy_authority, r.id_checked) for r in rows] == [
        ("self", None, "insurance_card"),
        ("proxy", "none", "insurance_card"),
    ]
    assert "本人" in page_text(client.get(f"/issuances/{rows[0].id}"))


def test_a_form_from_before_the_upgrade_records_the_applicant_as_not_recorded(
    login, db, person, offices, today
):
    client = login("staff")
    data = application_form(today, offices["HQ"].id, form_token(client, person))
    for name in ("applicant_form", "applicant", "id_checked"):
        del data[name]
    assert client.post(f"/issuances/new/{person.id}", data=data).status_code == 302
    issuance = db.session.execute(select(Issuance)).scalar_one()
    assert issuance.applicant is None
    assert "未記録" in page_text(client.get(f"/issuances/{issuance.id}"))


def test_a_mass_mailed_pass_says_nobody_applied(login, db, person, offices, today, user):
    from app.letters.models import MassMailingItem, MassMailingRun
    from app.passes.issuance import issue_pass

    issuance = issue_pass(person, kind="renewal", applied_on=today, issued_on=today,
                          office=offices["HQ"], method="mail", user=user("staff"))  # fmt: skip
    run = MassMailingRun(fiscal_year=2026, cutoff_date=date(2026, 2, 28), mailing_date=today,
                         status="done", batch_size=500, total=1)  # fmt: skip
    db.session.add(run)
    db.session.flush()
    db.session.add(MassMailingItem(run_id=run.id, seq=1, issuance_id=issuance.id))
    db.session.commit()
    shown = page_text(login("staff").get(f"/issuances/{issuance.id}"))
    assert "なし（一斉送付）" in shown


def test_the_api_gives_the_applicant_of_each_pass(app, client, login, db, offices, today):
    staff = login("staff")
    in_person, by_proxy, before = make_resident(), make_resident(), make_resident()
    _post(staff, in_person, offices["HQ"].id, today)
    _post(staff, by_proxy, offices["HQ"].id, today, applicant="proxy", proxy_name="代理 一郎",
          proxy_relation="care_manager", proxy_authority="power_of_attorney")  # fmt: skip
    data = application_form(today, offices["HQ"].id, form_token(staff, before))
    del data["applicant_form"]
    staff.post(f"/issuances/new/{before.id}", data=data)
    token = client.post(
        "/api/v1/security/login",
        json={"username": "staff", "password": PASSWORD, "provider": "db"},
    ).get_json()["access_token"]
    resp = client.get("/api/v1/issuances/", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    by_no = {row["resident_no"]: row["applicant"] for row in resp.get_json()["result"]}
    assert by_no == {
        in_person.resident_no: "self",
        by_proxy.resident_no: "proxy",
        before.resident_no: None,
    }
    one = client.get(
        f"/api/v1/issuances/{db.session.execute(select(Issuance.id)).scalars().first()}",
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()["result"]
    assert one["applicant"] == "self"
