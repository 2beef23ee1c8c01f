"""The MDC catalog and typed payloads, cross-checked with python-samsung-mdc's parsers."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from samsung_mdc import commands as ref

from devices.mdc.errors import MdcProtocolError
from devices.mdc.messages import Command, Request
from devices.mdc.values import (
    CATALOG,
    InputSource,
    ModelNumber,
    MuteState,
    PowerState,
    Status,
    check_set,
    parse_one,
    parse_text,
    query,
    set_request,
)


def test_status_from_the_spec() -> None:
    status = Status.parse(bytes.fromhex("01 06 00 14 00 00 00"))
    assert (status.power, status.volume, status.mute, status.input) == (
        PowerState.ON,
        6,
        MuteState.OFF,
        0x14,
    )
    assert status.input_name == "pc"
    assert status.serialize() == bytes.fromhex("01 06 00 14 00 00 00")
    assert Status.parse(bytes.fromhex("00 ff ff 21")).mute is MuteState.UNAVAILABLE
    assert Status(PowerState.ON, 1, MuteState.OFF, 0x99).input_name == "0x99"


@pytest.mark.parametrize(
    "bad",
    [
        "01 06 00",
        "01 65 00 14 00 00 00",
        "07 06 00 14 00 00 00",
        "01 06 05 14 00 00 00",
        "01 06 00 14 00",
    ],
)
def test_status_rejects(bad: str) -> None:
    with pytest.raises(MdcProtocolError):
        Status.parse(bytes.fromhex(bad))


def test_input_codes_match_python_samsung_mdc() -> None:
    theirs = {
        s.name.replace("DISPLAY_PORT_", "DP")
        .replace("HD_BASE_T", "HDBASET")
        .replace("MAGIC_INFO", "MAGICINFO"): s.value
        for s in ref.INPUT_SOURCE.INPUT_SOURCE_STATE
    }
    for source in InputSource:
        assert theirs[source.name] == source.value
    assert InputSource.from_name("hdmi2") is InputSource.HDMI2
    with pytest.raises(MdcProtocolError):
        InputSource.from_name("scart")


def test_command_codes_match_python_samsung_mdc() -> None:
    assert Command.STATUS == ref.STATUS.CMD and Command.POWER == ref.POWER.CMD
    assert Command.VOLUME == ref.VOLUME.CMD and Command.MUTE == ref.MUTE.CMD
    assert Command.INPUT_SOURCE == ref.INPUT_SOURCE.CMD
    assert Command.SERIAL_NUMBER == ref.SERIAL_NUMBER.CMD
    assert Command.SOFTWARE_VERSION == ref.SOFTWARE_VERSION.CMD
    assert Command.MODEL_NUMBER == ref.MODEL_NUMBER.CMD


@given(
    st.sampled_from(list(PowerState)),
    st.integers(0, 100),
    st.sampled_from(list(MuteState)),
    st.sampled_from(list(InputSource)),
    st.sampled_from(list(ref.PICTURE_ASPECT.PICTURE_ASPECT_STATE)),
)
def test_status_agrees_with_python_samsung_mdc(power, volume, mute, source, aspect) -> None:  # type: ignore[no-untyped-def]
    ours = Status(power, volume, mute, source, aspect)
    data = ours.serialize()
    theirs = ref.STATUS.parse_response_data(data)
    assert (theirs[0], theirs[1], theirs[2], theirs[3], theirs[4]) == (
        power,
        volume,
        mute,
        source,
        aspect,
    )
    assert Status.parse(data) == ours


def test_catalog_sets() -> None:
    assert set_request(Command.VOLUME, 0, 24).serialize() == bytes.fromhex("AA 12 00 01 18 2B")
    assert set_request(Command.INPUT_SOURCE, 1, InputSource.HDMI1).data == b"\x21"
    assert query(Command.POWER, 2) == Request(Command.POWER, 2)
    for command, value in (
        (Command.VOLUME, 101),
        (Command.INPUT_SOURCE, InputSource.HDMI1_PC),
        (Command.STATUS, 0),
        (Command.MUTE, MuteState.UNAVAILABLE),
    ):
        with pytest.raises(MdcProtocolError):
            set_request(command, 0, value)
    assert check_set(Request(Command.POWER, 0, b"\x01"))
    assert not check_set(Request(Command.POWER, 0, b"\x07"))
    assert not check_set(Request(0x77, 0, b"\x01"))
    assert all(spec.query for spec in CATALOG.values())


def test_small_payloads() -> None:
    assert parse_one(Command.POWER, b"\x01") == 1
    with pytest.raises(MdcProtocolError):
        parse_one(Command.POWER, b"")
    assert parse_text(b"ABC123\x00\x00") == "ABC123"
    with pytest.raises(MdcProtocolError):
        parse_text(b"\xff\xfe")
    model = ModelNumber(0x04, 0x31, True)
    assert ModelNumber.parse(model.serialize()) == model
    with pytest.raises(MdcProtocolError):
        ModelNumber.parse(b"\x04\x31\x05")


@given(st.binary(max_size=12))
def test_payload_parsers_only_raise_protocol_error(data: bytes) -> None:
    for parse in (
        Status.parse,
        parse_text,
        ModelNumber.parse,
        lambda d: parse_one(Command.MUTE, d),
    ):
        try:
            parse(data)
        except MdcProtocolError:
            pass
