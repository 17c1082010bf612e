"""The benchmarks and tools still import what they name (they are not run by the suite, so a move breaks them silently)."""
import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py")) + sorted((ROOT / "tools").glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_designer_import_resolves(script):
    for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("designer"):
            assert importlib.util.find_spec(node.module) is not None, f"{script.name}: no module {node.module}"
            module = importlib.import_module(node.module)
            for alias in node.names:
                found = hasattr(module, alias.name) or (
                    hasattr(module, "__path__") and importlib.util.find_spec(f"{node.module}.{alias.name}") is not None)
                assert found, f"{script.name}: {node.module} has no {alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("designer"):
                    assert importlib.util.find_spec(alias.name) is not None, f"{script.name}: no module {alias.name}"
