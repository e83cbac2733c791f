"""Forms of the migration screens: the upload, the confirmations (CSRF only)
and the erasure record."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from app.extensions import db
from app.residents.forms import WarekiDateField
from app.security.models import StaffUser

MAX_TEXT = 1000


class UploadForm(FlaskForm):
    file = FileField(
        _l("Ledger workbook (.xlsx / .xlsm)"),
        validators=[FileRequired(message=_l("Choose the ledger workbook to upload."))],
    )


class ConfirmForm(FlaskForm):
    """A confirmation button: only the CSRF token."""


def confirm_form():
    return ConfirmForm()


def _account_choices():
    users = db.session.execute(
        select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.username)
    ).scalars()
    blank = [("", _l("(choose)"))]
    return blank + [(str(u.id), f"{u.last_name} {u.first_name}（{u.username}）") for u in users]


class _AccountField(SelectField):
    """An active account, chosen by id; ``data`` is the StaffUser (or None)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = None
        if valuelist and valuelist[0].isdigit():
            self.data = db.session.get(StaffUser, int(valuelist[0]))

    def pre_validate(self, form):
        # The account's activity and difference are the service's rules.
        if self.data is None and self.raw_data and self.raw_data[0]:
            raise ValidationError(self.gettext("Not a valid choice."))


class ErasureForm(FlaskForm):
    """One erasure of the workbook or of a copy of it."""

    location = TextAreaField(
        _l("Where it was"),
        validators=[
            InputRequired(message=_l("Enter where the workbook or copy was.")),
            Length(max=MAX_TEXT),
        ],
    )
    method = StringField(
        _l("How it was erased"),
        validators=[InputRequired(message=_l("Enter how it was erased.")), Length(max=MAX_TEXT)],
    )
    erased_on = WarekiDateField(
        _l("Erased on"), validators=[InputRequired(message=_l("Enter the date of the erasure."))]
    )
    erased_by = _AccountField(_l("Erased by"), validate_choice=False)
    witness = _AccountField(_l("Witness"), validate_choice=False)
    corrects_id = SelectField(_l("Corrects record"), coerce=lambda v: int(v) if v else None,
                              validate_choice=False, validators=[Optional()])  # fmt: skip
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=MAX_TEXT)])

    def __init__(self, *args, corrects=(), **kwargs):
        super().__init__(*args, **kwargs)
        accounts = _account_choices()
        self.erased_by.choices = accounts
        self.witness.choices = accounts
        self.corrects_id.choices = [("", _l("(none)"))] + [
            (str(r.id), _l("Record %(id)s", id=r.id)) for r in corrects
        ]
