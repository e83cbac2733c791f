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
from app.history.services import history_row
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
# The largest cities' eligible people (issue 17), with room to spare.
MAX_RESIDENTS = 2_000_000


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


# Fixed columns of a demo resident beside its person, search keys and extras.
_RESIDENT_DEFAULTS = {
    "status": "active",
    "excluded_on": None,
    "exclusion_reason": None,
    "needs_review": False,
    "mail_name": None,
    "mail_postal_code": None,
    "mail_address": None,
    "mail_reason": None,
    "mail_kind": None,
    "mail_contact": None,
    "note": None,
}


def _resident_row(person, extra, resident_id, now):
    """The Resident columns of one demo person, as a dict."""
    row = dict(person)
    row.update(
        id=resident_id,
        **search_values(person["name"], person["kana"]),
        **_RESIDENT_DEFAULTS,
        has_gaiji=has_gaiji(person["name"]),
        created_at=now,
        updated_at=now,
        version=1,
    )
    row.update(extra)
    return row


def _addressee(person, extra):
    """What :func:`mailing_destination` reads of a demo resident, without the
    search keys a whole row would cost."""
    fields = dict(person)
    fields.update(_RESIDENT_DEFAULTS)
    fields.update(extra)
    return SimpleNamespace(**fields)


def _chunked(items, size=None):
    """Lists of up to ``size`` (default :data:`app.db.bulk.CHUNK_ROWS`) items:
    rows are built, written and dropped a chunk at a time, so a million people
    never sit in memory as rows."""
    size = size or bulk.CHUNK_ROWS
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert_rows(table, count, existing, row_dicts):
    """Insert the dicts of ``row_dicts`` (``count`` of them, all with the same
    keys) a chunk at a time, dropping the plain indexes around a first load."""
    conn = db.session.connection()
    if conn.dialect.name == "sqlite":
        # A bigger page cache for this connection: the indexes of 260,000 rows
        # thrash SQLite's default 2 MB cache.
        conn.exec_driver_sql("PRAGMA cache_size=-262144")
    with bulk.indexes_rebuilt_if_bulk(conn, table, count, existing):
        for chunk in _chunked(row_dicts):
            names, tuples = bulk.rows_of(chunk)
            bulk.bulk_insert(conn, table, names, tuples)


def _numbered(plan, first_id):
    """``(planned pass, its id, its 整理番号)`` in plan order, numbered per
    fiscal year in plan order."""
    per_year = Counter(p["fiscal_year"] for p in plan)
    numbers = {fy: iter(allocate_control_numbers(fy, n)) for fy, n in sorted(per_year.items())}
    for offset, planned in enumerate(plan):
        yield planned, first_id + offset, next(numbers[planned["fiscal_year"]])


def _links(plan, first_id):
    """``(pass id, id of the pass that replaced it)`` of the reissued passes."""
    ids = {p["key"]: first_id + i for i, p in enumerate(plan)}
    return [
        (ids[p["key"]], ids[p["superseded_by"]]) for p in plan if p["superseded_by"] is not None
    ]


def _pass_row(planned, person, extra, *, ids, office_id, created_by_id, control_no, now):
    """The row of one planned pass, as if recorded when it was issued.

    :param ids: ``(pass id, resident id)``.
    """
    at = min(planned["created_at"], now)
    destination = None
    if planned["method"] == "mail":
        destination = mailing_destination(_addressee(person, extra))
    return pass_values(
        resident_id=ids[1],
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
        id=ids[0],
        reissue_reason=planned["reissue_reason"],
        status=planned["status"],
        returned_on=planned["returned_on"],
        resent_on=planned["resent_on"],
        created_at=at,
        updated_at=at,
    )


def _iso(value):
    return value.isoformat() if value is not None else None


def _history(entity, entity_id, resident_id, action, changes, at):
    return history_row(entity, entity_id, resident_id, action, changes, at, source=SOURCE)


def _resident_history(r):
    """Change history of a resident row's notable events, as if recorded when
    they happened."""
    rows = []
    if r["status"] == "excluded":
        at = datetime.datetime.combine(r["excluded_on"], datetime.time(9, 0))
        changes = {
            "status": ["active", "excluded"],
            "excluded_on": [None, _iso(r["excluded_on"])],
            "exclusion_reason": [None, r["exclusion_reason"]],
        }
        rows.append(
            _history("resident", r["id"], r["id"], "exclude", changes, min(at, r["created_at"]))
        )
    if r["mail_address"]:
        changes = {
            f: [None, r[f]]
            for f in ("mail_name", "mail_postal_code", "mail_address", "mail_reason")
        }
        rows.append(
            _history("resident", r["id"], r["id"], "mail_address", changes, r["created_at"])
        )
    return rows


def _pass_history(p):
    """Change history of a pass row's return and resend."""
    rows = []
    for field, action in (("returned_on", "return"), ("resent_on", "resend")):
        if p[field]:
            at = datetime.datetime.combine(p[field], datetime.time(10, 0))
            changes = {field: [None, _iso(p[field])]}
            rows.append(_history("issuance", p["id"], p["resident_id"], action, changes, at))
    return rows


def _resident_stream(people, extras, first_id, now, history):
    """Resident rows one at a time; their history is added to ``history``."""
    for offset, (person, extra) in enumerate(zip(people, extras, strict=True)):
        row = _resident_row(person, extra, first_id + offset, now)
        history.extend(_resident_history(row))
        yield row


def _pass_stream(plan, people, extras, context, history):
    """Pass rows one at a time, in plan order; their history is added to ``history``.

    :param context: ``first_resident, first_pass, offices, creators, now``.
    """
    offices, creators = context.offices, context.creators
    for planned, pass_id, control_no in _numbered(plan, context.first_pass):
        index = planned["person"]
        row = _pass_row(
            planned,
            people[index],
            extras[index],
            ids=(pass_id, context.first_resident + index),
            office_id=offices[planned["office"]].id,
            created_by_id=creators.get(planned["office"]),
            control_no=control_no,
            now=context.now,
        )
        history.extend(_pass_history(row))
        yield row


def _link_replacements(links):
    """Point each replaced pass at its replacement (set after the load: the
    replacement may come in a later chunk, and the key is checked)."""
    if not links:
        return
    table = Issuance.__table__
    conn = db.session.connection()
    if conn.dialect.name == "postgresql":
        # One statement rather than one round trip per pass.
        conn.exec_driver_sql(
            "UPDATE issuance AS t SET superseded_by_id = s.b "
            "FROM unnest(%(a)s::int[], %(b)s::int[]) AS s(a, b) WHERE t.id = s.a",
            {"a": [a for a, _ in links], "b": [b for _, b in links]},
        )
        return
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("b_id"))
        .values(superseded_by_id=bindparam("b_by")),
        [{"b_id": a, "b_by": b} for a, b in links],
    )


@transactional()
def load_demo_data(count, seed=0, years=4):
    """Insert ``count`` dummy residents with ``years`` fiscal years of passes,
    in one transaction.

    Rows are built and written a chunk at a time (COPY on PostgreSQL): only
    the people and the plan of their passes are held whole.

    :returns: ``{"residents": n, "passes": n, "history": n}``.
    """
    today = clock.today()
    offices = {o.code: o for o in db.session.query(Office).order_by(Office.sort_order)}
    office_codes = sorted(offices, key=lambda c: (not offices[c].is_headquarters, c))
    context = SimpleNamespace(
        now=clock.now(), offices=offices, creators=_creators(ensure_demo_accounts())
    )

    people = generate_people(count, seed=seed)
    extras, plan = plan_history(people, office_codes, today, seed=seed, years=years)
    context.first_resident = (db.session.execute(select(func.max(Resident.id))).scalar() or 0) + 1
    context.first_pass = (db.session.execute(select(func.max(Issuance.id))).scalar() or 0) + 1
    # History rows keep their order of old: the residents' events, then the passes'.
    resident_history, pass_history = [], []
    _insert_rows(
        Resident.__table__,
        len(people),
        context.first_resident - 1,
        _resident_stream(people, extras, context.first_resident, context.now, resident_history),
    )
    _insert_rows(
        Issuance.__table__,
        len(plan),
        context.first_pass - 1,
        _pass_stream(plan, people, extras, context, pass_history),
    )
    _link_replacements(_links(plan, context.first_pass))
    history = resident_history + pass_history
    if history:
        conn = db.session.connection()
        names, tuples = bulk.rows_of(history)
        bulk.bulk_insert(conn, ChangeLog.__table__, names, tuples)
    bulk.fix_sequences(db.session.connection(), ("resident", "issuance"))
    return {"residents": len(people), "passes": len(plan), "history": len(history)}


@click.command("demo-data")
@click.option(
    "--residents",
    "count",
    type=click.IntRange(1, MAX_RESIDENTS),
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
