"""Configuration classes.

Every setting can be overridden from the environment.  The development defaults
(SQLite under ``instance/``, a fixed secret key) are refused in production mode
by :func:`app.create_app`.
"""

import json
import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))

DEV_SECRET_KEY = "development-only-secret-key-do-not-use-in-production"


def _bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name, default):
    return int(os.environ.get(name, default))


def _float(name, default):
    return float(os.environ.get(name, default))


class Config:
    ENV_NAME = "development"
    DEBUG = False
    TESTING = False

    SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'fureai.db'}"
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    # PostgreSQL: the longest one statement of a web request may run before
    # the database cancels it (app/db/timeouts.py); 0 for no limit.  Below
    # gunicorn's 30 s, so the clerk reads why instead of a dropped connection.
    STATEMENT_TIMEOUT_MS = _int("STATEMENT_TIMEOUT_MS", 10_000)
    # PostgreSQL: connections each process keeps open, and how many more it
    # may open at a busy moment (SQLAlchemy's defaults; docs/large-city.md
    # has the sum for N workers on M machines).
    DATABASE_POOL_SIZE = _int("DATABASE_POOL_SIZE", 5)
    DATABASE_MAX_OVERFLOW = _int("DATABASE_MAX_OVERFLOW", 10)

    # --- Flask-AppBuilder -------------------------------------------------
    APP_NAME = "ふれあい入浴証管理システム"
    APP_THEME = ""
    # The schema is built only by migrations; permissions only by `flask init`.
    FAB_CREATE_DB = False
    FAB_UPDATE_PERMS = _bool("FAB_UPDATE_PERMS", False)
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.WardSecurityManager"
    FAB_INDEX_VIEW = "app.home.views.HomeView"
    FAB_BASE_TEMPLATE = "base_layout.html"
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = _bool("FAB_API_SWAGGER_UI", False)
    FAB_API_MAX_PAGE_SIZE = 100
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_USER_REGISTRATION = False
    AUTH_ROLE_ADMIN = "Admin"
    AUTH_ROLE_PUBLIC = "Public"
    # Our policy (app.security.passwords) also in FAB's Admin-only user screens.
    FAB_PASSWORD_COMPLEXITY_ENABLED = True

    # --- Language ---------------------------------------------------------
    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {"ja": {"flag": "jp", "name": "日本語"}}

    # --- Local time -------------------------------------------------------
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Tokyo")

    # --- Sessions and cookies ---------------------------------------------
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12))
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = _int("MAX_UPLOAD_MB", 64) * 1024 * 1024
    # Host names the site answers to (comma-separated); others get 400.
    TRUSTED_HOSTS = [
        h.strip() for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h.strip()
    ] or None
    FAB_SAFE_REDIRECT_HOSTS = TRUSTED_HOSTS or []
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto to trust.
    PROXY_FIX_HOPS = _int("PROXY_FIX_HOPS", 0)
    # Adds X-Worker-Pid to responses (the multi-worker rate-limit test).
    EXPOSE_WORKER_PID = _bool("EXPOSE_WORKER_PID", False)

    # --- Sign-in ----------------------------------------------------------
    LOGIN_MAX_FAILURES = _int("LOGIN_MAX_FAILURES", 5)
    LOGIN_LOCK_MINUTES = _int("LOGIN_LOCK_MINUTES", 30)
    RATELIMIT_ENABLED = _bool("RATELIMIT_ENABLED", True)
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    # FAB's limiter counts per process; ours (app.security.signin) counts failed
    # sign-ins per address in the database, shared by every worker.
    AUTH_RATE_LIMITED = False
    AUTH_RATE_LIMIT = os.environ.get("AUTH_RATE_LIMIT", "20 per minute")
    PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 12)
    PASSWORD_MAX_LENGTH = _int("PASSWORD_MAX_LENGTH", 128)
    PASSWORD_REQUIRE_CLASSES = _int("PASSWORD_REQUIRE_CLASSES", 0)

    # --- Access log ---------------------------------------------------------
    ACCESS_LOG_RETENTION_YEARS = _int("ACCESS_LOG_RETENTION_YEARS", 5)
    # PostgreSQL: a read's log row (its transaction's only write) commits
    # without waiting for the disk (app.audit.writer, docs/security.md).
    ACCESS_LOG_ASYNC_COMMIT = _bool("ACCESS_LOG_ASYNC_COMMIT", True)
    # Most rows one download from the access-log screen may have (app.audit.views).
    ACCESS_LOG_EXPORT_MAX_ROWS = _int("ACCESS_LOG_EXPORT_MAX_ROWS", 100_000)

    # --- Host link ----------------------------------------------------------
    HOST_INBOX_DIR = os.environ.get("HOST_INBOX_DIR", str(INSTANCE_DIR / "inbox"))
    HOSTLINK_POLL_CRON = os.environ.get("HOSTLINK_POLL_CRON", "0 6 1,16 * *")
    HOSTLINK_RETRY_CRON = os.environ.get("HOSTLINK_RETRY_CRON", "0 * * * *")
    HOSTLINK_MAX_REJECT_RATIO = _float("HOSTLINK_MAX_REJECT_RATIO", 0.01)
    HOSTLINK_MAX_EXCLUDE_RATIO = _float("HOSTLINK_MAX_EXCLUDE_RATIO", 0.03)
    # An extract not applied by this hour of its 1st/16th is shown as late.
    HOSTLINK_LATE_HOUR = _int("HOSTLINK_LATE_HOUR", 9)
    # A lock whose holder gave no sign of life for this long is taken over
    # (a holder on this host that has died is taken over at once).
    HOSTLINK_LOCK_STALE_SECONDS = _int("HOSTLINK_LOCK_STALE_SECONDS", 3600)
    SCHEDULER_LOCK_STALE_SECONDS = _int("SCHEDULER_LOCK_STALE_SECONDS", 120)
    SCHEDULER_HEARTBEAT_SECONDS = _int("SCHEDULER_HEARTBEAT_SECONDS", 30)
    MASS_MAILING_POLL_SECONDS = _int("MASS_MAILING_POLL_SECONDS", 5)

    # --- Ledger migration (データ移行) ---------------------------------------
    # Where an uploaded ledger workbook waits between its check and its import
    # (deleted when the import is committed or the run discarded).
    LEDGER_UPLOAD_DIR = os.environ.get("LEDGER_UPLOAD_DIR", str(INSTANCE_DIR / "ledger-uploads"))
    # Read and apply an uploaded workbook in a thread of the web worker, so the
    # page can show progress; off in the tests, which want the result at once.
    LEDGER_IN_BACKGROUND = os.environ.get("LEDGER_IN_BACKGROUND", "1") == "1"
    # A run with no sign of life for this long is taken as interrupted.
    LEDGER_STALE_SECONDS = _int("LEDGER_STALE_SECONDS", 900)

    # --- Printing -----------------------------------------------------------
    PDF_FONT_DIR = os.environ.get("PDF_FONT_DIR", "/usr/share/fonts/opentype/ipaexfont-mincho")
    PDF_FONT_MINCHO = os.environ.get(
        "PDF_FONT_MINCHO", "/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf"
    )
    PDF_FONT_GOTHIC = os.environ.get(
        "PDF_FONT_GOTHIC", "/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf"
    )
    OUTPUT_DIR = os.environ.get("OUTPUT_DIR", str(INSTANCE_DIR / "output"))
    CHECKLIST_CRON = os.environ.get("CHECKLIST_CRON", "0 19 * * *")
    # March applications (順次発送): the daily batch of next-year letters, and
    # the first 整理番号 of their series (after any mass mailing's block).
    MARCH_BATCH_CRON = os.environ.get("MARCH_BATCH_CRON", "30 18 * * *")
    MARCH_CONTROL_NO_START = _int("MARCH_CONTROL_NO_START", 900001)
    # Printed as the sender of letters, before the office's name.
    WARD_NAME = os.environ.get("WARD_NAME", "新宿区")
    # The rest of the letters' sender: postal code (7 digits), address, the
    # section that sends them (else the office's name) and its phone (else the
    # office's).  Development values: set the ward's own in production.
    WARD_POSTAL_CODE = os.environ.get("WARD_POSTAL_CODE", "1600000")
    WARD_ADDRESS = os.environ.get("WARD_ADDRESS", "東京都新宿区試験町一丁目1番1号")
    WARD_SECTION_NAME = os.environ.get("WARD_SECTION_NAME", "福祉部　地域包括ケア推進課")
    WARD_PHONE = os.environ.get("WARD_PHONE", "03-0000-0001")
    # The only folder (besides the two font files) a PDF template may read.
    PDF_ASSET_DIR = os.environ.get("PDF_ASSET_DIR", str(BASE_DIR / "static" / "pdf"))
    # 外字 (private-use characters) printed as something other than 〓, as JSON:
    # PDF_GAIJI_MAP='{"\ue000": "辺"}'.
    PDF_GAIJI_MAP = json.loads(os.environ.get("PDF_GAIJI_MAP", "{}"))
    # Annual mass mailing: letters per PDF file (one checkpoint each) and
    # rendering processes.
    MASS_MAILING_BATCH_SIZE = _int("MASS_MAILING_BATCH_SIZE", 500)
    MASS_MAILING_WORKERS = _int("MASS_MAILING_WORKERS", 2)
    # The mass mailing goes to everyone who has had a pass in any fiscal year
    # since this one (平成26年度以降の入浴証申請者), not only last year's holders.
    MASS_MAILING_SINCE_FY = _int("MASS_MAILING_SINCE_FY", 2014)
    # お知らせ postcards to newly eligible people: after_import (a run queued
    # after each applied extract), monthly (the month before's people, on the
    # first scheduler poll of a month) or off (on demand only).  The scheduler
    # looks for queued runs every NOTICES_POLL_SECONDS.
    NOTICES_SCHEDULE = os.environ.get("NOTICES_SCHEDULE", "after_import")
    NOTICES_POLL_SECONDS = _int("NOTICES_POLL_SECONDS", 60)
    # The postage mark printed where the stamp goes (empty: none).
    NOTICES_POSTAGE_MARK = os.environ.get("NOTICES_POSTAGE_MARK", "料金後納郵便")
    # Proxy applications: the relations whose proxy needs no authority document
    # (委任状 / 登記事項証明書), comma-separated codes of
    # app.applications.codes.RELATIONS; empty: every proxy needs one.
    PROXY_AUTHORITY_EXEMPT_RELATIONS = os.environ.get(
        "PROXY_AUTHORITY_EXEMPT_RELATIONS", "same_household"
    )

    # Demo accounts are created only by `flask demo-data`, never in production.
    ALLOW_DEMO_DATA = True
    # Further view modules to register (bench/search.py: ``bench.stock_views``, a
    # stock FAB ModelView of residents to compare with, no menu).
    EXTRA_VIEW_MODULES = tuple(
        name for name in os.environ.get("EXTRA_VIEW_MODULES", "").split(",") if name
    )


class DevelopmentConfig(Config):
    pass


class ProductionConfig(Config):
    ENV_NAME = "production"
    ALLOW_DEMO_DATA = False
    EXTRA_VIEW_MODULES = ()
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", True)


class TestingConfig(Config):
    ENV_NAME = "testing"
    # A cheap hash keeps the suite fast (hundreds of accounts and sign-ins);
    # every other configuration uses FAB's scrypt, tested in tests/test_config.py.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    AUTH_DB_FAKE_PASSWORD_HASH_CHECK = (
        "pbkdf2:sha256:1000$fakesalt$"
        "0b7c6e0b1e0f5f0d6f3b4c9e0c6a1d2e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c"
    )
    TESTING = True
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    FAB_UPDATE_PERMS = False
    EXTRA_VIEW_MODULES = ()
    LEDGER_IN_BACKGROUND = False


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "testing": TestingConfig,
}


def config_from_env():
    """Pick the configuration class named by ``APP_ENV`` (default development)."""
    name = os.environ.get("APP_ENV", "development")
    if name not in CONFIGS:
        # A mistyped mode must not start at all (not even as development).
        raise ValueError(f"APP_ENV must be one of {', '.join(CONFIGS)}, not {name!r}")
    return CONFIGS[name]
