"""Dependencies flow one way: bot -> retrieval -> corpus. Only bot imports telegram."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "corpus": {"bot", "retrieval", "telegram"},
    "retrieval": {"bot", "telegram"},
}


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.partition(".")[0])
    return roots


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_dependencies_flow_one_way(package):
    files = list((ROOT / package).rglob("*.py"))
    assert files
    for path in files:
        assert not imported_roots(path) & FORBIDDEN[package], path


def test_no_package_imports_the_tests():
    for package in ("bot", "retrieval", "corpus"):
        for path in (ROOT / package).rglob("*.py"):
            assert not imported_roots(path) & {"tests", "support", "conftest"}, path
