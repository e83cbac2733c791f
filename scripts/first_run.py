"""Load dummy data and demo accounts into the development database on the first
run (``make run``), then print where to sign in.  Refuses in production."""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEMO_PASSWORD_NOTE = "demo accounts (dummy data only):"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=3000)
    args = parser.parse_args()
    if os.environ.get("APP_ENV") == "production":
        print("production mode: no demo data", file=sys.stderr)
        return 1

    from run import app

    with app.app_context():
        from app.extensions import db
        from app.residents.models import Resident

        has_data = db.session.query(Resident.id).first() is not None
    if not has_data:
        subprocess.run(
            [sys.executable, "-m", "flask", "demo-data", "--residents", str(args.residents)],
            check=True,
        )
    with app.app_context():
        from app.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD

    host = os.environ.get("HOST", "127.0.0.1")
    port = os.environ.get("PORT", "8080")
    print()
    print(f"  Sign in at http://{host}:{port}/login/")
    print(f"  {DEMO_PASSWORD_NOTE}")
    for username, role, office in DEMO_ACCOUNTS:
        print(f"    {username:<12} {role:<12} {office:<10} password: {DEMO_PASSWORD}")
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
