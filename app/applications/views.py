"""No routes: the templates' filters of applications and 送付先 kinds."""

from typing import Any

from flask import current_app

from app.applications import addressing, applicants, codes, labels


def _applicant(issuance: Any) -> str:
    """Who applied for one pass (the pass page): 未記録 or, for a pass of the
    mass mailing, 「なし（一斉送付）」 when nobody did."""
    mass = issuance.applicant is None and bool(applicants.mass_mailed([issuance.id]))
    return applicants.applicant_summary(issuance, mass_mailed=mass)


def _applicant_short(issuance: Any) -> str:
    """Who applied, in a table cell (no look-up): ``—`` when not recorded."""
    if issuance.applicant is None:
        return "—"
    if issuance.applicant == codes.APPLICANT_PROXY:
        return f"{labels.APPLICANTS['proxy']}（{issuance.proxy_name or ''}）"
    return str(labels.APPLICANTS["self"])


def _label(mapping: dict[str, Any]) -> Any:
    return lambda code: str(mapping.get(code, code)) if code else ""


def register(appbuilder: Any) -> None:
    env = current_app.jinja_env
    env.globals["proxy_rule_help"] = applicants.rule_text
    env.filters.update(
        applicant=_applicant,
        applicant_short=_applicant_short,
        id_checked=_label(labels.ID_DOCUMENTS),
        proxy_relation=_label(labels.RELATIONS),
        proxy_authority=_label(labels.AUTHORITIES),
        destination_kind=_label(labels.DESTINATION_KINDS),
        contact_line=addressing.contact_text,
    )
