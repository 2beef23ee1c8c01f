"""Suite-wide test settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.support.postgres import cluster, fresh_database

# The suite shares two cores with whatever else runs: hypothesis's per-example deadline and its
# "too slow" health check measure the machine's load, not the code, so neither applies here.
settings.register_profile("shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("shared-machine")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """One real PostgreSQL server for the session (tests/support/postgres.py)."""
    with cluster() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The database tests run against both supported databases: a SQLite file, and a fresh
    database on a real PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'data' / 'classbridge.db'}"
        return
    with fresh_database(request.getfixturevalue("postgres_server")) as url:
        yield url
