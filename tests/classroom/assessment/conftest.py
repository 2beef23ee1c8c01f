from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom.db import open_database
from tests.support.courses import make_course

ROSTER = {"HV001": "Nguyễn Văn An", "HV002": "Trần Thị Bình", "HV003": "Lê Văn Cường"}


@pytest.fixture
def db(tmp_path: Path) -> sessionmaker[Session]:
    database = open_database(f"sqlite:///{tmp_path / 'data' / 'classbridge.db'}")
    make_course(database, "c1", ROSTER)
    make_course(database, "c2")
    return database
