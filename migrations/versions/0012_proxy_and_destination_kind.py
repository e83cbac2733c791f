"""proxy and destination kind — issue 12 (proxy applications, 送付先 kinds)

Revision ID: 0012
Revises: 0011

``issuance`` gains who applied: ``applicant`` (``self`` 本人 / ``proxy``
代理人; NULL = not recorded: every pass made before this revision, and the
passes nobody applied for at a window — the mass mailing, the ledger
migration), the proxy's ``proxy_name``, ``proxy_relation`` and
``proxy_authority``, and the ``id_checked`` (本人確認書類); and what its
frozen 送付先 was: ``mail_to_kind`` and ``mail_to_contact`` (a facility's 担当).

``resident`` gains the kind of its 送付先 (``mail_kind``: ``facility`` 施設,
``family`` 家族方, ``representative`` 代理人・成年後見人, ``other`` その他) and
``mail_contact`` (a facility's 担当, or a representative's title such as
成年後見人).  Existing 送付先 get a kind by :func:`kind_of` (the rules are
documented there); existing passes keep ``mail_to_kind`` NULL and print as
before.
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ISSUANCE_COLUMNS = (
    ("applicant", 10),
    ("proxy_name", 100),
    ("proxy_relation", 20),
    ("proxy_authority", 20),
    ("id_checked", 20),
    ("mail_to_kind", 20),
    ("mail_to_contact", 100),
)
RESIDENT_COLUMNS = (("mail_kind", 20), ("mail_contact", 100))

# Words in a 宛名 that name a facility (ホーム, 施設, 病院 …) or a representative.
FACILITY_WORDS = ("ホーム", "施設", "病院", "ハウス", "センター")
# Facility names that end so (…園, …苑): only at the end, as 園田 is a surname.
FACILITY_ENDINGS = ("園", "苑", "荘", "寮")
GUARDIAN_WORDS = ("後見",)
PROXY_WORDS = ("代理",)
HONORIFICS = ("様方", "気付", "御中", "様")


def _compact(text):
    return "".join((text or "").split())


def _bare(text):
    text = (text or "").strip()
    for honorific in HONORIFICS:
        if text.endswith(honorific) and len(text) > len(honorific):
            return text[: -len(honorific)].strip()
    return text


def kind_of(row):
    """``(mail_kind, mail_contact)`` of an existing 送付先.

    * no 送付先 address: none;
    * a 宛名 that is empty or the resident's own name: ``other`` (nothing to
      print above the resident's name, as before);
    * reason 施設入所: ``facility``; reason 家族方: ``family``;
    * reason その他 (or none): a 宛名 with 後見 is ``representative`` titled
      成年後見人, with 代理 ``representative`` titled 代理人; one with a
      facility word (ホーム, 施設, 病院, ハウス, センター) or ending so
      (…園, …苑, …荘, …寮) ``facility``; any other 宛名 stays ``other`` (printed 気付 as before).
    """
    if not (row.mail_address or "").strip():
        return None, None
    name = _bare(row.mail_name)
    if not name or _compact(name) == _compact(row.name):
        return "other", None
    if row.mail_reason in ("facility", "family"):
        return row.mail_reason, None
    if any(word in name for word in GUARDIAN_WORDS):
        return "representative", "成年後見人"
    if any(word in name for word in PROXY_WORDS):
        return "representative", "代理人"
    if any(word in name for word in FACILITY_WORDS) or name.endswith(FACILITY_ENDINGS):
        return "facility", None
    return "other", None


def _assign_kinds(bind):
    resident = sa.table(
        "resident",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("mail_name", sa.String),
        sa.column("mail_address", sa.String),
        sa.column("mail_reason", sa.String),
        sa.column("mail_kind", sa.String),
        sa.column("mail_contact", sa.String),
    )
    rows = bind.execute(
        sa.select(
            resident.c.id,
            resident.c.name,
            resident.c.mail_name,
            resident.c.mail_address,
            resident.c.mail_reason,
        ).where(resident.c.mail_address.isnot(None))
    ).all()
    updates = []
    for row in rows:
        kind, contact = kind_of(row)
        if kind is not None:
            updates.append({"rid": row.id, "kind": kind, "contact": contact})
    if updates:
        bind.execute(
            resident.update()
            .where(resident.c.id == sa.bindparam("rid"))
            .values(mail_kind=sa.bindparam("kind"), mail_contact=sa.bindparam("contact")),
            updates,
        )


def upgrade():
    with op.batch_alter_table("issuance", schema=None) as batch_op:
        for name, length in ISSUANCE_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    with op.batch_alter_table("resident", schema=None) as batch_op:
        for name, length in RESIDENT_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=True))
    _assign_kinds(op.get_bind())


def downgrade():
    with op.batch_alter_table("resident", schema=None) as batch_op:
        for name, _length in reversed(RESIDENT_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("issuance", schema=None) as batch_op:
        for name, _length in reversed(ISSUANCE_COLUMNS):
            batch_op.drop_column(name)
