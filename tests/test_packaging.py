"""What a non-editable install (`pip install classbridge`) gets: the package built as a wheel
and imported from there, away from the repository, runs its migrations and finds the example
room."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = """
import sys
from pathlib import Path
import classroom, signaling
here = Path(sys.argv[1])
assert Path(classroom.__file__).is_relative_to(here), classroom.__file__
assert Path(signaling.__file__).is_relative_to(here), signaling.__file__
from signaling.server.rooms import rooms_file_of
from signaling.server.settings import Settings
path, simulated = rooms_file_of(Settings.load(data_dir=Path(sys.argv[2])))
assert path is not None and path.is_file() and path.is_relative_to(here) and simulated, path
from classroom import migrate
from classroom.db import open_database
db = open_database(f"sqlite:///{sys.argv[2]}/classbridge.db")
print("ok", migrate.head(), path.name)
"""


@pytest.mark.timeout(600)  # real processes and CLI runs on a shared, loaded machine
def test_a_wheel_install_has_migrations_and_the_example_room(tmp_path: Path) -> None:
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("classbridge-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "classroom/migrations/env.py",
        "classroom/migrations/script.py.mako",
        "classroom/migrations/versions/0001_baseline.py",
        "signaling/server/examples/rooms.example.yaml",
        "web/static/shared/i18n/vi.json",
    ):
        assert needed in names, needed
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLASSBRIDGE_")}
    env["PYTHONPATH"] = str(site)
    ran = subprocess.run(
        [sys.executable, "-c", CHECK, str(site), str(tmp_path / "data")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.startswith("ok ") and "rooms.example.yaml" in ran.stdout
