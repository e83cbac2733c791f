"""The rules of a 送付先 with a kind (施設, 家族方, 代理人・成年後見人, その他).

:func:`check_kind` is called by :mod:`app.residents.corrections` on a whole
送付先 (address, postal code already checked there) and raises
:class:`~app.errors.DomainError` naming the field, before anything is written.
"""

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from app.applications import codes
from app.errors import DomainError

__all__ = ["check_kind", "reason_for"]

# The 送付先's reason (施設入所, 家族方, その他) a kind implies when none is chosen.
_REASONS = {codes.KIND_FACILITY: "facility", codes.KIND_FAMILY: "family"}


def _name_messages() -> dict[str, str]:
    return {
        codes.KIND_FACILITY: _("Enter the name of the facility (the addressee)."),
        codes.KIND_FAMILY: _("Enter the name of the family member (the addressee)."),
        codes.KIND_REPRESENTATIVE: _("Enter the name of the representative (the addressee)."),
    }


def reason_for(kind: str | None) -> str:
    """The reason a kind implies: 施設 → 施設入所, 家族方 → 家族方, else その他."""
    return _REASONS.get(kind or "", "other")


def check_kind(values: Mapping[str, Any]) -> dict[str, Any]:
    """The kind-dependent fields of a 送付先, checked.

    :param values: the 送付先's ``mail_*`` fields (``mail_kind``,
        ``mail_name``, ``mail_contact``, ``mail_reason`` …).
    :returns: ``mail_kind``, ``mail_contact`` (kept for a facility's 担当 and
        a representative's title only) and ``mail_reason`` (the kind's when
        none was chosen).
    :raises DomainError: no kind (nor a reason to take it from) or an
        unknown one; a facility, family or
        representative 送付先 without the name to print.
    """
    kind = (values.get("mail_kind") or "").strip()
    if not kind and values.get("mail_reason") in codes.DESTINATION_KINDS:
        # A 送付先 given with its reason only (a caller from before kinds):
        # 施設入所 → 施設, 家族方 → 家族方, その他 → その他.
        kind = values["mail_reason"]
    if kind not in codes.DESTINATION_KINDS:
        raise DomainError(_("Choose the kind of the mailing address."), field="mail_kind")
    message = _name_messages().get(kind)
    if message and not (values.get("mail_name") or "").strip():
        raise DomainError(message, field="mail_name")
    keeps_contact = kind in (codes.KIND_FACILITY, codes.KIND_REPRESENTATIVE)
    contact = (values.get("mail_contact") or "").strip() if keeps_contact else ""
    return {
        "mail_kind": kind,
        "mail_contact": contact or None,
        "mail_reason": values.get("mail_reason") or reason_for(kind),
    }
