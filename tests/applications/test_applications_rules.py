"""The rules of an application and of a 送付先 with a kind, on their own."""

import pytest

from app.applications import addressing, applicants, destinations
from app.errors import DomainError


def _proxy(**extra):
    values = {
        "id_checked": "insurance_card",
        "proxy_name": "山田 花子",
        "relation": "separate_family",
        "authority": "power_of_attorney",
    }
    values.update(extra)
    return applicants.check_application("proxy", **values)


def test_an_applicant_in_person_records_the_id_only(app):
    with app.test_request_context():
        columns = applicants.check_application(
            "self", id_checked="my_number_card", proxy_name="紛れ込んだ名前", relation="guardian"
        )
    assert columns == {
        "applicant": "self",
        "proxy_name": None,
        "proxy_relation": None,
        "proxy_authority": None,
        "id_checked": "my_number_card",
    }


def test_a_proxy_with_a_letter_of_proxy_is_recorded(app):
    with app.test_request_context():
        columns = _proxy(proxy_name="  山田\u3000 花子 ")
    assert columns["applicant"] == "proxy"
    assert columns["proxy_name"] == "山田 花子"
    assert (columns["proxy_relation"], columns["proxy_authority"]) == (
        "separate_family",
        "power_of_attorney",
    )


def test_same_household_family_needs_no_document(app):
    with app.test_request_context():
        columns = _proxy(relation="same_household", authority="none")
    assert columns["proxy_authority"] == "none"


@pytest.mark.parametrize(
    "relation", ["separate_family", "facility_staff", "care_manager", "guardian", "other"]
)
def test_any_other_proxy_without_a_document_is_refused_in_japanese(app, relation):
    with app.test_request_context(), pytest.raises(DomainError) as caught:
        _proxy(relation=relation, authority="none")
    assert caught.value.field == "proxy_authority"
    assert "委任状または登記事項証明書" in str(caught.value)
    assert "記録していません" in str(caught.value)


def test_the_exempt_relations_are_configurable(app):
    with app.test_request_context():
        app.config["PROXY_AUTHORITY_EXEMPT_RELATIONS"] = "same_household,care_manager"
        try:
            assert _proxy(relation="care_manager", authority="none")["applicant"] == "proxy"
            assert "ケアマネジャー" in applicants.rule_text()
            app.config["PROXY_AUTHORITY_EXEMPT_RELATIONS"] = ""
            with pytest.raises(DomainError):
                _proxy(relation="same_household", authority="none")
            assert applicants.rule_text().startswith("代理人は委任状")
        finally:
            app.config["PROXY_AUTHORITY_EXEMPT_RELATIONS"] = "same_household"


@pytest.mark.parametrize(
    ("extra", "field", "words"),
    [
        ({"proxy_name": "  "}, "proxy_name", "代理人の氏名"),
        ({"proxy_name": "長" * 101}, "proxy_name", "長すぎる"),
        ({"proxy_name": "山田\x1b花子"}, "proxy_name", "制御文字"),
        ({"relation": "neighbour"}, "proxy_relation", "関係"),
        ({"relation": ""}, "proxy_relation", "関係"),
        ({"authority": "passport"}, "proxy_authority", "書類"),
        ({"id_checked": "passport"}, "id_checked", "本人確認書類"),
        ({"id_checked": ""}, "id_checked", "本人確認書類"),
    ],
)
def test_bad_input_is_refused_with_a_japanese_message(app, extra, field, words):
    with app.test_request_context(), pytest.raises(DomainError) as caught:
        _proxy(**extra)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_an_unknown_applicant_is_refused(app):
    with app.test_request_context(), pytest.raises(DomainError) as caught:
        applicants.check_application("neighbour", id_checked="insurance_card")
    assert caught.value.field == "applicant"
    assert "申請者" in str(caught.value)


# --- 送付先 kinds ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "mail_name", "contact", "line"),
    [
        ("facility", "〇〇ホーム", "鈴木", "〇〇ホーム\u3000気付"),
        ("family", "山田\u3000花子様", None, "山田\u3000花子\u3000様方"),
        (
            "representative",
            "山田\u3000花子",
            "成年後見人",
            "成年後見人\u3000山田\u3000花子\u3000様",
        ),
        ("representative", "山田\u3000花子", None, "代理人\u3000山田\u3000花子\u3000様"),
        ("other", "鈴木法律事務所", None, "鈴木法律事務所\u3000気付"),
        ("facility", "山田 太郎", None, None),  # the resident's own name: no line
        ("facility", "", None, None),
    ],
)
def test_the_line_above_the_name_follows_the_kind(kind, mail_name, contact, line):
    assert (
        addressing.care_of_line(
            kind, mail_name, resident_name="山田\u3000太郎", mail_contact=contact
        )
        == line
    )


def test_only_a_facility_has_a_contact_line():
    assert addressing.contact_of("facility", " 鈴木様 ") == "鈴木"
    assert addressing.contact_of("family", "鈴木") is None
    assert addressing.contact_text("鈴木") == "担当\u3000鈴木\u3000様"
    assert addressing.contact_text(None) == ""


def test_a_frozen_line_is_split_at_its_suffix():
    assert addressing.split_care_of("〇〇ホーム\u3000気付") == ("〇〇ホーム", "気付")
    assert addressing.split_care_of("成年後見人\u3000山田\u3000花子\u3000様") == (
        "成年後見人\u3000山田\u3000花子",
        "様",
    )
    assert addressing.split_care_of("山田花子") == ("山田花子", "様方")  # frozen before suffixes


def test_a_long_name_keeps_its_suffix_within_the_column():
    line = addressing.care_of_line("representative", "長" * 200, resident_name="x", room=100)
    assert len(line) <= 100
    assert line.endswith("\u3000様")


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"mail_kind": "facility", "mail_name": ""}, "mail_name", "施設名"),
        ({"mail_kind": "family", "mail_name": " "}, "mail_name", "ご家族の氏名"),
        ({"mail_kind": "representative"}, "mail_name", "代理人・成年後見人の氏名"),
        ({"mail_kind": "hotel", "mail_name": "x"}, "mail_kind", "種別"),
        ({"mail_name": "x"}, "mail_kind", "種別"),
    ],
)
def test_a_destination_without_its_name_or_kind_is_refused(app, values, field, words):
    with app.test_request_context(), pytest.raises(DomainError) as caught:
        destinations.check_kind(values)
    assert caught.value.field == field
    assert words in str(caught.value)


def test_a_destination_keeps_the_contact_of_a_facility_and_a_representative_only(app):
    with app.test_request_context():
        facility = destinations.check_kind(
            {"mail_kind": "facility", "mail_name": "〇〇ホーム", "mail_contact": "鈴木"}
        )
        family = destinations.check_kind(
            {"mail_kind": "family", "mail_name": "山田 花子", "mail_contact": "鈴木"}
        )
        by_reason = destinations.check_kind({"mail_reason": "family", "mail_name": "山田 花子"})
    assert facility == {"mail_kind": "facility", "mail_contact": "鈴木", "mail_reason": "facility"}
    assert family == {"mail_kind": "family", "mail_contact": None, "mail_reason": "family"}
    assert by_reason["mail_kind"] == "family"
