"""Forms of the sign-in, password and staff-account screens."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional


class LoginForm(FlaskForm):
    username = StringField(_l("User name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired()])
    confirm_password = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords are not the same.")),
        ],
    )


class AccountForm(FlaskForm):
    """Add or edit a staff account; role and office choices are set by the view."""

    username = StringField(_l("User name"), validators=[Optional(), Length(max=64)])
    full_name = StringField(
        _l("Name (family name, space, given name)"), validators=[DataRequired(), Length(max=120)]
    )
    role = SelectField(_l("Role"), validators=[DataRequired()])
    office = SelectField(_l("Office"), validators=[DataRequired()])
    email = EmailField(_l("E-mail (optional)"), validators=[Optional(), Length(max=200)])
