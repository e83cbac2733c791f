"""Forms of the 送付停止 panel on the person's page and of the returns batch
screen (CSRF-protected WTForms; the rules are in the services)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.mailing.models import STOP_REASONS
from app.mailing.stops import REASON_LABELS
from app.residents.forms import WarekiDateField

# The reasons offered on the stop form (returned_pass comes from the hand-back form).
FORM_REASONS = tuple(r for r in STOP_REASONS if r != "returned_pass")

_CONFIRM = _l("Confirm")
_CONFIRM_REQUIRED = _l("Tick the box to confirm.")


class StopForm(FlaskForm):
    reason = SelectField(
        _l("Reason for stopping"),
        choices=[("", _l("(choose)")), *((r, REASON_LABELS[r]) for r in FORM_REASONS)],
    )
    note = TextAreaField(_l("Details"), validators=[Optional(), Length(max=500)])
    since = WarekiDateField(_l("Stopped from"), validators=[Optional()])
    confirm = BooleanField(_CONFIRM, validators=[InputRequired(message=_CONFIRM_REQUIRED)])


class ResumeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for resuming"), validators=[Optional(), Length(max=500)])
    confirm = BooleanField(_CONFIRM, validators=[InputRequired(message=_CONFIRM_REQUIRED)])


class HandBackForm(FlaskForm):
    issuance_id = HiddenField()
    version = HiddenField()
    on = WarekiDateField(_l("Handed back on"), validators=[Optional()])
    stop = BooleanField(_l("The person no longer wants the pass: stop mailing"))
    note = TextAreaField(_l("Details"), validators=[Optional(), Length(max=500)])
    confirm = BooleanField(_CONFIRM, validators=[InputRequired(message=_CONFIRM_REQUIRED)])


class ClearReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("Why the returned mail is cleared"), validators=[Optional(), Length(max=500)]
    )
    confirm = BooleanField(_CONFIRM, validators=[InputRequired(message=_CONFIRM_REQUIRED)])


class ReturnsBatchForm(FlaskForm):
    fiscal_year = SelectField(_l("Fiscal year"), coerce=int)
    returned_on = WarekiDateField(_l("Returned on"), validators=[Optional()])
    control_no = StringField(_l("Control No."), validators=[Optional(), Length(max=40)])


class ReturnsFileForm(FlaskForm):
    fiscal_year = SelectField(_l("Fiscal year"), coerce=int)
    returned_on = WarekiDateField(_l("Returned on"), validators=[Optional()])
    file = FileField(_l("File of scanned numbers (one per line)"))
