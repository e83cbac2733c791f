"""The application form's fields: who applied and the ID checked.

:class:`ApplicationForm` is :class:`app.residents.forms.IssueForm` with them;
:func:`application_of` reads them into the pass columns through the rule
(:func:`app.applications.applicants.check_application`).  The selects do not
check their own choices: the rule does, with a Japanese message on the field.
"""

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Optional

from app.applications import codes, labels
from app.applications.applicants import check_application
from app.residents.forms import IssueForm


def _choices(mapping: dict[str, Any], order: tuple[str, ...], blank: bool = True) -> list[Any]:
    found = [(code, mapping[code]) for code in order]
    return ([("", _l("(choose)"))] if blank else []) + found


def _select(label: Any, mapping: dict[str, Any], order: tuple[str, ...], blank: bool = True) -> Any:
    return SelectField(
        label,
        choices=_choices(mapping, order, blank),
        validate_choice=False,
        validators=[Optional()],
    )


class ApplicationForm(IssueForm):
    """Record an application (申請者 and ID checked) and the issue of a pass."""

    applicant = _select(_l("Applicant"), labels.APPLICANTS, codes.APPLICANTS, blank=False)
    proxy_name = StringField(_l("Name of the proxy"), validators=[Optional()])
    proxy_relation = _select(_l("Relation to the person"), labels.RELATIONS, codes.RELATIONS)
    proxy_authority = _select(_l("Authority shown"), labels.AUTHORITIES, codes.AUTHORITIES)
    id_checked = _select(_l("ID checked"), labels.ID_DOCUMENTS, codes.ID_DOCUMENTS)
    # Present on every application form rendered since applicants are
    # recorded: a form without it (a page opened before the upgrade) records
    # the pass with its applicant not recorded.
    # (templates/issuances/new.html writes it as a literal, never from a default).
    applicant_form = HiddenField()


def application_of(form: Any) -> dict[str, str | None] | None:
    """The pass columns of who applied, or ``None`` for a form without them.

    :raises DomainError: when the rule refuses (nothing is saved).
    """
    if (form.applicant_form.data or "") != "1":
        return None
    return check_application(
        form.applicant.data,
        id_checked=form.id_checked.data,
        proxy_name=form.proxy_name.data,
        relation=form.proxy_relation.data,
        authority=form.proxy_authority.data,
    )
