"""Security benchmark: what the sign-in hardening and the access log cost.

Builds a fresh SQLite database under ``instance/bench/security/`` and measures
on this machine:

* **sign-in** — median time of one check of a user name and password:
  ours (:func:`app.security.signin.authenticate`: rate-limit query, lockout,
  attempt row, access-log row) beside stock FAB (``auth_user_db``), for a
  known user with a wrong password and for an unknown user (both should take
  the same time: one scrypt check each);
* **session check** — median time of a signed-in page (``/myaccount/``) with
  the server-side session check, and with it switched off (stock FAB: the
  signed cookie alone);
* **rate-limit query** — the count of recent failures of one address with
  ``login_attempt`` holding a day of attempts from many addresses;
* **access log** — searches by user and dates, by resident, by action, and a
  CSV export of every row, over N rows (1,000,000 full, 100,000 quick).

Usage: ``.venv/bin/python bench/security.py [--quick]``.  Prints the figures and
writes ``bench/results/security.json``.
"""

import argparse
import io
import json
import shutil
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "bench" / "results"
WORK = ROOT / "instance" / "bench" / "security"
PASSWORD = "correct-horse-battery-staple-42"


def build_app(db_path):
    from flask_migrate import upgrade

    from app import create_app, setup
    from app.security import accounts
    from config import DevelopmentConfig

    class BenchConfig(DevelopmentConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        RATELIMIT_ENABLED = True
        AUTH_RATE_LIMIT = "1000000 per minute"  # measured, never reached
        WTF_CSRF_ENABLED = False

    app = create_app(BenchConfig)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        setup.initialise()
        for name in ("bench-staff", "bench-other"):
            accounts.create_user(username=name, role_name="Staff", office_code="HQ",
                                 full_name="試験 職員", password=PASSWORD,
                                 must_change_password=False)  # fmt: skip
    return app


def median_ms(func, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(times), 2)


def bench_sign_in(app, repeat):
    from flask_appbuilder.security.manager import BaseSecurityManager

    from app.extensions import appbuilder, db
    from app.security import signin
    from app.security.models import StaffUser

    def reset():
        db.session.query(StaffUser).update({"fail_login_count": 0, "locked_until": None})
        db.session.commit()

    out = {}
    with app.test_request_context("/login/", method="POST"):
        sm = appbuilder.sm
        cases = {
            "ours_wrong_password": lambda: signin.authenticate("bench-staff", "wrong-pass-1234"),
            "ours_unknown_user": lambda: signin.authenticate("nobody", "wrong-pass-1234"),
            "ours_success": lambda: signin.authenticate("bench-other", PASSWORD),
            "stock_wrong_password": lambda: BaseSecurityManager.auth_user_db(
                sm, "bench-staff", "wrong-pass-1234"
            ),
            "stock_unknown_user": lambda: BaseSecurityManager.auth_user_db(
                sm, "nobody", "wrong-pass-1234"
            ),
        }
        for name, func in cases.items():
            reset()
            func()  # warm-up

            def once(func=func):
                func()
                reset()

            out[name] = median_ms(once, repeat)
    return out


def bench_session_check(app, repeat):
    from app.security import sessions

    client = app.test_client()
    client.post("/login/", data={"username": "bench-other", "password": PASSWORD})
    assert client.get("/myaccount/").status_code == 200
    with_check = median_ms(lambda: client.get("/myaccount/"), repeat)
    original = sessions.check
    sessions.check = lambda user: None
    try:
        without = median_ms(lambda: client.get("/myaccount/"), repeat)
    finally:
        sessions.check = original
    return {"page_ms_with_session_check": with_check, "page_ms_stock_cookie_only": without}


def bench_rate_limit_query(app, attempts):
    from app import clock
    from app.extensions import db
    from app.security import signin
    from app.security.models import LoginAttempt

    now = clock.now()
    with app.app_context():
        db.session.bulk_insert_mappings(
            LoginAttempt,
            [
                {
                    "at": now - timedelta(seconds=i * 86400 // attempts),
                    "ip": f"10.0.{i % 250}.{i % 200}",
                    "username": f"user{i}",
                    "success": i % 3 == 0,
                    "channel": "web",
                }
                for i in range(attempts)
            ],
        )
        db.session.commit()
        ms = median_ms(lambda: signin._rate_limited("10.0.7.7", now), 50)
    return {"login_attempt_rows": attempts, "rate_limit_query_ms": ms}


def bench_access_log(app, rows):
    from app.audit import logs
    from app.audit.models import AccessLog
    from app.extensions import db

    actions = ("resident.view", "resident.search", "issuance.create", "letter.print")
    start = datetime(2022, 4, 1)
    step = (5 * 365 * 86400) // rows
    with app.app_context():
        inserted = time.perf_counter()
        for chunk in range(0, rows, 50_000):
            db.session.bulk_insert_mappings(
                AccessLog,
                [
                    {
                        "at": start + timedelta(seconds=i * step),
                        "user_id": i % 120,
                        "username": f"staff{i % 120:03d}",
                        "role": "Staff",
                        "office_code": "HQ",
                        "ip": "10.1.1.1",
                        "action": actions[i % 4],
                        "resident_no": f"{1000000000 + (i * 7919) % 89000:010d}",
                        "detail": {"q": "ヤマダ"} if i % 4 == 1 else None,
                        "outcome": "ok",
                    }
                    for i in range(chunk, min(rows, chunk + 50_000))
                ],
            )
            db.session.commit()
        insert_s = time.perf_counter() - inserted
        filters = {
            "user_and_month": logs.parse_filter(
                username="staff007", date_from="2025-04-01", date_to="2025-04-30"
            ),
            "resident": logs.parse_filter(resident_no=f"{1000000000 + 7919 * 5 % 89000:010d}"),
            "action_and_month": logs.parse_filter(
                action="letter.print", date_from="2025-04-01", date_to="2025-04-30"
            ),
        }
        searches = {
            name: median_ms(lambda f=f: logs.search(f, limit=100), 5) for name, f in filters.items()
        }
        started = time.perf_counter()
        buffer = io.StringIO()
        written = logs.write_csv(logs.iter_rows(logs.LogFilter()), buffer)
        export_s = time.perf_counter() - started
    return {
        "rows": rows,
        "insert_rows_per_s": round(rows / insert_s),
        "search_ms": searches,
        "export_rows": written,
        "export_s": round(export_s, 2),
        "export_rows_per_s": round(written / export_s),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    app = build_app(WORK / "bench.db")
    repeat = 10 if args.quick else 30
    result = {"quick": args.quick}
    with app.app_context():
        result["sign_in_ms"] = bench_sign_in(app, repeat)
    result["session"] = bench_session_check(app, 50 if args.quick else 200)
    result["rate_limit"] = bench_rate_limit_query(app, 20_000 if args.quick else 200_000)
    result["access_log"] = bench_access_log(app, 100_000 if args.quick else 1_000_000)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "security.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
