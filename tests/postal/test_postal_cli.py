"""``flask letters barcode``: the JSON of one address, exit 2 with the reason."""

import json


def test_the_issue_example(app):
    result = app.test_cli_runner().invoke(
        args=["letters", "barcode", "--postal", "1000013",
              "--address", "東京都千代田区霞が関1丁目3番2号 郵便プラザ503室"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.strip().splitlines()[-1])
    assert out["code"] == "10000131-3-2-503"
    assert out["symbols"] == ["1", "0", "0", "0", "0", "1", "3", "1", "-", "3", "-", "2", "-",
                              "5", "0", "3", "CC4", "CC4", "CC4", "CC4", "9"]  # fmt: skip
    assert len(out["bars"]) == 67
    assert out["bars"].startswith("FD")
    assert out["bars"].endswith("DF")
    assert set(out["bars"]) == set("FADT")


def test_a_ward_address_in_full_width(app):
    result = app.test_cli_runner().invoke(
        args=["letters", "barcode", "--postal", "160-0023",
              "--address", "東京都新宿区西新宿二丁目８番１号　都庁ハイツ３０５号室"]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1])["code"] == "16000232-8-1-305"


def test_no_barcode_exits_2_with_the_reason_in_japanese(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["letters", "barcode", "--postal", "", "--address", "西新宿2-8-1"])
    assert result.exit_code == 2
    assert "郵便番号（7けた）がありません。" in result.output
    result = runner.invoke(
        args=["letters", "barcode", "--postal", "1600023", "--address", "西新宿"]
    )
    assert result.exit_code == 2
    assert "住所に番地・号の数字がありません。" in result.output
