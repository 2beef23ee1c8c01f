"""scripts/install.sh installs the pinned versions once, and serve.sh then starts without
touching the package index. The script runs for real on a copy of the repository's files; its
.venv is a recording stand-in (a real pip install would need the network), so what is checked
is the script's own decision: when it calls pip and npm, and with which constraints."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

RECORDER = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
"""


def _checkout(tmp_path: Path) -> tuple[Path, Path]:
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    for name in ("pyproject.toml", "constraints.txt", "package-lock.json"):
        shutil.copy(ROOT / name, repo / name)
    for name in ("install.sh", "serve.sh"):
        shutil.copy(ROOT / "scripts" / name, repo / "scripts" / name)
    log = tmp_path / "calls.log"
    bin_dir = repo / ".venv" / "bin"
    bin_dir.mkdir(parents=True)
    fake_path = tmp_path / "path"
    fake_path.mkdir()
    for target in (bin_dir / "python", bin_dir / "classbridge", fake_path / "npm"):
        target.write_text(RECORDER.format(log=log))
        target.chmod(target.stat().st_mode | stat.S_IXUSR)
    return repo, log


def _run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{repo.parent / 'path'}:{os.environ['PATH']}"}
    return subprocess.run(["bash", *args], cwd=repo, env=env, capture_output=True, text=True, timeout=120)


def _calls(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
def test_install_uses_the_constraints_once_then_serve_starts_offline(tmp_path: Path) -> None:
    repo, log = _checkout(tmp_path)
    first = _run(repo, "scripts/install.sh")
    assert first.returncode == 0, first.stderr
    assert "python -m pip install -q -c constraints.txt -e ." in _calls(log)
    log.unlink()

    served = _run(repo, "scripts/serve.sh", "--port", "8123")
    assert served.returncode == 0, served.stderr
    assert _calls(log) == ["classbridge serve --port 8123"], "pip ran although the install is current"
    log.unlink()

    # A test install is more than a runtime one: it installs again (with npm), once.
    assert _run(repo, "scripts/install.sh", "--test").returncode == 0
    calls = _calls(log)
    assert "python -m pip install -q -c constraints.txt -e .[test,room]" in calls
    assert any(c.startswith("npm ci") for c in calls)
    log.unlink()
    assert _run(repo, "scripts/install.sh").returncode == 0
    assert _run(repo, "scripts/install.sh", "--test").returncode == 0
    assert _calls(log) == []

    # A changed dependency set installs again.
    with (repo / "constraints.txt").open("a") as f:
        f.write("example-package==1.0\n")
    assert _run(repo, "scripts/install.sh").returncode == 0
    assert "python -m pip install -q -c constraints.txt -e ." in _calls(log)


def test_constraints_pin_every_dependency_of_pyproject() -> None:
    """constraints.txt is up to date with pyproject.toml (scripts/constraints.py writes it)."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[canonicalize_name(name)] = version
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["test"], *extras["room"], *extras["postgres"]]
    for line in wanted:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pinned, f"{req.name} is missing from constraints.txt: run scripts/constraints.py"
        assert req.specifier.contains(pinned[name], prereleases=True), (line, pinned[name])
