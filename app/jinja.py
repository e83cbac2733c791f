"""Template filters shared by the screens and the printed documents."""

from app import labels
from app.text.wareki import format_fiscal_year, format_wareki


def _wareki(value, style="long"):
    return format_wareki(value, style) if value else ""


def register_filters(app):
    app.jinja_env.filters.update(
        wareki=_wareki,
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
