"""Command groups of the feature packages (hostlink, letters, audit, demo data)."""

import importlib

# "module:attribute" of each click command or group added to ``flask``.
FEATURE_COMMANDS = ()


def commands():
    """The click commands to add to ``flask``."""
    found = []
    for spec in FEATURE_COMMANDS:
        module, attr = spec.split(":")
        found.append(getattr(importlib.import_module(module), attr))
    return found
