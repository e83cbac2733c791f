"""The statistics screen, its PDF and workbook, the REST API and the command."""

import io
import json

import pytest
from openpyxl import load_workbook

from tests.letters.conftest import pdf_text
from tests.stats.conftest import AS_OF, FY

ARGS = f"as_of={AS_OF.isoformat()}&fiscal_year={FY}"


def test_stats_screen_shows_the_tables_and_charts(dataset, login):
    page = login("staff").get(f"/stats/?{ARGS}").get_data(as_text=True)
    assert "事業対象者合計 6 名（内訳 60 歳以上：5 名、障害・児童：1 名）" in page
    assert (
        "入浴証交付枚数 8 枚（内訳 60 歳以上：7 枚、障害・児童：1 枚）（令和8年3月31日現在）"
        in page
    )
    assert page.count('role="img"') == 2
    assert "<caption>月別の交付枚数</caption>" in page
    assert "Excelで出力" in page
    assert "PDFで印刷" in page


def test_stats_bad_input_on_the_screen_is_a_japanese_message(dataset, login):
    resp = login("staff").get("/stats/?as_of=2026-02-30&fiscal_year=2025")
    assert resp.status_code == 400
    assert "日付ではありません" in resp.get_data(as_text=True)


def test_stats_branch_user_sees_own_office_and_is_refused_another(dataset, login):
    client = login("branch")  # an account of YOTSUYA
    own = client.get(f"/stats/?{ARGS}").get_data(as_text=True)
    assert "交付の数値は 四谷特別出張所 の分のみです。" in own
    assert "入浴証交付枚数 1 枚" in own
    resp = client.get(f"/stats/?{ARGS}&office=HQ")
    assert resp.status_code == 403
    assert "自所（四谷特別出張所）の統計のみ表示できます" in resp.get_data(as_text=True)


def test_stats_pdf_report_reads_back_with_the_seed_wording(dataset, login):
    resp = login("auditor").get(f"/stats/report.pdf?{ARGS}")
    assert resp.status_code == 200
    assert resp.mimetype == "application/pdf"
    assert (
        "filename*=UTF-8''%E4%BA%8B%E6%A5%AD%E5%AE%9F%E7%B8%BE"
        in resp.headers["Content-Disposition"]
    )
    text = "".join(pdf_text(resp.data).split())
    assert "事業対象者合計6名（内訳60歳以上：5名、障害・児童：1名）" in text
    assert "（令和8年3月31日現在）" in text
    assert "令和7年度" in text


def test_stats_workbook_has_one_sheet_per_table(dataset, login):
    resp = login("supervisor").get(f"/stats/report.xlsx?{ARGS}")
    assert resp.status_code == 200
    book = load_workbook(io.BytesIO(resp.data))
    assert "事業実績" in book.sheetnames
    assert "月別の交付枚数" in book.sheetnames
    sheet = book["事業実績"]
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r[0] == "項目")
    assert rows[header_at] == ("項目", "合計", "60歳以上", "障害・児童")
    assert rows[header_at + 2] == ("入浴証交付枚数（枚）", 8, 7, 1)
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.cell(header_at + 3, 2).number_format == "#,##0"
    assert sheet.column_dimensions["A"].width == 34


def _token(client, username):
    from tests.conftest import PASSWORD

    resp = client.post(
        "/api/v1/security/login",
        json={"username": username, "password": PASSWORD, "provider": "db"},
    )
    return resp.get_json()["access_token"]


def test_stats_api_answers_the_json_of_the_command(dataset, app, client):
    token = _token(client, "staff")
    resp = client.get(f"/api/v1/stats/?{ARGS}", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert set(body) == {"as_of", "fiscal_year", "eligible", "passes", "returns"}
    assert body["passes"]["issued"] == 8
    assert body["returns"] == {"returned": 1, "resent": 1}
    bad = client.get(
        "/api/v1/stats/?as_of=tomorrow&fiscal_year=2025",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "ja"},
    )
    assert bad.status_code == 400
    assert "日付ではありません" in bad.get_json()["message"]


def test_stats_api_refuses_a_branch_user_another_office(dataset, client):
    token = _token(client, "branch")
    resp = client.get(
        f"/api/v1/stats/?{ARGS}&office=HQ",
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "ja"},
    )
    assert resp.status_code == 403
    assert "自所" in resp.get_json()["message"]


def test_stats_command_prints_the_json_last(dataset, app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["stats", "--as-of", "2026-03-31", "--fiscal-year", "2025"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output.strip().splitlines()[-1])
    assert data["eligible"]["total"] == 6
    assert data["passes"]["by_kind"] == {
        "new": 4, "renewal": 2, "reissue_lost": 1, "reissue_damaged": 1,
    }  # fmt: skip
    out = tmp_path / "report.xlsx"
    result = runner.invoke(
        args=["stats", "--as-of", "2026-03-31", "--fiscal-year", "2025", "--format", "xlsx",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "事業実績" in load_workbook(out).sheetnames


@pytest.mark.parametrize("args", [["--as-of", "2027-12-01"], ["--as-of", "x"]])
def test_stats_command_refuses_bad_input(dataset, app, args):
    result = app.test_cli_runner().invoke(args=["stats", *args, "--fiscal-year", "2025"])
    assert result.exit_code == 2
    assert "error" in json.loads(result.output.strip().splitlines()[-1])


def test_stats_command_writes_the_pdf_report(dataset, app, tmp_path):
    out = tmp_path / "report.pdf"
    result = app.test_cli_runner().invoke(
        args=["stats", "--as-of", "2026-03-31", "--fiscal-year", "2025", "--format", "pdf",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["passes"]["issued"] == 8
    assert "入浴証交付枚数8枚" in "".join(pdf_text(out.read_bytes()).split())
