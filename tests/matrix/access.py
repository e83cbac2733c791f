"""The vocabulary of the role × URL matrix: roles, :class:`Access` and
:class:`Sample`.

A feature's own endpoints are classified in ``tests/matrix/access_<feature>.py``
(``EXPECTED``, and optionally ``ARG_OVERRIDES`` and ``MENU`` — role → menu
names); :mod:`tests.matrix.test_role_matrix` merges every such module with its
own table, so features do not all edit one file.
"""

from dataclasses import dataclass

A, SV, ST, BR, AU = "admin", "supervisor", "staff", "branch", "auditor"
ANON = "anonymous"
SIGNED_IN = frozenset({A, SV, ST, BR, AU})
PUBLIC = frozenset({ANON}) | SIGNED_IN
ADMIN_ONLY = frozenset({A})
NOBODY = frozenset()


def roles(*names):
    return frozenset(names)


@dataclass(frozen=True)
class Access:
    """Who may use one endpoint.

    :param get: roles whose GET is served.
    :param post: roles whose POST is accepted (default: the same as ``get``).
    :param ok: the status of a served GET (a redirect for the language switch,
        404 where the sample names a file that was never written…).
    :param ok_signed_in: the status of a served GET for a signed-in user, when
        it differs from ``ok`` (the sign-in page sends them home).
    :param try_allowed: False when a served GET must not be made in the test:
        it changes data (FAB's delete and action links) or needs configuration
        the application does not use; then only the refusals are exercised.
    :param jwt: a REST endpoint, authenticated by a JWT bearer token.
    :param json: answers JSON: anonymous requests get 401, not the sign-in page.
    """

    get: frozenset
    post: frozenset | None = None
    ok: int = 200
    ok_signed_in: int | None = None
    try_allowed: bool = True
    jwt: bool = False
    json: bool = False

    @property
    def post_roles(self):
        return self.get if self.post is None else self.post

    def ok_for(self, role):
        if role != ANON and self.ok_signed_in is not None:
            return self.ok_signed_in
        return self.ok


@dataclass(frozen=True)
class Sample:
    """A sample value by its key in the ``samples`` fixture."""

    key: str
