"""Template filters shared by the screens and the printed documents, and the
templates' gettext."""

import functools
from datetime import datetime
from functools import cached_property

from babel import support
from flask import Request, g
from flask_babel import get_locale, get_translations
from wtforms.i18n import messages_path

from app import clock
from app.text.wareki import WarekiError, fiscal_year_of, format_fiscal_year, format_wareki
from app.web import labels


def _wareki(value, style="long"):
    """A date (or the day of a datetime) as the screens show dates: 令和8年12月1日."""
    if not value:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    try:
        return format_wareki(day, style)
    except WarekiError:  # before 明治: no era to name it
        return day.isoformat()


def _wareki_time(value):
    """A moment as the screens show it: 令和8年12月1日 14:05."""
    return f"{_wareki(value)} {value:%H:%M}" if value else ""


def _pass_status(issuance):
    """The status shown for a pass row: 期限切れ for a valid pass of an earlier year."""
    code = labels.pass_status(issuance.status, issuance.fiscal_year, fiscal_year_of(clock.today()))
    return labels.label(labels.ISSUANCE_STATUS, code)


def register_filters(app):
    app.jinja_env.filters.update(
        wareki=_wareki,
        wareki_time=_wareki_time,
        pass_status=_pass_status,
        issuance_status=lambda code: labels.label(labels.ISSUANCE_STATUS, code),
        fiscal_year=lambda fy: format_fiscal_year(fy) if fy else "",
        issuance_kind=lambda code: labels.label(labels.ISSUANCE_KINDS, code),
        issuance_method=lambda code: labels.label(labels.METHODS, code),
        reissue_reason=lambda code: labels.label(labels.REISSUE_REASONS, code),
        exclusion_reason=lambda code: labels.label(labels.EXCLUSION_REASONS, code),
        resident_status=lambda code: labels.label(labels.RESIDENT_STATUS, code),
        sex=lambda code: labels.label(labels.SEX, code),
        role_label=lambda name: labels.label(labels.ROLES, name),
        category=lambda code: labels.label(labels.CATEGORIES, code),
    )


def _request_translations():
    """This request's translations, looked up once per locale.

    Flask-Babel finds the catalogue again for every string (the request context,
    the domain, the locale: a few microseconds each); a search page has some
    forty strings.  The catalogue is kept beside Flask-Babel's own per-request
    state together with the locale it was found for, so ``force_locale`` and
    ``refresh`` (which replace or drop that locale) still take effect.
    """
    ctx = g.get("_flask_babel")
    cached = getattr(ctx, "ward_translations", None)
    if cached is not None and cached[0] is getattr(ctx, "babel_locale", None):
        return cached[1]
    translations = get_translations()
    ctx = g.get("_flask_babel")  # created by get_translations() if it was not there
    if ctx is not None:
        ctx.ward_translations = (getattr(ctx, "babel_locale", None), translations)
    return translations


def install_gettext(app):
    """Templates' ``_()`` and ``ngettext()`` through :func:`_request_translations`
    (call after Flask-Babel has installed its own)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _request_translations().ugettext(s),
        ngettext=lambda s, p, n: _request_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _request_translations().unpgettext(c, s, p, n),
    )
    app.request_class = WardRequest


@functools.cache
def _wtforms_translations(locale):
    return support.Translations.load(messages_path(), [locale], domain="wtforms")


class WardRequest(Request):
    """Flask's request, with WTForms' catalogue for Flask-WTF.

    Flask-WTF reads WTForms' own catalogue from disk again in every request
    that shows a form (0.3 ms); it looks for it on the request first.  Here it
    finds one catalogue per locale, read once per process and only ever read
    from, looked up only by the requests that show a form.
    """

    @cached_property
    def wtforms_translations(self):
        return _wtforms_translations(str(get_locale()))
