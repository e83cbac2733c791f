"""Who applied for a pass (申請者): 本人 or 代理人, and the rule of a proxy.

A proxy gives a name and a relation; unless the relation is exempt
(``PROXY_AUTHORITY_EXEMPT_RELATIONS``, by default only 同居の家族) the proxy
must show an authority document (委任状, 登記事項証明書).  Everyone's ID
checked (本人確認書類) is recorded.  :func:`check_application` raises
:class:`~app.errors.DomainError` naming the field, before anything is written.
"""

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from app.applications import codes, labels
from app.errors import DomainError
from app.extensions import db
from app.text.controls import has_control_characters

log = logging.getLogger(__name__)

__all__ = [
    "applicant_cell",
    "applicant_summary",
    "check_application",
    "exempt_relations",
    "id_checked_label",
    "mass_mailed",
    "proxy_note",
    "rule_text",
]

PROXY_NAME_MAX = 100


def exempt_relations(config: Mapping[str, Any] | None = None) -> frozenset[str]:
    """The relations whose proxy needs no authority document (configured)."""
    config = current_app.config if config is None else config
    value = config.get("PROXY_AUTHORITY_EXEMPT_RELATIONS", codes.DEFAULT_EXEMPT_RELATIONS)
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(v.strip() for v in value if v.strip() in codes.RELATIONS)


def _code(value: str | None, allowed: Iterable[str], message: str, field: str) -> str:
    value = (value or "").strip()
    if value not in allowed:
        raise DomainError(message, field=field)
    return value


def _proxy_name(value: str | None) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise DomainError(_("Enter the name of the proxy."), field="proxy_name")
    if has_control_characters(name) or len(name) > PROXY_NAME_MAX:
        raise DomainError(
            _(
                "The proxy's name is too long or contains control characters (%(n)d characters at most)."
            )
            % {"n": PROXY_NAME_MAX},
            field="proxy_name",
        )
    return name


def check_application(
    applicant: str | None,
    *,
    id_checked: str | None,
    proxy_name: str | None = None,
    relation: str | None = None,
    authority: str | None = None,
    exempt: Iterable[str] | None = None,
) -> dict[str, str | None]:
    """The pass columns of an application, checked.

    :param exempt: relations that need no authority document (by default the
        configured :func:`exempt_relations`).
    :returns: ``applicant, proxy_name, proxy_relation, proxy_authority,
        id_checked`` (the proxy's fields ``None`` for an applicant in person).
    :raises DomainError: unknown codes, a proxy without a name or relation,
        a proxy who needs an authority document and showed none.
    """
    who = _code(applicant, codes.APPLICANTS, _("Choose who applied."), "applicant")
    id_code = _code(
        id_checked, codes.ID_DOCUMENTS, _("Choose the ID that was checked."), "id_checked"
    )
    if who == codes.APPLICANT_SELF:
        return {
            "applicant": who,
            "proxy_name": None,
            "proxy_relation": None,
            "proxy_authority": None,
            "id_checked": id_code,
        }
    name = _proxy_name(proxy_name)
    rel = _code(
        relation, codes.RELATIONS, _("Choose the proxy's relation to the person."), "proxy_relation"
    )
    auth = _code(authority or codes.AUTHORITY_NONE, codes.AUTHORITIES,
                 _("Choose the authority document the proxy showed."), "proxy_authority")  # fmt: skip
    allowed = exempt_relations() if exempt is None else frozenset(exempt)
    if auth == codes.AUTHORITY_NONE and rel not in allowed:
        raise DomainError(
            _(
                "A proxy who is %(relation)s must show a letter of proxy or a certificate of "
                "registered matters. Nothing was recorded."
            )
            % {"relation": labels.RELATIONS[rel]},
            field="proxy_authority",
        )
    return {
        "applicant": who,
        "proxy_name": name,
        "proxy_relation": rel,
        "proxy_authority": auth,
        "id_checked": id_code,
    }


def rule_text() -> str:
    """The rule as the form explains it (the configured exempt relations)."""
    exempt = [str(labels.RELATIONS[r]) for r in codes.RELATIONS if r in exempt_relations()]
    if not exempt:
        return str(
            _("Every proxy must show a letter of proxy or a certificate of registered matters.")
        )
    return str(
        _(
            "A proxy must show a letter of proxy or a certificate of registered matters, "
            "except: %(relations)s."
        )
    ) % {"relations": "、".join(exempt)}


def mass_mailed(issuance_ids: Iterable[int]) -> set[int]:
    """Those of ``issuance_ids`` made by a mass mailing (nobody applied)."""
    from app.letters.models import MassMailingItem  # app.letters imports app.passes

    ids = list(issuance_ids)
    if not ids:
        return set()
    return set(
        db.session.execute(
            select(MassMailingItem.issuance_id).where(MassMailingItem.issuance_id.in_(ids))
        ).scalars()
    )


def applicant_summary(issuance: Any, *, mass_mailed: bool = False) -> str:
    """Who applied, in one line: 「本人」, 「代理人　山田　花子（別居の家族・委任状）」,
    「未記録」 or, for a pass of the mass mailing, 「なし（一斉送付）」."""
    if issuance.applicant == codes.APPLICANT_SELF:
        return str(labels.APPLICANTS["self"])
    if issuance.applicant == codes.APPLICANT_PROXY:
        details = proxy_note(issuance)
        text = applicant_cell(issuance)
        return f"{text}（{details}）" if details else text
    return str(labels.MASS_MAILED if mass_mailed else labels.NOT_RECORDED)


def applicant_cell(issuance: Any) -> str:
    """Who applied, for the checklist's column: 「本人」 or 「代理人　山田　花子」
    (the relation and authority go to :func:`proxy_note`); ``""`` when not
    recorded."""
    if issuance.applicant == codes.APPLICANT_SELF:
        return str(labels.APPLICANTS["self"])
    if issuance.applicant == codes.APPLICANT_PROXY:
        return f"{labels.APPLICANTS['proxy']}\u3000{issuance.proxy_name or ''}"
    return ""


def proxy_note(issuance: Any) -> str:
    """A proxy's relation and authority for the checklist's note
    (「別居の家族・委任状」), ``""`` for anyone else."""
    if issuance.applicant != codes.APPLICANT_PROXY:
        return ""
    return "・".join(
        str(mapping.get(code, code))
        for mapping, code in (
            (labels.RELATIONS, issuance.proxy_relation),
            (labels.AUTHORITIES, issuance.proxy_authority),
        )
        if code
    )


def id_checked_label(code: str | None) -> str:
    """The label of an ID checked, ``""`` when not recorded."""
    return str(labels.ID_DOCUMENTS.get(code, code)) if code else ""
