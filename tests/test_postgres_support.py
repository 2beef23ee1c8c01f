"""The PostgreSQL test server never disappears silently: where CI asks for it, its absence
fails the tests instead of skipping them."""

from __future__ import annotations

import pytest

from tests.support.postgres import REQUIRE_ENV, unavailable


def test_missing_postgres_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(REQUIRE_ENV, "1")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL is required"):
        unavailable("initdb/pg_ctl are not installed")


def test_missing_postgres_skips_on_a_developer_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(REQUIRE_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="install.sh --test"):
        unavailable("initdb/pg_ctl are not installed")


def test_the_test_script_requires_postgres() -> None:
    from pathlib import Path

    script = (Path(__file__).parents[1] / "scripts" / "test.sh").read_text()
    assert f"export {REQUIRE_ENV}=1" in script
