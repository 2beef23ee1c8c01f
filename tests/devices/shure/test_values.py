"""Gain, meter and on/off conversions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.shure.errors import ShureProtocolError
from devices.shure.values import (
    GAIN_RANGE_DB,
    gain_db,
    gain_raw,
    level_dbfs,
    level_raw,
    meter_rate,
    on_off,
    on_off_text,
)


def test_on_off() -> None:
    assert on_off("ON") is True and on_off("OFF") is False
    assert on_off_text(True) == "ON"
    with pytest.raises(ShureProtocolError):
        on_off("TOGGLE")


def test_gain() -> None:
    assert gain_db("1100") == 0.0
    assert gain_db("0000") == -110.0
    assert gain_db("1400") == 30.0
    assert gain_raw(-6.5) == "1035"
    assert GAIN_RANGE_DB == (-110.0, 30.0)
    for bad in ("1401", "-1", "abc", "", "١١٠٠"):
        with pytest.raises(ShureProtocolError):
            gain_db(bad)
    with pytest.raises(ShureProtocolError):
        gain_raw(30.1)


@given(st.integers(0, 1400))
def test_gain_round_trip(raw: int) -> None:
    assert gain_raw(gain_db(f"{raw:04d}")) == f"{raw:04d}"


def test_meter() -> None:
    assert level_dbfs(60) == 0.0 and level_dbfs(0) == -60.0
    assert level_raw(-20.4) == 40 and level_raw(-90) == 0 and level_raw(5) == 60
    assert meter_rate(0) == "0" and meter_rate(250) == "250"
    with pytest.raises(ShureProtocolError):
        meter_rate(50)
