"""The five roles and what each may do, declared in one place.

Views group their permissions under a ``class_permission_name`` (the keys of
:data:`GROUPS`); every view and API endpoint of the application uses one of
them, so the role × URL matrix test can check them all.  The roles are FAB
"builtin roles" (``FAB_ROLES``): defined here, not edited in the screens.
"""

ADMIN = "Admin"
SUPERVISOR = "Supervisor"
STAFF = "Staff"
BRANCH_STAFF = "BranchStaff"
AUDITOR = "Auditor"

ROLE_NAMES = (ADMIN, SUPERVISOR, STAFF, BRANCH_STAFF, AUDITOR)

# Rank used to stop anyone from granting a role above their own.
ROLE_RANK = {AUDITOR: 1, BRANCH_STAFF: 1, STAFF: 2, SUPERVISOR: 3, ADMIN: 4}

# permission group -> role -> permissions
GROUPS = {
    # search and view people and their passes
    "Residents": {
        SUPERVISOR: ["can_read"],
        STAFF: ["can_read"],
        BRANCH_STAFF: ["can_read"],
        AUDITOR: ["can_read"],
    },
    # edit a person's master data, mailing address, notes
    "ResidentMaster": {SUPERVISOR: ["can_write"], STAFF: ["can_write"]},
    # list passes; record an application / counter issuance
    "Issuances": {
        SUPERVISOR: ["can_read", "can_write"],
        STAFF: ["can_read", "can_write"],
        BRANCH_STAFF: ["can_read", "can_write"],
        AUDITOR: ["can_read"],
    },
    # correct a pass, record returns and resends, issue by mail, lost-twice override
    "IssuanceAdmin": {SUPERVISOR: ["can_write", "can_override"], STAFF: ["can_write"]},
    # cover letters
    "Letters": {SUPERVISOR: ["can_print"], STAFF: ["can_print"]},
    # daily processing checklist (BranchStaff: own office only, enforced in the view)
    "Checklist": {
        SUPERVISOR: ["can_read", "can_all_offices"],
        STAFF: ["can_read", "can_all_offices"],
        BRANCH_STAFF: ["can_read"],
        AUDITOR: ["can_read", "can_all_offices"],
    },
    # annual mass mailing
    "MassMailing": {SUPERVISOR: ["can_read", "can_run"]},
    # お知らせ postcards to newly eligible people
    "Notices": {SUPERVISOR: ["can_read", "can_run"], STAFF: ["can_read", "can_run"]},
    # host extract runs
    "HostLink": {
        SUPERVISOR: ["can_read", "can_approve", "can_upload"],
        STAFF: ["can_read"],
        AUDITOR: ["can_read"],
    },
    # the go-live migration of the Excel ledger and its erasure records
    "LedgerMigration": {SUPERVISOR: ["can_read", "can_run", "can_erase"]},
    # program statistics (事業実績; BranchStaff: own office's pass figures only)
    "Statistics": {
        SUPERVISOR: ["can_read", "can_all_offices"],
        STAFF: ["can_read", "can_all_offices"],
        BRANCH_STAFF: ["can_read"],
        AUDITOR: ["can_read", "can_all_offices"],
    },
    # the access log
    "AccessLog": {SUPERVISOR: ["can_read", "can_export"], AUDITOR: ["can_read", "can_export"]},
    # accounts of non-admin staff
    "Accounts": {SUPERVISOR: ["can_read", "can_write"]},
    # one's own account (password change)
    "MyAccount": {
        SUPERVISOR: ["can_read", "can_write"],
        STAFF: ["can_read", "can_write"],
        BRANCH_STAFF: ["can_read", "can_write"],
        AUDITOR: ["can_read", "can_write"],
    },
}

# Menu entries and categories (the ``name`` given to ``appbuilder.add_view`` or
# ``category``) -> the permission groups behind them.  A role sees an entry when
# it holds any permission of one of those groups.
MENUS = {
    "PeopleMenu": ("Residents",),
    "ResidentSearch": ("Residents",),
    "PassesMenu": (
        "Issuances",
        "IssuanceAdmin",
        "Letters",
        "Checklist",
        "MassMailing",
        "Notices",
    ),
    "IssuanceList": ("Issuances",),
    "Returns": ("IssuanceAdmin",),
    "Checklist": ("Checklist",),
    "MassMailing": ("MassMailing",),
    "Notices": ("Notices",),
    "MarchBatches": ("Letters",),
    "HostLinkMenu": ("HostLink", "LedgerMigration"),
    "ImportRuns": ("HostLink",),
    "LedgerMigration": ("LedgerMigration",),
    "Statistics": ("Statistics",),
    "ManagementMenu": ("Accounts", "AccessLog"),
    "StaffAccounts": ("Accounts",),
    "AccessLogMenu": ("AccessLog",),
}


def fab_roles():
    """Build the ``FAB_ROLES`` configuration from :data:`GROUPS` and :data:`MENUS`."""
    roles = {ADMIN: [[".*", ".*"]]}
    for role in ROLE_NAMES:
        if role == ADMIN:
            continue
        pvms = []
        for group, grants in GROUPS.items():
            for perm in grants.get(role, []):
                pvms.append([f"^{group}$", f"^{perm}$"])
        for menu_name, groups in MENUS.items():
            if any(GROUPS.get(group, {}).get(role) for group in groups):
                pvms.append([f"^{menu_name}$", "^menu_access$"])
        roles[role] = pvms
    return roles


def role_rank(roles):
    """Highest rank among ``roles`` (Role objects or names)."""
    names = [getattr(r, "name", r) for r in roles]
    return max((ROLE_RANK.get(n, 0) for n in names), default=0)


# Role predicates: the one place views and services ask "may this user …?"
# beyond FAB's permissions.


def role_names(user):
    """The names of ``user``'s roles (an empty set for no user)."""
    return {role.name for role in getattr(user, "roles", None) or []}


def is_supervisor(user):
    """A supervisor (係長) or an administrator: may override the reissue rule."""
    return bool(role_names(user) & {SUPERVISOR, ADMIN})


def is_branch_only(user):
    """True for users whose only records role is BranchStaff: counter issues
    at their own office only."""
    names = role_names(user)
    return BRANCH_STAFF in names and not names - {BRANCH_STAFF}
