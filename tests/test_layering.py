"""The dependency rule: the edge depends on the domain, never the reverse.

Nothing in `classroom/` imports `signaling`; nothing in `devices/` imports `classroom` or
`signaling`. Imports are read from the source (ast), lazy ones inside functions included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FORBIDDEN = {"classroom": {"signaling"}, "devices": {"classroom", "signaling"}}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def violations(package: str) -> list[str]:
    found = []
    for path in sorted((ROOT / package).rglob("*.py")):
        bad = imported_packages(path) & FORBIDDEN[package]
        if bad:
            found.append(f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_the_domain_never_imports_the_edge(package: str) -> None:
    assert violations(package) == []


def test_the_rule_sees_lazy_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from signaling.ws import messages\n    import classroom.roles\n")
    assert imported_packages(module) == {"signaling", "classroom"}
