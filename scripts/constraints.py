"""Writes constraints.txt: the exact version of every package classbridge[test,room,postgres]
pulls in, as installed in the environment that runs this (one where the whole suite passed).

scripts/install.sh installs with `-c constraints.txt`, so a school's server gets the versions
the tests ran with, while pyproject.toml keeps ranges. After changing a dependency:
    .venv/bin/python -m pip install -e '.[test,room,postgres]' && .venv/bin/python scripts/constraints.py
"""

from __future__ import annotations

import sys
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
EXTRAS = ("test", "room", "postgres")  # every extra scripts/install.sh installs, and postgres
HEADER = """\
# Exact versions of every package classbridge pulls in (its test and postgres extras too), as
# the test suite last ran with them: scripts/install.sh installs with `-c constraints.txt`.
# Written by scripts/constraints.py; pyproject.toml holds the ranges users may move within.
"""


def closure(requirements: list[str]) -> dict[str, str]:
    """Every installed distribution `requirements` need, transitively, with its version."""
    found: dict[str, str] = {}
    pending: list[tuple[str, set[str]]] = []
    for line in requirements:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate():
            pending.append((req.name, set(req.extras)))
    while pending:
        name, wanted = pending.pop()
        try:
            dist = distribution(name)
        except PackageNotFoundError:
            sys.exit(f"{name} is not installed here: install classbridge[test,room,postgres] first")
            raise
        key = canonicalize_name(dist.metadata["Name"])
        first = key not in found
        found[key] = dist.version
        for line in dist.requires or []:
            req = Requirement(line)
            envs = [{"extra": e} for e in (wanted or {""})]
            if req.marker is not None and not any(req.marker.evaluate(env) for env in envs):
                continue
            if first or req.extras:
                pending.append((req.name, set(req.extras)))
    return found


def main() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    extras = project["optional-dependencies"]
    pins = closure([*project["dependencies"], *(r for name in EXTRAS for r in extras[name])])
    lines = [f"{name}=={version}" for name, version in sorted(pins.items())]
    (ROOT / "constraints.txt").write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(lines)} pins to constraints.txt")


if __name__ == "__main__":
    main()
