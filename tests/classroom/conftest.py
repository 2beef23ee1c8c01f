from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom.db import open_database


@pytest.fixture
def db(database_url: str) -> sessionmaker[Session]:
    """The tables on SQLite and on PostgreSQL (tests/conftest.py `database_url`)."""
    return open_database(database_url)
