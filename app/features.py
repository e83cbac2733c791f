"""The feature packages, in menu order: their views, APIs and command groups.

This is the one place that knows every feature; ``create_app`` and the command
line call it.  A new feature adds its ``views`` module to :data:`VIEW_MODULES`
and its click commands to :data:`COMMANDS`.
"""

import importlib

# Each module exposes ``register(appbuilder)``; the order is the menu's order.
VIEW_MODULES = (
    "app.home.views",
    "app.residents.views",
    "app.passes.views",
    "app.applications.views",
    "app.web.api",
    "app.letters.views",
    "app.mailing.views",
    "app.march.views",
    "app.notices.views",
    "app.hostlink.views",
    "app.migration.views",
    "app.security.views",
    "app.audit.views",
    "app.stats.views",
    "app.stats.api",
    "app.exports.views",
)

# "module:attribute" of each click command or group added to ``flask``.
COMMANDS = (
    "app.security.cli:users_cli",
    "app.demo.cli:demo_data_command",
    "app.audit.cli:audit_cli",
    "app.letters.cli:letters_cli",
    "app.letters.cli:checklist_command",
    "app.mailing.cli:mailing_cli",
    "app.march.cli:march_cli",
    "app.notices.cli:notices_cli",
    "app.hostlink.cli:hostlink_cli",
    "app.hostlink.cli:demo_extract_command",
    "app.demo.ledger_cli:demo_ledger_command",
    "app.migration.cli:ledger_cli",
    "app.scheduler.cli:scheduler_cli",
    "app.residents.cli:search_cli",
    "app.stats.cli:stats_command",
)


def register_views(appbuilder, extra_modules=()):
    """Register every feature's views on ``appbuilder``.

    :param extra_modules: further view modules named by the configuration
        (``EXTRA_VIEW_MODULES``: the benchmark's stock views), never in production.
    """
    for name in (*VIEW_MODULES, *extra_modules):
        importlib.import_module(name).register(appbuilder)


def commands():
    """The click commands to add to ``flask``."""
    found = []
    for spec in COMMANDS:
        module, attr = spec.split(":")
        found.append(getattr(importlib.import_module(module), attr))
    return found
