"""The Japanese labels of the application and 送付先-kind codes (translated in
``translations/ja/LC_MESSAGES/applications.po``)."""

from flask_babel import lazy_gettext as _l

APPLICANTS = {"self": _l("The person themselves"), "proxy": _l("A proxy")}
RELATIONS = {
    "same_household": _l("Family in the same household"),
    "separate_family": _l("Family in another household"),
    "facility_staff": _l("Facility staff"),
    "care_manager": _l("Care manager"),
    "guardian": _l("Adult guardian"),
    "other": _l("Other"),
}
AUTHORITIES = {
    "power_of_attorney": _l("Letter of proxy"),
    "registry_certificate": _l("Certificate of registered matters (guardianship)"),
    "none": _l("None shown"),
}
ID_DOCUMENTS = {
    "insurance_card": _l("Health insurance card"),
    "my_number_card": _l("My Number card"),
    "disability_handbook": _l("Disability certificate handbook"),
    "child_allowance_notice": _l("Notice of the child-rearing allowance"),
    "other": _l("Other"),
}
DESTINATION_KINDS = {
    "facility": _l("Care facility"),
    "family": _l("Care of a family member"),
    "representative": _l("Representative or adult guardian"),
    "other": _l("Other"),
}
# Shown for a pass whose applicant was not recorded (from before, or made
# without an application at a window).
NOT_RECORDED = _l("Applicant not recorded")
MASS_MAILED = _l("None (sent by the mass mailing)")
