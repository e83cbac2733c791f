"""House rules that ruff has no rule for: no function over 60 lines, no module
in ``app/`` over 500 lines (complexity ≤ 15 is ruff's C90, in ``make lint``)."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[1] / "app"
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 500

MODULES = sorted(APP.rglob("*.py"))


def _long_functions(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                yield f"{path.relative_to(APP.parent)}:{node.lineno} {node.name} ({length} lines)"


def test_modules_are_found():
    assert len(MODULES) > 50


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(APP.parent)))
def test_module_is_short(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{lines} lines"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(APP.parent)))
def test_functions_are_short(path):
    assert list(_long_functions(path)) == []
