"""The VISCA command set as data: byte templates, named parameters, ranges and converters.

Each `Spec` is one command or inquiry, written as the bytes after the camera header and
before the 0xFF, with ``{name}`` where a parameter goes; an inquiry also has a template of its
answer (the data after ``y0 50``). Specs are checked when defined (hex constants, every
placeholder has a parameter and vice versa, length, no 0xFF) and the catalog is checked at
import (unique names, no two specs that can decode the same bytes), after the pattern of
Bitfocus Companion's PTZOptics module. The driver encodes by name; the simulator decodes a
received body back to (spec, values) with `match`.
Sources for the bytes: docs/devices.md §3. Sans-I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from devices.errors import ProtocolError

Value = int | str


class Param(Protocol):
    """How one named parameter sits in the bytes."""

    @property
    def width(self) -> int: ...

    @property
    def sample(self) -> Value:
        """A valid value, used to check the catalog at import."""

    def encode(self, value: Value) -> bytes: ...

    def decode(self, raw: bytes) -> Value:
        """Raises ProtocolError when the bytes are not a valid value."""


def _check_int(value: Value, lo: int, hi: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ValueError(f"{what} must be an integer in {lo}..{hi}, not {value!r}")
    return value


@dataclass(frozen=True)
class Byte:
    """One byte holding a number, e.g. a pan speed ``VV`` (0x01..0x18) or a preset ``pp``."""

    lo: int
    hi: int

    def __post_init__(self) -> None:
        if not 0 <= self.lo <= self.hi <= 0xFE:
            raise ValueError(f"invalid byte range {self.lo}..{self.hi}")

    @property
    def width(self) -> int:
        return 1

    @property
    def sample(self) -> Value:
        return self.lo

    def encode(self, value: Value) -> bytes:
        return bytes([_check_int(value, self.lo, self.hi, "value")])

    def decode(self, raw: bytes) -> Value:
        if not self.lo <= raw[0] <= self.hi:
            raise ProtocolError(f"byte {raw[0]:02X} outside {self.lo:02X}..{self.hi:02X}")
        return raw[0]


@dataclass(frozen=True)
class Nibbles:
    """A number spread over ``count`` bytes ``0p 0q 0r 0s``; signed = two's complement."""

    count: int
    lo: int
    hi: int
    signed: bool = False

    def __post_init__(self) -> None:
        bits = 4 * self.count
        low, high = (
            (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if self.signed else (0, (1 << bits) - 1)
        )
        if not 1 <= self.count <= 8 or not low <= self.lo <= self.hi <= high:
            raise ValueError(f"invalid nibble field {self}")

    @property
    def width(self) -> int:
        return self.count

    @property
    def sample(self) -> Value:
        return self.lo

    def encode(self, value: Value) -> bytes:
        number = _check_int(value, self.lo, self.hi, "value") & ((1 << (4 * self.count)) - 1)
        return bytes((number >> (4 * i)) & 0x0F for i in reversed(range(self.count)))

    def decode(self, raw: bytes) -> Value:
        if any(b > 0x0F for b in raw):
            raise ProtocolError(f"nibble field with a high nibble set: {raw.hex(' ')}")
        number = 0
        for b in raw:
            number = (number << 4) | b
        if self.signed and number >= 1 << (4 * self.count - 1):
            number -= 1 << (4 * self.count)
        if not self.lo <= number <= self.hi:
            raise ProtocolError(f"value {number} outside {self.lo}..{self.hi}")
        return number


@dataclass(frozen=True)
class LowNibble:
    """A byte ``Xp``: a fixed high nibble and a number p, e.g. zoom tele at speed p = ``2p``."""

    prefix: int
    lo: int
    hi: int

    def __post_init__(self) -> None:
        if self.prefix & 0x0F or self.prefix > 0xE0 or not 0 <= self.lo <= self.hi <= 0x0F:
            raise ValueError(f"invalid low-nibble field {self}")

    @property
    def width(self) -> int:
        return 1

    @property
    def sample(self) -> Value:
        return self.lo

    def encode(self, value: Value) -> bytes:
        return bytes([self.prefix | _check_int(value, self.lo, self.hi, "speed")])

    def decode(self, raw: bytes) -> Value:
        if raw[0] & 0xF0 != self.prefix or not self.lo <= raw[0] & 0x0F <= self.hi:
            raise ProtocolError(
                f"byte {raw[0]:02X} is not {self.prefix >> 4:X}{self.lo:X}..{self.hi:X}"
            )
        return raw[0] & 0x0F


@dataclass(frozen=True)
class Word:
    """Whole bytes read as one big-endian number, e.g. the vendor id ``vv vv`` (no 0xFF byte)."""

    count: int

    @property
    def width(self) -> int:
        return self.count

    @property
    def sample(self) -> Value:
        return 0

    def encode(self, value: Value) -> bytes:
        raw = _check_int(value, 0, (1 << (8 * self.count)) - 1, "value").to_bytes(self.count, "big")
        if 0xFF in raw:
            raise ValueError(f"{value:#x} would put a 0xFF byte inside the packet")
        return raw

    def decode(self, raw: bytes) -> Value:
        return int.from_bytes(raw, "big")


class Choice:
    """Named byte sequences of equal length, e.g. pan/tilt directions or power states."""

    def __init__(self, **options: bytes) -> None:
        widths = {len(raw) for raw in options.values()}
        if not options or len(widths) != 1 or any(0xFF in raw for raw in options.values()):
            raise ValueError(f"invalid choice {options}")
        if len(set(options.values())) != len(options):
            raise ValueError(f"two names share the same bytes in {options}")
        self.options: Mapping[str, bytes] = options
        self._names = {raw: name for name, raw in options.items()}
        self.width = widths.pop()
        self.sample = next(iter(options))

    def encode(self, value: Value) -> bytes:
        try:
            return self.options[str(value)]
        except KeyError:
            raise ValueError(f"{value!r} is not one of {', '.join(self.options)}") from None

    def decode(self, raw: bytes) -> Value:
        try:
            return self._names[bytes(raw)]
        except KeyError:
            raise ProtocolError(f"{raw.hex(' ')} is not one of {', '.join(self.options)}") from None


_TOKEN = re.compile(r"\{([a-z_]+)\}|([0-9A-F]{2})")
Part = bytes | tuple[str, Param]


def _compile(template: str, params: Mapping[str, Param], what: str) -> list[Part]:
    parts: list[Part] = []
    used: list[str] = []
    for token in template.split():
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError(f"{what}: bad token {token!r} (hex byte or {{name}})")
        name, hex_byte = match.groups()
        if hex_byte is not None:
            if hex_byte == "FF":
                raise ValueError(f"{what}: 0xFF ends a VISCA packet and cannot be inside one")
            parts.append(bytes.fromhex(hex_byte))
        else:
            if name not in params:
                raise ValueError(f"{what}: no parameter for {{{name}}}")
            used.append(name)
            parts.append((name, params[name]))
    if sorted(used) != sorted(params) or len(set(used)) != len(used):
        raise ValueError(f"{what}: parameters {sorted(params)} vs placeholders {used}")
    return parts


def _encode(parts: list[Part], values: Mapping[str, Value], what: str) -> bytes:
    wanted = {part[0] for part in parts if isinstance(part, tuple)}
    if set(values) != wanted:
        raise ValueError(f"{what} takes {sorted(wanted)}, got {sorted(values)}")
    out = bytearray()
    for part in parts:
        if isinstance(part, bytes):
            out += part
        else:
            name, param = part
            try:
                out += param.encode(values[name])
            except ValueError as exc:
                raise ValueError(f"{what}: {name}: {exc}") from None
    return bytes(out)


def _decode(parts: list[Part], raw: bytes) -> dict[str, Value] | None:
    """Values if ``raw`` fits the template exactly, else None (bad values raise ProtocolError)."""
    if len(raw) != sum(len(p) if isinstance(p, bytes) else p[1].width for p in parts):
        return None
    values: dict[str, Value] = {}
    offset = 0
    for part in parts:
        if isinstance(part, bytes):
            if raw[offset : offset + len(part)] != part:
                return None
            offset += len(part)
        else:
            name, param = part
            values[name] = param.decode(raw[offset : offset + param.width])
            offset += param.width
    return values


class Spec:
    """One command or inquiry of the catalog."""

    def __init__(
        self,
        name: str,
        template: str,
        params: Mapping[str, Param] | None = None,
        *,
        reply: str = "",
        reply_params: Mapping[str, Param] | None = None,
        summary: str,
    ) -> None:
        self.name = name
        self.summary = summary
        self._parts = _compile(template, params or {}, name)
        self._reply = _compile(reply, reply_params or {}, f"{name} reply")
        first = self._parts[0] if self._parts else None
        if first not in (b"\x01", b"\x09"):
            raise ValueError(f"{name}: a command starts 01 and an inquiry 09")
        self.inquiry = first == b"\x09"
        if (reply or reply_params) and not self.inquiry:
            raise ValueError(f"{name}: only inquiries have a reply template")
        if len(self.encode(**self._samples(self._parts))) > 14:
            raise ValueError(f"{name}: longer than a VISCA packet allows")

    @staticmethod
    def _samples(parts: list[Part]) -> dict[str, Value]:
        return {part[0]: part[1].sample for part in parts if isinstance(part, tuple)}

    @property
    def parameters(self) -> list[str]:
        return [part[0] for part in self._parts if isinstance(part, tuple)]

    def encode(self, **values: Value) -> bytes:
        """The body (no header, no 0xFF); ValueError names the parameter that is wrong."""
        return _encode(self._parts, values, self.name)

    def decode(self, body: bytes) -> dict[str, Value] | None:
        """The values if ``body`` is this command, None if it is another one."""
        try:
            return _decode(self._parts, body)
        except ProtocolError:
            return None

    def encode_reply(self, **values: Value) -> bytes:
        return _encode(self._reply, values, f"{self.name} reply")

    def decode_reply(self, data: bytes) -> dict[str, Value]:
        """An inquiry's answer data (after ``y0 50``); ProtocolError if it does not fit."""
        values = _decode(self._reply, data)
        if values is None:
            raise ProtocolError(f"{self.name}: unexpected answer {data.hex(' ')}")
        return values

    def __repr__(self) -> str:
        return f"Spec({self.name!r})"


DIRECTIONS = Choice(
    up=b"\x03\x01",
    down=b"\x03\x02",
    left=b"\x01\x03",
    right=b"\x02\x03",
    up_left=b"\x01\x01",
    up_right=b"\x02\x01",
    down_left=b"\x01\x02",
    down_right=b"\x02\x02",
    stop=b"\x03\x03",
)
PAN_SPEED = Byte(0x01, 0x18)
TILT_SPEED = Byte(0x01, 0x17)
POSITION = Nibbles(4, -0x8000, 0x7FFF, signed=True)  # signed 16-bit steps
ZOOM = Nibbles(4, 0x0000, 0x4000)
PRESET = Byte(0x00, 0xFE)  # the camera's own pp; models accept 0..15, 0..127 or 0..254
POWER = Choice(on=b"\x02", standby=b"\x03")

_SPECS = (
    Spec("power", "01 04 00 {state}", {"state": POWER}, summary="Power on / standby"),
    Spec("if_clear", "01 00 01", summary="Clear the command buffers"),
    Spec("zoom_stop", "01 04 07 00", summary="Stop zooming"),
    Spec("zoom_tele", "01 04 07 02", summary="Zoom in at the standard speed"),
    Spec("zoom_wide", "01 04 07 03", summary="Zoom out at the standard speed"),
    Spec(
        "zoom_tele_variable",
        "01 04 07 {speed}",
        {"speed": LowNibble(0x20, 0, 7)},
        summary="Zoom in at speed 0 (slow) .. 7 (fast)",
    ),
    Spec(
        "zoom_wide_variable",
        "01 04 07 {speed}",
        {"speed": LowNibble(0x30, 0, 7)},
        summary="Zoom out at speed 0 (slow) .. 7 (fast)",
    ),
    Spec("zoom_direct", "01 04 47 {position}", {"position": ZOOM}, summary="Zoom to a position"),
    Spec(
        "pan_tilt_drive",
        "01 06 01 {pan_speed} {tilt_speed} {direction}",
        {"pan_speed": PAN_SPEED, "tilt_speed": TILT_SPEED, "direction": DIRECTIONS},
        summary="Start (or stop) a continuous pan/tilt move",
    ),
    Spec(
        "pan_tilt_absolute",
        "01 06 02 {pan_speed} {tilt_speed} {pan} {tilt}",
        {"pan_speed": PAN_SPEED, "tilt_speed": TILT_SPEED, "pan": POSITION, "tilt": POSITION},
        summary="Move to an absolute pan/tilt position",
    ),
    Spec(
        "pan_tilt_relative",
        "01 06 03 {pan_speed} {tilt_speed} {pan} {tilt}",
        {"pan_speed": PAN_SPEED, "tilt_speed": TILT_SPEED, "pan": POSITION, "tilt": POSITION},
        summary="Move by a pan/tilt offset",
    ),
    Spec("pan_tilt_home", "01 06 04", summary="Go to the home position"),
    Spec("pan_tilt_reset", "01 06 05", summary="Recalibrate pan/tilt, then go home"),
    Spec("preset_reset", "01 04 3F 00 {preset}", {"preset": PRESET}, summary="Clear a preset"),
    Spec("preset_set", "01 04 3F 01 {preset}", {"preset": PRESET}, summary="Save a preset"),
    Spec("preset_recall", "01 04 3F 02 {preset}", {"preset": PRESET}, summary="Recall a preset"),
    Spec(
        "power_inquiry",
        "09 04 00",
        reply="{state}",
        reply_params={"state": Choice(on=b"\x02", standby=b"\x03", power_fault=b"\x04")},
        summary="Power state",
    ),
    Spec(
        "zoom_position_inquiry",
        "09 04 47",
        reply="{position}",
        reply_params={"position": ZOOM},
        summary="Zoom position",
    ),
    Spec(
        "pan_tilt_position_inquiry",
        "09 06 12",
        reply="{pan} {tilt}",
        reply_params={"pan": POSITION, "tilt": POSITION},
        summary="Pan/tilt position",
    ),
    Spec(
        "version_inquiry",
        "09 00 02",
        reply="{vendor} {model} {rom} {sockets}",
        reply_params={"vendor": Word(2), "model": Word(2), "rom": Word(2), "sockets": Byte(1, 7)},
        summary="Vendor, model and ROM version",
    ),
)


def _build(specs: tuple[Spec, ...]) -> dict[str, Spec]:
    catalog: dict[str, Spec] = {}
    for spec in specs:
        if spec.name in catalog:
            raise ValueError(f"duplicate VISCA spec {spec.name}")
        catalog[spec.name] = spec
    for spec in specs:  # every spec's bytes must decode back to that spec alone
        body = spec.encode(**Spec._samples(spec._parts))
        owners = [other.name for other in specs if other.decode(body) is not None]
        if owners != [spec.name]:
            raise ValueError(f"VISCA specs {owners} all decode {body.hex(' ')}")
    return catalog


CATALOG: dict[str, Spec] = _build(_SPECS)


def match(body: bytes) -> tuple[Spec, dict[str, Value]] | None:
    """The spec and values a received command body stands for, or None if unknown."""
    for spec in _SPECS:
        values = spec.decode(body)
        if values is not None:
            return spec, values
    return None
