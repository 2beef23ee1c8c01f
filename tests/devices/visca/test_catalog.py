"""The declarative command catalog: manual bytes, ranges, converters and import-time checks."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.visca.catalog import (
    CATALOG,
    DIRECTIONS,
    Byte,
    Choice,
    LowNibble,
    Nibbles,
    Spec,
    Word,
    _build,
    match,
)

h = bytes.fromhex

# Bodies (between 8x and FF) from docs/devices.md §3.
MANUAL = [
    ("power", {"state": "on"}, "01 04 00 02"),
    ("power", {"state": "standby"}, "01 04 00 03"),
    ("if_clear", {}, "01 00 01"),
    ("zoom_stop", {}, "01 04 07 00"),
    ("zoom_tele", {}, "01 04 07 02"),
    ("zoom_wide", {}, "01 04 07 03"),
    ("zoom_tele_variable", {"speed": 5}, "01 04 07 25"),
    ("zoom_wide_variable", {"speed": 0}, "01 04 07 30"),
    ("zoom_direct", {"position": 0x4000}, "01 04 47 04 00 00 00"),
    (
        "pan_tilt_drive",
        {"pan_speed": 0x0C, "tilt_speed": 0x0C, "direction": "left"},
        "01 06 01 0C 0C 01 03",
    ),
    (
        "pan_tilt_drive",
        {"pan_speed": 0x18, "tilt_speed": 0x17, "direction": "down_right"},
        "01 06 01 18 17 02 02",
    ),
    (
        "pan_tilt_drive",
        {"pan_speed": 1, "tilt_speed": 1, "direction": "stop"},
        "01 06 01 01 01 03 03",
    ),
    (
        "pan_tilt_absolute",
        {"pan_speed": 0x18, "tilt_speed": 0x14, "pan": -1, "tilt": 0x0123},
        "01 06 02 18 14 0F 0F 0F 0F 00 01 02 03",
    ),
    (
        "pan_tilt_relative",
        {"pan_speed": 1, "tilt_speed": 1, "pan": 16, "tilt": -16},
        "01 06 03 01 01 00 00 01 00 0F 0F 0F 00",
    ),
    ("pan_tilt_home", {}, "01 06 04"),
    ("pan_tilt_reset", {}, "01 06 05"),
    ("preset_reset", {"preset": 0}, "01 04 3F 00 00"),
    ("preset_set", {"preset": 5}, "01 04 3F 01 05"),
    ("preset_recall", {"preset": 0x0F}, "01 04 3F 02 0F"),
    ("power_inquiry", {}, "09 04 00"),
    ("zoom_position_inquiry", {}, "09 04 47"),
    ("pan_tilt_position_inquiry", {}, "09 06 12"),
    ("version_inquiry", {}, "09 00 02"),
]


@pytest.mark.parametrize(("name", "values", "body"), MANUAL)
def test_encode_and_match_manual_bytes(name: str, values: dict[str, object], body: str) -> None:
    assert CATALOG[name].encode(**values) == h(body)  # type: ignore[arg-type]
    found = match(h(body))
    assert found is not None
    assert (found[0].name, found[1]) == (name, values)


def test_every_spec_is_covered_by_a_manual_example() -> None:
    assert {name for name, _, _ in MANUAL} == set(CATALOG)


def test_inquiry_answers() -> None:
    assert CATALOG["power_inquiry"].decode_reply(h("02")) == {"state": "on"}
    assert CATALOG["power_inquiry"].decode_reply(h("04")) == {"state": "power_fault"}
    pan_tilt = CATALOG["pan_tilt_position_inquiry"].decode_reply(h("0F 0F 0E 0C 00 00 01 00"))
    assert pan_tilt == {"pan": -20, "tilt": 16}  # FFEC is -20
    assert CATALOG["zoom_position_inquiry"].decode_reply(h("01 02 03 04")) == {"position": 0x1234}
    version = CATALOG["version_inquiry"].decode_reply(h("00 01 05 19 01 00 02"))
    assert version == {"vendor": 1, "model": 0x0519, "rom": 0x0100, "sockets": 2}


@pytest.mark.parametrize("data", ["05", "02 00", "10 00 00 00 00 00 00 00"])
def test_unexpected_answers_raise_protocol_error(data: str) -> None:
    spec = CATALOG["pan_tilt_position_inquiry" if len(data) > 5 else "power_inquiry"]
    with pytest.raises(ProtocolError):
        spec.decode_reply(h(data))


@pytest.mark.parametrize(
    ("name", "values", "message"),
    [
        ("pan_tilt_drive", {"pan_speed": 0x19, "tilt_speed": 1, "direction": "up"}, "pan_speed"),
        ("pan_tilt_drive", {"pan_speed": 1, "tilt_speed": 1, "direction": "sideways"}, "direction"),
        ("preset_recall", {"preset": 255}, "preset"),
        ("preset_recall", {"preset": "2"}, "preset"),
        ("zoom_tele_variable", {"speed": 8}, "speed"),
        ("zoom_direct", {"position": 0x4001}, "position"),
        ("pan_tilt_absolute", {"pan_speed": 1, "tilt_speed": 1, "pan": 0x8000, "tilt": 0}, "pan"),
        ("power", {}, "state"),
        ("pan_tilt_home", {"speed": 1}, "takes"),
    ],
)
def test_bad_values_name_the_parameter(name: str, values: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        CATALOG[name].encode(**values)  # type: ignore[arg-type]


def test_unknown_or_malformed_bodies_do_not_match() -> None:
    assert match(h("01 06 01 19 01 03 01")) is None  # pan speed 0x19 is out of range
    assert match(h("01 04 07 45")) is None  # zoom 4p does not exist
    assert match(h("01 06 02 18 14 10 00 00 00 00 00 00 00")) is None  # nibble with high bits
    assert match(h("01 04 3F 02")) is None  # preset number missing
    assert match(h("7F")) is None


@given(st.integers(-0x8000, 0x7FFF))
def test_signed_positions_round_trip(value: int) -> None:
    field = Nibbles(4, -0x8000, 0x7FFF, signed=True)
    raw = field.encode(value)
    assert all(b <= 0x0F for b in raw)
    assert field.decode(raw) == value


@given(st.sampled_from(sorted(DIRECTIONS.options)), st.integers(1, 0x18), st.integers(1, 0x17))
def test_drive_round_trips(direction: str, pan_speed: int, tilt_speed: int) -> None:
    spec = CATALOG["pan_tilt_drive"]
    values = {"pan_speed": pan_speed, "tilt_speed": tilt_speed, "direction": direction}
    assert spec.decode(spec.encode(**values)) == values  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "build",
    [
        lambda: Spec("x", "01 {a}", {}, summary=""),  # placeholder without parameter
        lambda: Spec("x", "01", {"a": Byte(0, 1)}, summary=""),  # parameter without placeholder
        lambda: Spec("x", "01 FF", summary=""),  # 0xFF inside a packet
        lambda: Spec("x", "01 zz", summary=""),  # not hex
        lambda: Spec("x", "05 01", summary=""),  # neither command nor inquiry
        lambda: Spec("x", "01 " + "00 " * 14, summary=""),  # too long
        lambda: Spec("x", "01 00", reply="{a}", reply_params={"a": Byte(0, 1)}, summary=""),
        lambda: Byte(0, 0xFF),
        lambda: Nibbles(4, 0, 0x10000),
        lambda: LowNibble(0x25, 0, 7),
        lambda: Choice(a=b"\x01", b=b"\x01"),
        lambda: Choice(a=b"\x01", b=b"\x01\x02"),
        lambda: _build((Spec("a", "01 00", summary=""), Spec("a", "01 01", summary=""))),
        lambda: _build(
            (
                Spec("a", "01 {p}", {"p": Byte(0, 5)}, summary=""),
                Spec("b", "01 {p}", {"p": Byte(0, 9)}, summary=""),
            )
        ),
    ],
)
def test_bad_definitions_fail_at_definition(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]


def test_word_refuses_an_ff_byte() -> None:
    with pytest.raises(ValueError, match="0xFF"):
        Word(2).encode(0x01FF)
