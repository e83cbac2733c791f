"""WTForms' own messages (a number that is not one, a required field) are
Japanese, from one catalogue per locale read once per process and looked up
only by a request that shows a form (app/web/jinja.py, issue 15)."""

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField
from wtforms.validators import InputRequired


class _Form(FlaskForm):
    class Meta:
        csrf = False

    count = IntegerField("件数", validators=[InputRequired()])


def _errors(app, value):
    with app.test_request_context("/", method="POST"):
        form = _Form(formdata=MultiDict({"count": value}))
        form.validate()
        return form.errors["count"], request.wtforms_translations


def test_wtforms_messages_are_japanese_from_one_catalogue(app, db):
    first, catalogue = _errors(app, "abc")
    second, again = _errors(app, "")
    assert first == ["無効な整数です。"]
    assert second == ["このフィールドは必須です。"]
    assert catalogue is again


def test_a_request_without_a_form_reads_no_catalogue(app, db):
    with app.test_request_context("/"):
        assert "wtforms_translations" not in vars(request)
