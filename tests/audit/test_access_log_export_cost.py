"""The access-log CSV translates each word once per file (issue 16): a whole-log
download of 150,000 rows asked Flask-Babel for 850,000 translations and held
a web worker for 15 s in the soak test.  The number of translations must not
grow with the number of rows, and the words must stay the same."""

from datetime import datetime

import flask_babel
from sqlalchemy import insert

from app.audit import logs
from app.audit.models import AccessLog


def _rows(db, count):
    db.session.execute(
        insert(AccessLog.__table__),
        [
            {
                "at": datetime(2026, 5, 1, 9, 0, n % 60),
                "username": "staff",
                "role": "Staff",
                "office_code": "HQ",
                "action": "resident.view" if n % 2 else "resident.search",
                "resident_no": f"{1000000000 + n}",
                "detail": {"q": "ヤマダ", "returned": n},
                "outcome": "ok",
            }
            for n in range(count)
        ],
    )
    db.session.commit()


def _export(app, monkeypatch):
    asked = []
    original = flask_babel.Domain.gettext

    def counting(self, *args, **kwargs):
        asked.append(args[0] if args else None)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(flask_babel.Domain, "gettext", counting)
    with app.test_request_context("/accesslog/export.csv"):
        from app.audit.views import _filter_from_args

        records = list(logs.csv_records(logs.iter_rows(_filter_from_args({}))))
    monkeypatch.setattr(flask_babel.Domain, "gettext", original)
    return records, len(asked)


def test_translations_do_not_grow_with_the_rows(app, db, monkeypatch):
    _rows(db, 20)
    few, asked_few = _export(app, monkeypatch)
    _rows(db, 200)
    many, asked_many = _export(app, monkeypatch)
    assert len(many) == len(few) + 200
    assert asked_few > 0
    assert asked_many == asked_few
    viewed = next(r for r in many if r[12] == "resident.view")
    assert viewed[2] not in ("", "Staff")  # the role in words, the code in column 11
    assert viewed[5] != "resident.view"  # the action in words, the code in column 13
    assert "：" in viewed[9]  # the detail as 項目：値


def test_a_download_over_the_limit_is_refused_in_japanese(app, db, login, monkeypatch):
    _rows(db, 30)
    monkeypatch.setitem(app.config, "ACCESS_LOG_EXPORT_MAX_ROWS", 25)
    auditor = login("auditor")
    before = db.session.query(AccessLog).count()
    resp = auditor.get("/accesslog/export.csv")
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "画面からダウンロードできるのは25行まで" in page
    assert "text/html" in resp.content_type
    # nothing was exported: no export row (the refused page is not a read of people)
    exported = db.session.query(AccessLog).filter_by(action="access_log.export").count()
    assert exported == 0
    assert db.session.query(AccessLog).count() >= before
    narrowed = auditor.get("/accesslog/export.csv", query_string={"action": "resident.view"})
    assert narrowed.status_code == 200
    assert narrowed.content_type.startswith("text/csv")
