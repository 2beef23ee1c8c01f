"""Typed class-1 values: parse, serialize, reject."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.pjlink.errors import PJLinkProtocolError
from devices.pjlink.values import (
    AvMute,
    ErrorStatus,
    Health,
    Input,
    InputType,
    Lamp,
    MuteTarget,
    PowerState,
    mute_parameter,
    parse_class,
    parse_inputs,
    parse_lamps,
    parse_power,
    serialize_lamps,
)


def test_power() -> None:
    assert parse_power("3") is PowerState.WARMING
    with pytest.raises(PJLinkProtocolError):
        parse_power("4")


def test_inputs() -> None:
    assert Input.parse("31") == Input(InputType.DIGITAL, 1)
    assert Input(InputType.RGB, 2).serialize() == "12"
    assert Input.from_name("digital1") == Input(InputType.DIGITAL, 1)
    assert Input(InputType.NETWORK, 3).name == "network3"
    assert parse_inputs("11 12 31 32") == (
        Input(InputType.RGB, 1),
        Input(InputType.RGB, 2),
        Input(InputType.DIGITAL, 1),
        Input(InputType.DIGITAL, 2),
    )
    for bad in ("61", "30", "3", "311", "3a"):
        with pytest.raises(PJLinkProtocolError):
            Input.parse(bad)
    for name in ("hdmi1", "digital", "digital0", ""):
        with pytest.raises(PJLinkProtocolError):
            Input.from_name(name)


@pytest.mark.parametrize(
    "video,audio,text",
    [(True, False, "11"), (False, True, "21"), (True, True, "31"), (False, False, "30")],
)
def test_av_mute_round_trip(video: bool, audio: bool, text: str) -> None:
    assert AvMute(video, audio).serialize() == text
    assert AvMute.parse(text) == AvMute(video, audio)


def test_av_mute_parameters() -> None:
    assert mute_parameter(MuteTarget.AUDIO, True) == "21"
    assert mute_parameter(MuteTarget.AUDIO_VIDEO, False) == "30"
    assert AvMute.parse("20") == AvMute(False, False)
    with pytest.raises(PJLinkProtocolError):
        AvMute.parse("41")


def test_error_status() -> None:
    status = ErrorStatus.parse("020100")
    assert status.lamp is Health.ERROR and status.cover_open is Health.WARNING
    assert status.problems() == {"lamp": Health.ERROR, "cover_open": Health.WARNING}
    assert status.serialize() == "020100"
    for bad in ("02010", "020103", "abcdef"):
        with pytest.raises(PJLinkProtocolError):
            ErrorStatus.parse(bad)


def test_lamps() -> None:
    assert parse_lamps("12345 1 600 0") == (Lamp(12345, True), Lamp(600, False))
    assert serialize_lamps((Lamp(1, True),)) == "1 1"
    for bad in ("", "12 1 3", "123456 1", "12 2", "x 1", "1 1 " * 9):
        with pytest.raises(PJLinkProtocolError):
            parse_lamps(bad.strip())


def test_class() -> None:
    assert parse_class("2") == 2
    with pytest.raises(PJLinkProtocolError):
        parse_class("3")


@given(st.text(max_size=40))
def test_value_parsers_only_raise_protocol_error(text: str) -> None:
    for parse in (
        parse_power,
        Input.parse,
        Input.from_name,
        parse_inputs,
        AvMute.parse,
        ErrorStatus.parse,
        parse_lamps,
        parse_class,
    ):
        try:
            parse(text)
        except PJLinkProtocolError:
            pass
