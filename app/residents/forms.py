"""Forms of the people and pass screens (CSRF-protected WTForms).

The forms only read and shape what was typed; every rule lives in the service
functions, whose :class:`~app.errors.DomainError` the views attach to
the field it names.  Check boxes are plain ``BooleanField`` without a
``required`` validator, so unticking one saves ``False`` (FAB's generated forms
turn NOT NULL booleans into required boxes that can never be saved unticked).
"""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Optional

from app.applications import labels as application_labels
from app.applications.codes import DESTINATION_KINDS
from app.passes.models import KINDS, METHODS, REISSUE_REASONS
from app.residents.corrections import MAIL_FIELDS, MASTER_FIELDS
from app.residents.models import EXCLUSION_REASONS, MAIL_REASONS
from app.residents.search import date_error_message
from app.text.wareki import WarekiError, format_wareki, parse_date_input
from app.web import labels


class WarekiDateField(StringField):
    """A date typed as ``2026-11-22``, ``R8.11.22``, ``令和8年11月22日`` ...,
    shown (a default, a stored value) as the screens show dates: ``令和8年11月22日``."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            day = parse_date_input(text)
        except WarekiError as exc:
            raise ValueError(date_error_message(exc, text)) from None
        if day is None:
            raise ValueError(_l("Enter a date such as 2026-04-01, R8.4.1 or 令和8年4月1日."))
        self.data = day

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        if not self.data:
            return ""
        try:
            return format_wareki(self.data)
        except WarekiError:  # before 明治: no era to name it
            return self.data.isoformat()


def _choices(mapping, codes, blank=False):
    found = [(code, mapping[code]) for code in codes]
    return ([("", _l("(none)"))] if blank else []) + found


def _required(message):
    return [InputRequired(message=message)]


class IssueForm(FlaskForm):
    """Record an application and the issue of a pass."""

    kind = SelectField(_l("Kind"), choices=_choices(labels.ISSUANCE_KINDS, KINDS))
    reissue_reason = SelectField(
        _l("Reason for reissue"),
        choices=_choices(labels.REISSUE_REASONS, REISSUE_REASONS, blank=True),
        validators=[Optional()],
    )
    applied_on = WarekiDateField(
        _l("Application date"), validators=_required(_l("Enter the application date."))
    )
    issued_on = WarekiDateField(_l("Issue date"), validators=_required(_l("Enter the issue date.")))
    office = SelectField(_l("Issuing office"), coerce=int)
    method = SelectField(_l("Method"), choices=_choices(labels.METHODS, METHODS))
    note = TextAreaField(_l("Note"), validators=[Optional()])
    override_reason = TextAreaField(
        _l("Reason for a second reissue of a lost pass (supervisor)"), validators=[Optional()]
    )
    supersedes_id = HiddenField()
    # The random id of this rendered form (app.passes.views): one form, one pass.
    submission = HiddenField()
    # The earlier fiscal year the user confirmed for a past 交付日 (a check box
    # the template shows after the first refusal, its value the year).
    confirm_fiscal_year = StringField(validators=[Optional()])
    # March applications (app.march): inside the window, this year's pass or
    # next year's ("auto": by mail next year's, at the counter this year's;
    # "current" / "next"; labels with the years set by the view).  Anything
    # but "next" or "auto" is this year's; the service refuses "next" outside it.
    pass_year = SelectField(
        _l("Fiscal year of the pass"),
        choices=[("current", _l("This fiscal year")), ("next", _l("Next fiscal year"))],
        validate_choice=False,
        validators=[Optional()],
    )


class IssuanceEditForm(FlaskForm):
    """Correct a pass record (IssuanceAdmin)."""

    applied_on = WarekiDateField(
        _l("Application date"), validators=_required(_l("Enter the application date."))
    )
    issued_on = WarekiDateField(_l("Issue date"), validators=_required(_l("Enter the issue date.")))
    office = SelectField(_l("Issuing office"), coerce=int)
    method = SelectField(_l("Method"), choices=_choices(labels.METHODS, METHODS))
    reissue_reason = SelectField(
        _l("Reason for reissue"),
        choices=_choices(labels.REISSUE_REASONS, REISSUE_REASONS, blank=True),
        validators=[Optional()],
    )
    returned_on = WarekiDateField(_l("Returned on"), validators=[Optional()])
    resent_on = WarekiDateField(_l("Resent on"), validators=[Optional()])
    note = TextAreaField(_l("Note"), validators=[Optional()])
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class ResidentForm(FlaskForm):
    """Master data, 送付先 and note of a person."""

    name = StringField(_l("Name"), validators=_required(_l("Enter the name.")))
    kana = StringField(_l("Kana"), validators=_required(_l("Enter the name in kana.")))
    sex = SelectField(_l("Sex"), coerce=int, choices=[(1, labels.SEX[1]), (2, labels.SEX[2])])
    birth_date = WarekiDateField(
        _l("Date of birth"), validators=_required(_l("Enter the date of birth."))
    )
    postal_code = StringField(_l("Postal code"), validators=[Optional()])
    address = StringField(_l("Home address"), validators=[Optional()])
    address2 = StringField(_l("Building and room"), validators=[Optional()])
    phone = StringField(_l("Phone"), validators=[Optional()])
    is_elderly = BooleanField(labels.CATEGORIES["elderly"])
    is_disabled = BooleanField(labels.CATEGORIES["disabled"])
    is_child_allowance = BooleanField(labels.CATEGORIES["child_allowance"])
    mail_kind = SelectField(
        _l("Kind of mailing address"),
        choices=_choices(application_labels.DESTINATION_KINDS, DESTINATION_KINDS, blank=True),
        validate_choice=False,  # checked with the whole 送付先 (a Japanese message)
    )
    mail_name = StringField(_l("Addressee"), validators=[Optional()])
    mail_contact = StringField(
        _l("Contact at the facility, or the representative's title"), validators=[Optional()]
    )
    mail_postal_code = StringField(_l("Postal code"), validators=[Optional()])
    mail_address = StringField(_l("Mailing address"), validators=[Optional()])
    mail_reason = SelectField(
        _l("Reason"), choices=_choices(labels.MAIL_REASONS, MAIL_REASONS, blank=True)
    )
    note = TextAreaField(_l("Individual circumstances and notes"), validators=[Optional()])
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])

    # The service owns the list of editable fields; 住民番号 is the host's key,
    # never edited here.
    MASTER = tuple(f for f in MASTER_FIELDS if f != "resident_no")
    MAIL = MAIL_FIELDS

    def changes(self):
        return {name: self[name].data for name in self.MASTER + self.MAIL}


class ExcludeForm(FlaskForm):
    """Exclude a person by hand."""

    reason = SelectField(
        _l("Reason for exclusion"),
        choices=_choices(labels.EXCLUSION_REASONS, EXCLUSION_REASONS, blank=True),
    )
    excluded_on = WarekiDateField(
        _l("Date of exclusion"), validators=_required(_l("Enter the date of the exclusion."))
    )
    # An exclusion ends the person's passes: asked for in so many words, without
    # relying on JavaScript.
    confirm = BooleanField(
        _l("I have checked that this person is to be excluded."),
        validators=_required(_l("Tick the box to confirm the exclusion.")),
    )
    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])


class VersionForm(FlaskForm):
    """A confirmation button (reinstate, review done) with the version seen."""

    version = IntegerField(widget=HiddenField.widget, validators=[Optional()])
