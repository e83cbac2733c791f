"""The demo accounts created by ``flask demo-data`` (one per role, dummy data only).

``scripts/first_run.py`` prints them after the first ``make run``.  They never
exist in production: the command refuses to run when ``ALLOW_DEMO_DATA`` is off.
"""

from app.security.roles import ADMIN, AUDITOR, BRANCH_STAFF, STAFF, SUPERVISOR

# (username, role, office code)
DEMO_ACCOUNTS = [
    ("admin", ADMIN, "HQ"),
    ("supervisor", SUPERVISOR, "HQ"),
    ("staff", STAFF, "HQ"),
    ("branch", BRANCH_STAFF, "YOTSUYA"),
    ("auditor", AUDITOR, "HQ"),
]

# One shared passphrase, long enough for PASSWORD_MIN_LENGTH; demo use only.
DEMO_PASSWORD = "demo-yokujo-pass-2026"

# Display names of the demo accounts ("姓 名"), by username.
DEMO_FULL_NAMES = {
    "admin": "管理 太郎",
    "supervisor": "係長 花子",
    "staff": "本庁 一郎",
    "branch": "四谷 次郎",
    "auditor": "監査 三郎",
}
