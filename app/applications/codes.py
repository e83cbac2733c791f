"""The codes of an application and of a 送付先's kind (pure)."""

APPLICANT_SELF = "self"  # 本人
APPLICANT_PROXY = "proxy"  # 代理人
APPLICANTS = (APPLICANT_SELF, APPLICANT_PROXY)

RELATIONS = (
    "same_household",  # 同居の家族
    "separate_family",  # 別居の家族
    "facility_staff",  # 施設職員
    "care_manager",  # ケアマネジャー
    "guardian",  # 成年後見人
    "other",  # その他
)
AUTHORITY_NONE = "none"
AUTHORITIES = (
    "power_of_attorney",  # 委任状
    "registry_certificate",  # 登記事項証明書 (of a guardianship)
    AUTHORITY_NONE,  # なし
)
ID_DOCUMENTS = (
    "insurance_card",  # 保険証
    "my_number_card",  # マイナンバーカード
    "disability_handbook",  # 障害者手帳
    "child_allowance_notice",  # 児童育成手当の通知
    "other",  # その他
)
# The relations that need no authority document, unless configured otherwise
# (PROXY_AUTHORITY_EXEMPT_RELATIONS).
DEFAULT_EXEMPT_RELATIONS = ("same_household",)

KIND_FACILITY = "facility"  # 施設: the facility's name, optionally its 担当
KIND_FAMILY = "family"  # 家族方: the family member's name
KIND_REPRESENTATIVE = "representative"  # 代理人・成年後見人: their name and title
KIND_OTHER = "other"  # その他: printed 気付 as before
DESTINATION_KINDS = (KIND_FACILITY, KIND_FAMILY, KIND_REPRESENTATIVE, KIND_OTHER)
