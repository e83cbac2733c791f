"""The person (事業対象者) and the codes of their record."""

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import deferred

from app.residents.grams import GramList, search_columns
from app.text.grams import name_grams

STATUS_ACTIVE = "active"
STATUS_EXCLUDED = "excluded"

EXCLUSION_REASONS = (
    "moved_out",  # 転出
    "deceased",  # 死亡
    "struck_off",  # 職権消除
    "lost_eligibility",  # 資格喪失
    "not_extracted",  # 抽出対象外
    "other",  # その他
)
MAIL_REASONS = ("facility", "family", "other")  # 施設入所, 家族方, その他
# The categories (事業対象区分) of a person: code -> the column that flags it.
# The one place they are listed: searches, screens, the API, the mass mailing.
CATEGORY_COLUMNS = {
    "elderly": "is_elderly",
    "disabled": "is_disabled",
    "child_allowance": "is_child_allowance",
}
CATEGORIES = tuple(CATEGORY_COLUMNS)
# A person's master data as the host extract carries it (order matters to the importer).
HOST_FIELDS = (
    "name",
    "kana",
    "sex",
    "birth_date",
    "postal_code",
    "address",
    "address2",
    "phone",
    *CATEGORY_COLUMNS.values(),
)


def _grams_of(context, key_column):
    """Default of a gram column on INSERT: the grams of the row's key."""
    return name_grams(context.get_current_parameters().get(key_column) or "")


def categories_of(row):
    """The category codes of a resident, a result row or any object with the
    flag columns (``is_elderly`` …), in :data:`CATEGORIES` order."""
    return [code for code, column in CATEGORY_COLUMNS.items() if getattr(row, column)]


class Resident(Model):
    """事業対象者: a person eligible for the program, as known from the host extract."""

    __tablename__ = "resident"

    id = Column(Integer, primary_key=True)
    resident_no = Column(String(10), unique=True, nullable=False)
    name = Column(String(100), nullable=False)
    kana = Column(String(100), nullable=False)
    # Derived search keys, kept in step by the service layer and the importer.
    name_key = Column(String(100), nullable=False)
    kana_key = Column(String(100), nullable=False)
    # Their bigrams, indexed by the database (app.residents.grams); not loaded
    # with the person (nothing shows them).
    name_grams = deferred(
        Column(GramList, nullable=False, default=lambda ctx: _grams_of(ctx, "name_key"))
    )
    kana_grams = deferred(
        Column(GramList, nullable=False, default=lambda ctx: _grams_of(ctx, "kana_key"))
    )
    sex = Column(SmallInteger, nullable=False)
    birth_date = Column(Date, nullable=False, index=True)
    postal_code = Column(String(7), nullable=False, default="")
    address = Column(String(200), nullable=False, default="")
    address2 = Column(String(120), nullable=False, default="")
    phone = Column(String(20), nullable=False, default="")
    is_elderly = Column(Boolean, nullable=False, default=False)
    is_disabled = Column(Boolean, nullable=False, default=False)
    is_child_allowance = Column(Boolean, nullable=False, default=False)
    status = Column(String(10), nullable=False, default=STATUS_ACTIVE, index=True)
    excluded_on = Column(Date, nullable=True)
    exclusion_reason = Column(String(20), nullable=True)
    needs_review = Column(Boolean, nullable=False, default=False)
    has_gaiji = Column(Boolean, nullable=False, default=False)
    mail_name = Column(String(100), nullable=True)
    mail_postal_code = Column(String(7), nullable=True)
    mail_address = Column(String(200), nullable=True)
    mail_reason = Column(String(20), nullable=True)
    # The kind of the 送付先 (app.applications.destinations.KINDS) and a
    # facility's 担当 or a representative's title (成年後見人 …).
    mail_kind = Column(String(20), nullable=True)
    mail_contact = Column(String(100), nullable=True)
    note = Column(Text, nullable=True)
    created_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    updated_at = Column(DateTime, nullable=False, default=datetime.utcnow)
    version = Column(Integer, nullable=False, default=1)

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Prefix search: a range scan on SQLite (binary collation); LIKE 'x%' on
        # PostgreSQL, which needs the pattern operator class whatever the locale.
        Index("ix_resident_kana_key", "kana_key", postgresql_ops={"kana_key": "text_pattern_ops"}),
        Index("ix_resident_name_key", "name_key", postgresql_ops={"name_key": "text_pattern_ops"}),
        # Contains-searches: GIN over the grams on PostgreSQL; SQLite has its
        # FTS5 table instead (app.residents.grams).
        Index("ix_resident_name_grams", "name_grams", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        Index("ix_resident_kana_grams", "kana_grams", postgresql_using="gin").ddl_if(
            dialect="postgresql"
        ),
        {"extend_existing": True},
    )

    def set_search_keys(self):
        self.name_key, self.kana_key, self.name_grams, self.kana_grams = search_columns(
            self.name, self.kana
        )

    @property
    def is_active(self):
        return self.status == STATUS_ACTIVE

    @property
    def categories(self):
        """The person's category codes (:func:`categories_of`)."""
        return categories_of(self)

    def __repr__(self):
        return f"{self.name} ({self.resident_no})"
