"""The layering contracts in pyproject.toml (core -> ml -> ui) hold."""
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_hold():
    result = subprocess.run([shutil.which("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_module_imports_itself_through_others():
    """Every import counts, those inside functions too: a cycle is a tangle whatever the time it is imported."""
    import grimp

    graph = grimp.build_graph("designer", cache_dir=None, exclude_type_checking_imports=True)
    cycles = set()
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            back = graph.find_shortest_chain(importer=imported, imported=module)
            if back:
                cycles.add(frozenset(back))
    assert not cycles, sorted(sorted(c) for c in cycles)
