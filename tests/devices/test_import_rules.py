"""The dependency rule: nothing in devices/ imports classroom/ or signaling/ (the edge depends
on the domain, never the reverse). Every module is parsed, not imported, so a forbidden import
is found even in a module no test loads, and also inside a function or under TYPE_CHECKING."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DEVICES = Path(__file__).parents[2] / "devices"
FORBIDDEN = ("classroom", "signaling")


def imported(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, top-level package) of every absolute import in a module."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name.split(".")[0]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def offences(root: Path) -> list[str]:
    return [
        f"{path.relative_to(root.parent)}:{line}: imports {package}"
        for path in sorted(root.rglob("*.py"))
        for line, package in imported(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        if package in FORBIDDEN
    ]


def test_devices_imports_neither_classroom_nor_signaling() -> None:
    modules = list(DEVICES.rglob("*.py"))
    assert len(modules) > 50  # the walk really found the package
    assert offences(DEVICES) == []


@pytest.mark.parametrize(
    "source",
    ["import signaling.rooms", "from classroom.service import X", "def f():\n    import classroom\n"],
)
def test_the_rule_catches_each_import_form(tmp_path: Path, source: str) -> None:
    package = tmp_path / "devices"
    package.mkdir()
    (package / "bad.py").write_text(source)
    (package / "good.py").write_text("from devices.errors import DeviceError\nimport asyncio\n")
    assert [o.split(":")[0] for o in offences(package)] == ["devices/bad.py"]
