"""Check-in without the web: the PIN's windows, roster search, and the register's rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from classroom import classes
from classroom.checkin import codes, register
from classroom.checkin.errors import AlreadyCheckedIn, CheckedOut, DeviceUsed, NoRoster, NotCheckedIn, NotOnRoster
from classroom.checkin.roster_search import RosterEntry, fold, search
from classroom.db import open_database
from classroom.errors import ClassEnded
from tests.support.checkin import enrol

SECRET = b"s" * 32
T0 = 1_700_000_000.0  # a minute boundary: 28333333 * 60 = 1699999980, so T0 is 20 s into one


def test_a_pin_lives_its_minute_and_the_next_and_no_longer() -> None:
    pin, changes = codes.current_pin(SECRET, "c1", T0)
    assert len(pin) == 6 and pin.isdigit()
    assert changes == (codes.window_of(T0) + 1) * 60
    assert codes.accepts(SECRET, "c1", pin, T0)
    assert codes.accepts(SECRET, "c1", pin, changes + 59)  # the next minute still takes it
    assert not codes.accepts(SECRET, "c1", pin, changes + 60)  # expired
    # Another minute, another class, another server secret: another PIN (all but by chance).
    windows = range(codes.window_of(T0), codes.window_of(T0) + 100)
    same_class = [codes.pin(SECRET, "c1", w) for w in windows]
    assert len(set(same_class)) > 95
    assert sum(a == codes.pin(SECRET, "c2", w) for a, w in zip(same_class, windows, strict=True)) < 3
    assert sum(a == codes.pin(b"t" * 32, "c1", w) for a, w in zip(same_class, windows, strict=True)) < 3
    for bad in ("", "12345", "1234567", "１２３４５６", "12345a", pin + " "):
        assert not codes.accepts(SECRET, "c1", bad, T0)


def test_pins_spread_over_all_six_digits() -> None:
    pins = {codes.pin(SECRET, "c1", w) for w in range(2000)}
    assert len(pins) > 1990 and any(p.startswith("0") for p in pins)


ENTRIES = [
    RosterEntry("HV-001", "Nguyễn Văn An", "Sở Nội vụ"),
    RosterEntry("HV-002", "Trần Thị Bình", None),
    RosterEntry("HV-003", "Đỗ Đức Dũng", None),
    RosterEntry("HV-004", "Nguyễn Thị Ánh", None),
]


def test_roster_search_folds_diacritics_and_finds_ids() -> None:
    assert fold("  Đỗ  ĐỨC Dũng ") == "do duc dung"
    assert [e.external_id for e in search(ENTRIES, "nguyen")] == ["HV-004", "HV-001"]  # "nguyen thi anh" < "nguyen van an"
    assert [e.name for e in search(ENTRIES, "dung do")] == ["Đỗ Đức Dũng"]
    assert [e.name for e in search(ENTRIES, "Bình")] == ["Trần Thị Bình"]
    assert [e.external_id for e in search(ENTRIES, "hv-00")][:2] == ["HV-001", "HV-002"]
    assert search(ENTRIES, "a") == [] and search(ENTRIES, " ") == []  # the roster is not listed whole
    assert search(ENTRIES, "zzz") == []


@pytest.fixture
def db(tmp_path: Path) -> sessionmaker[Session]:
    return open_database(f"sqlite:///{tmp_path / 'c.db'}")


NOW = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


def test_one_phone_one_person_one_row(db: sessionmaker[Session]) -> None:
    info = classes.create(db, "Lớp", "room-101")
    with pytest.raises(NoRoster):
        register.check_in(db, info.id, "HV-001", "phone-a", NOW)
    enrol(db, info.id)
    with pytest.raises(NotOnRoster):
        register.check_in(db, info.id, "HV-999", "phone-a", NOW)
    view, new = register.check_in(db, info.id, "HV-001", "phone-a", NOW)
    assert new and (view.name, view.checked_in_at, view.checked_out_at) == ("Nguyễn Văn An", NOW, None)
    again, new = register.check_in(db, info.id, "HV-001", "phone-a", NOW + timedelta(minutes=5))
    assert not new and again.checked_in_at == NOW  # harmless, the first time stays
    with pytest.raises(DeviceUsed) as used:
        register.check_in(db, info.id, "HV-002", "phone-a", NOW)
    assert used.value.name == "Nguyễn Văn An"
    with pytest.raises(AlreadyCheckedIn):
        register.check_in(db, info.id, "HV-001", "phone-b", NOW)
    register.check_in(db, info.id, "HV-002", "phone-b", NOW + timedelta(minutes=1))
    assert [v.external_id for v in register.of_class(db, info.id)] == ["HV-001", "HV-002"]
    out = register.check_out(db, info.id, "phone-a", NOW + timedelta(minutes=30))
    assert out.checked_out_at == NOW + timedelta(minutes=30)
    assert register.check_out(db, info.id, "phone-a", NOW + timedelta(hours=1)).checked_out_at == out.checked_out_at
    with pytest.raises(CheckedOut):
        register.check_in(db, info.id, "HV-001", "phone-a", NOW + timedelta(hours=1))
    with pytest.raises(NotCheckedIn):
        register.check_out(db, info.id, "phone-c", NOW)
    classes.end(db, info.id)
    with pytest.raises(ClassEnded):
        register.check_in(db, info.id, "HV-003", "phone-c", NOW)
