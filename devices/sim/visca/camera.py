"""The simulated PTZ camera behind every simulator endpoint: one state, moving over time.

`SimulatedCamera.handle` takes a VISCA command body and returns the replies a camera would
send; positions are computed from an injected clock, so tests can step time by hand. Motion
model: continuous drives run at ``speed x rate`` steps per second until stopped or a limit is
reached; preset recall, home and absolute moves travel to a target at full speed.
Sans-I/O: the endpoints (simulator.py) own the sockets and the pty.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from devices.visca.catalog import Value, match
from devices.visca.errors import ErrorCode
from devices.visca.packet import Ack, Completion, ErrorReply, Reply

PAN_LIMITS = (-2448, 2448)  # steps; a typical 1-step = 0.075 degree camera, +/-170 degrees
TILT_LIMITS = (-1200, 1200)
ZOOM_LIMITS = (0, 0x4000)
PAN_TILT_RATE = 100.0  # steps per second per speed unit (speed 0x18 = 2400 steps/s)
ZOOM_RATE = 2048.0  # steps per second per zoom speed step (p = 7 -> the whole range in 1 s)
VERSION = {"vendor": 0x0001, "model": 0x0519, "rom": 0x0100, "sockets": 2}


@dataclass
class Axis:
    """One axis: where it was at ``since`` and how it moves from there."""

    lo: int
    hi: int
    position: float = 0.0
    since: float = 0.0
    velocity: float = 0.0  # steps per second; the sign is the direction when driving
    target: float | None = None

    def at(self, now: float) -> float:
        travelled = self.velocity * (now - self.since)
        if self.target is None:
            return min(self.hi, max(self.lo, self.position + travelled))
        distance = self.target - self.position
        if abs(travelled) >= abs(distance):
            return self.target
        return self.position + math.copysign(abs(travelled), distance)

    def drive(self, now: float, velocity: float) -> None:
        self.position, self.since, self.velocity, self.target = self.at(now), now, velocity, None

    def go_to(self, now: float, target: float, speed: float) -> None:
        target = min(self.hi, max(self.lo, target))
        self.position, self.since, self.velocity, self.target = self.at(now), now, speed, target


class SimulatedCamera:
    """A VISCA camera's state and behaviour; one instance is shared by all endpoints."""

    def __init__(
        self, address: int = 1, preset_slots: int = 16, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.address = address
        self.preset_slots = preset_slots
        self.clock = clock
        self.power = True
        self.pan = Axis(*PAN_LIMITS)
        self.tilt = Axis(*TILT_LIMITS)
        self.zoom = Axis(*ZOOM_LIMITS)
        self.presets: dict[int, tuple[float, float, float]] = {}
        self._socket = 2

    def snapshot(self) -> dict[str, object]:
        """The state as plain data (for `simulate` output, tests and debugging)."""
        now = self.clock()
        return {
            "power": "on" if self.power else "standby",
            "pan": round(self.pan.at(now)),
            "tilt": round(self.tilt.at(now)),
            "zoom": round(self.zoom.at(now)),
            "presets": sorted(self.presets),
        }

    def handle(self, body: bytes) -> list[Reply]:
        """The replies to one command or inquiry body (header and 0xFF stripped)."""
        found = match(body)
        if found is None:
            return [self._error(0, ErrorCode.SYNTAX)]
        spec, values = found
        if spec.inquiry:
            if not self.power and spec.name != "power_inquiry":
                return [self._error(0, ErrorCode.NOT_EXECUTABLE)]
            answer = _INQUIRIES[spec.name](self)
            return [Completion(self.address, 0, spec.encode_reply(**answer))]
        if spec.name == "if_clear":
            return [Completion(self.address, 0)]
        if "preset" in values and not int(values["preset"]) < self.preset_slots:
            return [self._error(0, ErrorCode.SYNTAX)]
        socket = self._next_socket()
        if not self.power and spec.name != "power":
            return [Ack(self.address, socket), self._error(socket, ErrorCode.NOT_EXECUTABLE)]
        _COMMANDS[spec.name](self, self.clock(), **values)
        return [Ack(self.address, socket), Completion(self.address, socket)]

    def _next_socket(self) -> int:
        self._socket = 3 - self._socket  # alternate 1, 2 like a camera with two sockets
        return self._socket

    def _error(self, socket: int, code: ErrorCode) -> ErrorReply:
        return ErrorReply(self.address, socket, code)

    # commands -------------------------------------------------------------------------------

    def _power(self, now: float, state: Value) -> None:
        self.power = state == "on"
        if not self.power:
            self._halt(now)

    def _halt(self, now: float) -> None:
        for axis in (self.pan, self.tilt, self.zoom):
            axis.drive(now, 0.0)

    def _drive(self, now: float, pan_speed: Value, tilt_speed: Value, direction: Value) -> None:
        pan_sign = {"left": -1, "right": 1}.get(str(direction).rsplit("_", 1)[-1], 0)
        tilt_sign = {"up": 1, "down": -1}.get(str(direction).split("_", 1)[0], 0)
        self.pan.drive(now, pan_sign * int(pan_speed) * PAN_TILT_RATE)
        self.tilt.drive(now, tilt_sign * int(tilt_speed) * PAN_TILT_RATE)

    def _absolute(
        self, now: float, pan_speed: Value, tilt_speed: Value, pan: Value, tilt: Value
    ) -> None:
        self.pan.go_to(now, int(pan), int(pan_speed) * PAN_TILT_RATE)
        self.tilt.go_to(now, int(tilt), int(tilt_speed) * PAN_TILT_RATE)

    def _relative(
        self, now: float, pan_speed: Value, tilt_speed: Value, pan: Value, tilt: Value
    ) -> None:
        to_pan, to_tilt = round(self.pan.at(now)) + int(pan), round(self.tilt.at(now)) + int(tilt)
        self._absolute(now, pan_speed, tilt_speed, to_pan, to_tilt)

    def _home(self, now: float) -> None:
        self._absolute(now, 0x18, 0x17, 0, 0)

    def _zoom(self, now: float, direction: int, speed: Value = 3) -> None:
        self.zoom.drive(now, direction * (int(speed) + 1) * ZOOM_RATE)

    def _zoom_direct(self, now: float, position: Value) -> None:
        self.zoom.go_to(now, int(position), 8 * ZOOM_RATE)

    def _preset_set(self, now: float, preset: Value) -> None:
        self.presets[int(preset)] = (self.pan.at(now), self.tilt.at(now), self.zoom.at(now))

    def _preset_reset(self, now: float, preset: Value) -> None:
        self.presets.pop(int(preset), None)

    def _preset_recall(self, now: float, preset: Value) -> None:
        pan, tilt, zoom = self.presets.get(int(preset), (0.0, 0.0, 0.0))  # unset = factory home
        self._absolute(now, 0x18, 0x17, round(pan), round(tilt))
        self._zoom_direct(now, round(zoom))


_COMMANDS: dict[str, Callable[..., None]] = {
    "power": SimulatedCamera._power,
    "zoom_stop": lambda cam, now: cam._zoom(now, 0),
    "zoom_tele": lambda cam, now: cam._zoom(now, 1),
    "zoom_wide": lambda cam, now: cam._zoom(now, -1),
    "zoom_tele_variable": lambda cam, now, speed: cam._zoom(now, 1, speed),
    "zoom_wide_variable": lambda cam, now, speed: cam._zoom(now, -1, speed),
    "zoom_direct": SimulatedCamera._zoom_direct,
    "pan_tilt_drive": SimulatedCamera._drive,
    "pan_tilt_absolute": SimulatedCamera._absolute,
    "pan_tilt_relative": SimulatedCamera._relative,
    "pan_tilt_home": SimulatedCamera._home,
    "pan_tilt_reset": SimulatedCamera._home,
    "preset_reset": SimulatedCamera._preset_reset,
    "preset_set": SimulatedCamera._preset_set,
    "preset_recall": SimulatedCamera._preset_recall,
}

_INQUIRIES: dict[str, Callable[[SimulatedCamera], dict[str, Value]]] = {
    "power_inquiry": lambda cam: {"state": "on" if cam.power else "standby"},
    "zoom_position_inquiry": lambda cam: {"position": round(cam.zoom.at(cam.clock()))},
    "pan_tilt_position_inquiry": lambda cam: {
        "pan": round(cam.pan.at(cam.clock())),
        "tilt": round(cam.tilt.at(cam.clock())),
    },
    "version_inquiry": lambda cam: dict(VERSION),
}
