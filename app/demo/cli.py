"""``flask demo-data``: dummy residents, pass history and one demo account per role.

Refused when ``ALLOW_DEMO_DATA`` is off (production).  Refused on a database
that already holds residents unless ``--force``, which first removes every
resident, pass, change-history row and 整理番号 counter (the access log and the
accounts are kept), so that the same seed always gives the same database.
"""

import datetime
import logging
import sys
import time
from collections import Counter
from types import SimpleNamespace

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import bindparam, delete, func, select, update

from app import clock
from app.db import bulk
from app.db.transaction import transaction, transactional
from app.demo.passes import plan_history
from app.demo.people import generate_people
from app.errors import DomainError
from app.extensions import appbuilder, db
from app.history.models import ChangeLog
from app.offices.models import Office
from app.passes.models import ControlNumberCounter, Issuance
from app.passes.numbers import allocate_control_numbers
from app.passes.rows import mailing_destination, pass_values
from app.residents.grams import search_values
from app.residents.models import Resident
from app.security.roles import BRANCH_STAFF, STAFF
from app.text.kana import has_gaiji

log = logging.getLogger(__name__)

SOURCE = "demo"


def _fail(message):
    click.echo(message, err=True)
    sys.exit(2)


def ensure_demo_accounts():
    """Create the missing demo accounts (one per role).

    :returns: ``{username: user}`` of every demo account, created or found.
    """
    from app.demo import accounts as demo
    from app.security.accounts import create_user

    users = {}
    for username, role, office_code in demo.DEMO_ACCOUNTS:
        user = appbuilder.sm.find_user(username=username)
        if user is None:
            user = create_user(
                username=username,
                role_name=role,
                office_code=office_code,
                full_name=demo.DEMO_FULL_NAMES.get(username, f"デモ {username}"),
                password=demo.DEMO_PASSWORD,
                must_change_password=False,
            )
            click.echo(f"created demo account {username} ({role}, {office_code})")
        users[username] = user
    return users


def _creators(users):
    """``{office code: user id}``: who records the demo passes of each office."""
    from app.demo.accounts import DEMO_ACCOUNTS

    creators = {}
    for username, role, office_code in DEMO_ACCOUNTS:
        if role in (STAFF, BRANCH_STAFF):
            creators.setdefault(office_code, users[username].id)
    return creators


def _remove_previous_data():
    for table in (ChangeLog, Issuance, ControlNumberCounter, Resident):
        db.session.execute(delete(table.__table__))


def _resident_rows(people, extras, first_id, now):
    rows = []
    for offset, (person, extra) in enumerate(zip(people, extras, strict=True)):
        row = dict(person)
        row.update(
            id=first_id + offset,
            **search_values(person["name"], person["kana"]),
            status="active",
            excluded_on=None,
            exclusion_reason=None,
            needs_review=False,
            has_gaiji=has_gaiji(person["name"]),
            mail_name=None,
            mail_postal_code=None,
            mail_address=None,
            mail_reason=None,
            mail_kind=None,
            mail_contact=None,
            note=None,
            created_at=now,
            updated_at=now,
            version=1,
        )
        row.update(extra)
        rows.append(row)
    return rows


def _pass_rows(plan, resident_rows, offices, creators, first_id, now):
    """Issuance rows for the planned passes, numbered per fiscal year in plan order."""
    per_year = Counter(p["fiscal_year"] for p in plan)
    numbers = {fy: iter(allocate_control_numbers(fy, n)) for fy, n in sorted(per_year.items())}
    ids = {p["key"]: first_id + i for i, p in enumerate(plan)}
    rows = [
        _pass_row(
            p,
            resident_rows[p["person"]],
            office_id=offices[p["office"]].id,
            created_by_id=creators.get(p["office"]),
            pass_id=ids[p["key"]],
            control_no=next(numbers[p["fiscal_year"]]),
            now=now,
        )
        for p in plan
    ]
    links = [
        {"b_id": ids[p["key"]], "b_by": ids[p["superseded_by"]]}
        for p in plan
        if p["superseded_by"] is not None
    ]
    return rows, links


def _pass_row(planned, resident, *, office_id, created_by_id, pass_id, control_no, now):
    """The row of one planned pass, as if recorded when it was issued."""
    at = min(planned["created_at"], now)
    destination = None
    if planned["method"] == "mail":
        destination = mailing_destination(SimpleNamespace(**resident))
    return pass_values(
        resident_id=resident["id"],
        fiscal_year=planned["fiscal_year"],
        control_no=control_no,
        kind=planned["kind"],
        applied_on=planned["applied_on"],
        issued_on=planned["issued_on"],
        office_id=office_id,
        method=planned["method"],
        created_by_id=created_by_id,
        now=at,
        destination=destination,
        id=pass_id,
        reissue_reason=planned["reissue_reason"],
        status=planned["status"],
        returned_on=planned["returned_on"],
        resent_on=planned["resent_on"],
        created_at=at,
        updated_at=at,
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def _history_rows(resident_rows, pass_rows):
    """Change history of the notable events, as if recorded when they happened."""
    rows = []

    def add(entity, entity_id, resident_id, action, changes, at):
        rows.append(
            {
                "entity": entity,
                "entity_id": entity_id,
                "resident_id": resident_id,
                "action": action,
                "changes": changes,
                "user_id": None,
                "source": SOURCE,
                "changed_at": at,
            }
        )

    for r in resident_rows:
        if r["status"] == "excluded":
            at = datetime.datetime.combine(r["excluded_on"], datetime.time(9, 0))
            add(
                "resident",
                r["id"],
                r["id"],
                "exclude",
                {
                    "status": ["active", "excluded"],
                    "excluded_on": [None, _iso(r["excluded_on"])],
                    "exclusion_reason": [None, r["exclusion_reason"]],
                },
                min(at, r["created_at"]),
            )
        if r["mail_address"]:
            add(
                "resident",
                r["id"],
                r["id"],
                "mail_address",
                {
                    f: [None, r[f]]
                    for f in ("mail_name", "mail_postal_code", "mail_address", "mail_reason")
                },
                r["created_at"],
            )
    for p in pass_rows:
        for field, action in (("returned_on", "return"), ("resent_on", "resend")):
            if p[field]:
                at = datetime.datetime.combine(p[field], datetime.time(10, 0))
                add(
                    "issuance",
                    p["id"],
                    p["resident_id"],
                    action,
                    {field: [None, _iso(p[field])]},
                    at,
                )
    return rows


def _bulk_insert(table, rows, existing=None):
    """Insert rows given as dicts, dropping the plain indexes around a first load."""
    if not rows:
        return
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        # A bigger page cache for this connection: the indexes of 260,000 rows
        # thrash SQLite's default 2 MB cache.
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
    names, tuples = bulk.rows_of(rows)
    if existing is None:
        bulk.bulk_insert(conn, table, names, tuples)
        return
    with bulk.indexes_rebuilt_if_bulk(conn, table, len(tuples), existing):
        bulk.bulk_insert(conn, table, names, tuples)


@transactional()
def load_demo_data(count, seed=0, years=4):
    """Insert ``count`` dummy residents with ``years`` fiscal years of passes,
    in one transaction.

    :returns: ``{"residents": n, "passes": n, "history": n}``.
    """
    today = clock.today()
    now = clock.now()
    offices = {o.code: o for o in db.session.query(Office).order_by(Office.sort_order)}
    office_codes = sorted(offices, key=lambda c: (not offices[c].is_headquarters, c))
    users = ensure_demo_accounts()
    creators = _creators(users)

    people = generate_people(count, seed=seed)
    extras, plan = plan_history(people, office_codes, today, seed=seed, years=years)
    first_resident = (db.session.execute(select(func.max(Resident.id))).scalar() or 0) + 1
    first_pass = (db.session.execute(select(func.max(Issuance.id))).scalar() or 0) + 1
    resident_rows = _resident_rows(people, extras, first_resident, now)
    pass_rows, links = _pass_rows(plan, resident_rows, offices, creators, first_pass, now)
    history_rows = _history_rows(resident_rows, pass_rows)

    _bulk_insert(Resident.__table__, resident_rows, existing=first_resident - 1)
    _bulk_insert(Issuance.__table__, pass_rows, existing=first_pass - 1)
    if links:
        table = Issuance.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values(superseded_by_id=bindparam("b_by")),
            links,
        )
    _bulk_insert(ChangeLog.__table__, history_rows)
    bulk.fix_sequences(db.session.connection(), ("resident", "issuance"))
    return {"residents": len(resident_rows), "passes": len(pass_rows), "history": len(history_rows)}


@click.command("demo-data")
@click.option(
    "--residents",
    "count",
    type=click.IntRange(1, 500_000),
    default=3000,
    show_default=True,
    help="number of dummy residents",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="the same seed gives the same people and passes",
)
@click.option(
    "--years",
    type=click.IntRange(1, 10),
    default=4,
    show_default=True,
    help="fiscal years of pass history, the current one included",
)
@click.option(
    "--force",
    is_flag=True,
    help="remove every resident, pass and history row first (dummy databases only)",
)
@with_appcontext
def demo_data_command(count, seed, years, force):
    """Load dummy residents, passes and one demo account per role (never in production)."""
    if not current_app.config.get("ALLOW_DEMO_DATA"):
        _fail("demo data is not allowed in this configuration (ALLOW_DEMO_DATA is off)")
    if db.session.query(Office.id).first() is None:
        _fail("no offices: run 'flask init' first")
    replace = db.session.query(Resident.id).first() is not None
    if replace and not force:
        _fail(
            "the database already holds residents; demo data is loaded only into an "
            "empty database (use --force to replace every resident and pass)"
        )
    started = time.perf_counter()
    try:
        # The removal and the new data are one transaction: a refusal keeps the old data.
        with transaction():
            if replace:
                _remove_previous_data()
            summary = load_demo_data(count, seed=seed, years=years)
    except DomainError as exc:
        _fail(str(exc.message))
    elapsed = time.perf_counter() - started
    click.echo(
        f"demo data: {summary['residents']} residents, {summary['passes']} passes, "
        f"{summary['history']} history rows in {elapsed:.1f} s (seed {seed})"
    )
