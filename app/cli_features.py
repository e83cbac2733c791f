"""Command groups of the feature packages (hostlink, letters, audit, demo data)."""

import importlib

# "module:attribute" of each click command or group added to ``flask``.
FEATURE_COMMANDS = (
    "app.demo.cli:demo_data_command",
    "app.audit.cli:audit_cli",
    "app.letters.cli:letters_cli",
    "app.letters.cli:checklist_command",
    "app.hostlink.cli:hostlink_cli",
    "app.hostlink.cli:demo_extract_command",
    "app.scheduler.cli:scheduler_cli",
)


def commands():
    """The click commands to add to ``flask``."""
    found = []
    for spec in FEATURE_COMMANDS:
        module, attr = spec.split(":")
        found.append(getattr(importlib.import_module(module), attr))
    return found
