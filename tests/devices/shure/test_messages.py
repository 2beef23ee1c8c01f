"""Shure command strings: the brief's and the sources' examples, round trips, stream cases, fuzz."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import DeviceRefused
from devices.shure.errors import ShureProtocolError
from devices.shure.messages import (
    Get,
    MessageDecoder,
    Parameter,
    Report,
    ReportError,
    Sample,
    Set,
    parse,
)


def test_requests_as_on_the_wire() -> None:
    assert Get(Parameter.ALL, 0).serialize() == b"< GET 0 ALL >"
    assert Set(Parameter.DEVICE_AUDIO_MUTE, "ON").serialize() == b"< SET DEVICE_AUDIO_MUTE ON >"
    assert Set(Parameter.AUDIO_MUTE, "OFF", 1).serialize() == b"< SET 01 AUDIO_MUTE OFF >"
    assert (
        Set(Parameter.AUDIO_GAIN_HI_RES, "1100", 3).serialize()
        == b"< SET 03 AUDIO_GAIN_HI_RES 1100 >"
    )
    assert Set(Parameter.METER_RATE, "100").serialize() == b"< SET METER_RATE 100 >"
    assert Get(Parameter.DEVICE_AUDIO_MUTE).serialize() == b"< GET DEVICE_AUDIO_MUTE >"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("REP PRESET 10", Report("PRESET", "10")),  # PlaceOS mxa_spec.cr
        ("REP 01 AUDIO_MUTE ON", Report("AUDIO_MUTE", "ON", 1)),
        ("REP 1 AUDIO_MUTE ON", Report("AUDIO_MUTE", "ON", 1)),  # unpadded, as Companion sends
        ("REP DEVICE_AUDIO_MUTE OFF", Report("DEVICE_AUDIO_MUTE", "OFF")),
        ("REP DEVICE_ID { steves dev }", Report("DEVICE_ID", "{ steves dev }")),
        ("REP 02 CHAN_NAME {Lectern <1>   }", Report("CHAN_NAME", "{Lectern <1>   }", 2)),
        ("REP PRESET_NAME 3 {Lecture}", Report("PRESET_NAME", "3 {Lecture}")),
        ("REP ERR", ReportError()),
        ("SAMPLE 060 045 000", Sample((60, 45, 0))),
        ("GET 0 ALL", Get("ALL", 0)),
        ("GET 00 ALL", Get("ALL", 0)),
        ("SET 1 AUDIO_MUTE TOGGLE", Set("AUDIO_MUTE", "TOGGLE", 1)),
        ("REP SOME_NEW_THING 1 2 3", Report("SOME_NEW_THING", "1 2 3")),  # unknown: kept raw
    ],
)
def test_parse(text: str, expected: object) -> None:
    assert parse(text) == expected


def test_report_text_and_error() -> None:
    assert Report("DEVICE_ID", "{ steves dev }").text == "steves dev"
    assert Report("PRESET", "10").text == "10"
    assert isinstance(ReportError().error(), DeviceRefused)


@pytest.mark.parametrize(
    "message",
    [
        Get("ALL", 0),
        Get("AUDIO_MUTE", 12),
        Set("DEVICE_AUDIO_MUTE", "ON"),
        Report("AUDIO_GAIN_HI_RES", "1100", 1),
        Report("DEVICE_ID", "{ room 101 }"),
        Report("FLASH", ""),
        ReportError(),
        Sample((1, 2, 60)),
        Sample(()),
    ],
)
def test_round_trip(message: object) -> None:
    assert MessageDecoder().feed(message.serialize()) == [message]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "HELLO 01 X",
        "GET",
        "GET 01",
        "GET 01 AUDIO_MUTE ON",
        "SET AUDIO_MUTE",
        "REP 01",
        "SAMPLE 01 x",
        "SAMPLE +5",
        "REP DEVICE_ID { open",
        "REP lower_case ON",
    ],
)
def test_parse_rejects(bad: str) -> None:
    with pytest.raises(ShureProtocolError):
        parse(bad)


def test_constructors_validate() -> None:
    for bad in (
        lambda: Get("bad name"),
        lambda: Set("AUDIO_MUTE", " "),
        lambda: Set("X", "a\rb"),
        lambda: Get("X", 1000),
        lambda: Sample((1000,)),
    ):
        with pytest.raises(ShureProtocolError):
            bad()


STREAM = b"< REP 01 AUDIO_MUTE ON >\r\n< REP DEVICE_ID { a>b } >< SAMPLE 010 020 >\n< REP ERR >"
EXPECTED = [
    Report("AUDIO_MUTE", "ON", 1),
    Report("DEVICE_ID", "{ a>b }"),
    Sample((10, 20)),
    ReportError(),
]


def test_decoder_whole_and_byte_by_byte() -> None:
    assert MessageDecoder().feed(STREAM) == EXPECTED
    decoder = MessageDecoder()
    got = []
    for b in STREAM:
        got += decoder.feed(bytes([b]))
    assert got == EXPECTED and decoder.buffered == 0


def test_decoder_trailing_partial_frame() -> None:
    decoder = MessageDecoder()
    assert decoder.feed(b"< REP PRESET 1 >< REP PRE") == [Report("PRESET", "1")]
    assert decoder.buffered == 9


def test_decoder_junk_and_unterminated_frames() -> None:
    decoder = MessageDecoder()
    assert decoder.feed(b"< REP PRESET 1 >garbage< REP FLASH ON >") == [Report("PRESET", "1")]
    with pytest.raises(ShureProtocolError):
        decoder.feed(b"")
    assert decoder.feed(b"") == [Report("FLASH", "ON")]
    with pytest.raises(ShureProtocolError):
        decoder.feed(b"< REP 01 AUD< REP FLASH OFF >")
    assert decoder.feed(b"") == [Report("FLASH", "OFF")]
    with pytest.raises(ShureProtocolError):
        decoder.feed(b"< " + b"A" * 3000)
    assert decoder.feed(b"< REP PRESET 2 >") == [Report("PRESET", "2")]


@given(st.binary(max_size=300))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    decoder = MessageDecoder()
    while True:
        try:
            decoder.feed(data)
            break
        except ShureProtocolError:
            data = b""


@given(st.text(max_size=60))
def test_random_text_only_raises_protocol_error(text: str) -> None:
    try:
        parse(text)
    except ShureProtocolError:
        pass
