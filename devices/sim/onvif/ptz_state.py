"""The simulated camera's PTZ mechanics: position moving over time, presets, home.

Positions are in ONVIF's generic spaces (pan and tilt in [-1, 1], zoom in [0, 1]). Each axis
either moves at a velocity (ContinuousMove) or travels to a target (Absolute/Relative move,
presets, home) at `rate` units per second times the requested speed. Time comes from an
injected clock, so tests step it instead of sleeping. Pure: no I/O.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

AXES = ("pan", "tilt", "zoom")
LIMITS = {"pan": (-1.0, 1.0), "tilt": (-1.0, 1.0), "zoom": (0.0, 1.0)}


class PtzRefused(Exception):
    """The request is understood but cannot be done; `subcode` is the ONVIF `ter:` fault name."""

    def __init__(self, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.subcode = subcode


@dataclass(frozen=True)
class Vector:
    pan: float = 0.0
    tilt: float = 0.0
    zoom: float = 0.0

    def get(self, axis: str) -> float:
        return float(getattr(self, axis))


@dataclass
class _Axis:
    position: float
    low: float
    high: float
    velocity: float = 0.0  # units/s while moving continuously
    target: float | None = None
    speed: float = 0.0  # units/s while travelling to target

    def advance(self, dt: float) -> None:
        if self.target is not None:
            step = self.speed * dt
            gap = self.target - self.position
            self.position = self.target if abs(gap) <= step else self.position + step * (1 if gap > 0 else -1)
            if self.position == self.target:
                self.target = None
        elif self.velocity:
            self.position = min(self.high, max(self.low, self.position + self.velocity * dt))
            if self.position in (self.low, self.high):
                self.velocity = 0.0  # the mechanical end stop ends the move

    @property
    def moving(self) -> bool:
        return self.target is not None or self.velocity != 0.0

    def clamp(self, value: float) -> float:
        return min(self.high, max(self.low, value))


@dataclass
class Preset:
    token: str
    name: str
    position: Vector


@dataclass
class PtzState:
    """One camera head. `tokens` is "numeric" (slots "1", "2", ... like most PTZ cameras) or
    "opaque" (camera-chosen strings), so drivers can be tested against both preset schemes."""

    clock: Callable[[], float]
    rate: float = 1.0  # generic units per second at speed 1
    max_presets: int = 16
    tokens: str = "numeric"
    home_position: Vector = Vector()
    presets: dict[str, Preset] = field(default_factory=dict)
    _axes: dict[str, _Axis] = field(init=False, repr=False)
    _last: float = field(init=False, repr=False)
    _opaque: itertools.count = field(default_factory=lambda: itertools.count(1), repr=False)

    def __post_init__(self) -> None:
        if self.tokens not in ("numeric", "opaque"):
            raise ValueError(f"tokens must be 'numeric' or 'opaque', not {self.tokens!r}")
        self._axes = {a: _Axis(self.home_position.get(a), *LIMITS[a]) for a in AXES}
        self._last = self.clock()

    def _advance(self) -> None:
        now = self.clock()
        for axis in self._axes.values():
            axis.advance(now - self._last)
        self._last = now

    def position(self) -> Vector:
        self._advance()
        return Vector(**{a: self._axes[a].position for a in AXES})

    def moving(self) -> tuple[bool, bool]:
        """(pan/tilt moving, zoom moving) as GetStatus reports them."""
        self._advance()
        return self._axes["pan"].moving or self._axes["tilt"].moving, self._axes["zoom"].moving

    def continuous(self, velocity: dict[str, float]) -> None:
        """Start moving the named axes; speeds in [-1, 1]. Axes not named keep what they do."""
        self._advance()
        for name, speed in velocity.items():
            _check_range(name, speed, -1.0, 1.0, "InvalidVelocity")
            axis = self._axes[name]
            axis.target, axis.velocity = None, speed * self.rate

    def stop(self, pan_tilt: bool = True, zoom: bool = True) -> None:
        self._advance()
        for name in (("pan", "tilt") if pan_tilt else ()) + (("zoom",) if zoom else ()):
            self._axes[name].velocity, self._axes[name].target = 0.0, None

    def absolute(self, target: dict[str, float], speed: float = 1.0) -> None:
        self._advance()
        for name, value in target.items():
            low, high = LIMITS[name]
            _check_range(name, value, low, high, "InvalidPosition")
        self._travel(target, speed)

    def relative(self, translation: dict[str, float], speed: float = 1.0) -> None:
        """Move by a translation; the result is clamped to the limits, as cameras do."""
        self._advance()
        for name, delta in translation.items():
            low, high = LIMITS[name]
            _check_range(name, delta, low - high, high - low, "InvalidTranslation")
        self._travel(
            {n: self._axes[n].clamp(self._axes[n].position + d) for n, d in translation.items()}, speed
        )

    def _travel(self, target: dict[str, float], speed: float) -> None:
        _check_range("speed", speed, 0.0, 1.0, "InvalidSpeed")
        for name, value in target.items():
            axis = self._axes[name]
            axis.velocity, axis.target, axis.speed = 0.0, value, max(speed, 0.01) * self.rate

    def goto_home(self, speed: float = 1.0) -> None:
        self._advance()
        self._travel({a: self.home_position.get(a) for a in AXES}, speed)

    def set_home(self) -> None:
        self.home_position = self.position()

    def set_preset(self, name: str | None, token: str | None) -> str:
        """Store the current position; with a token, overwrite that preset (ONVIF SetPreset)."""
        position = self.position()
        if token is not None:
            if token not in self.presets:
                raise PtzRefused("NoToken", f"no preset with token {token!r}")
            preset = self.presets[token]
            preset.position, preset.name = position, name or preset.name
            return token
        if name and any(p.name == name for p in self.presets.values()):
            raise PtzRefused("PresetExist", f"a preset named {name!r} exists already")
        if len(self.presets) >= self.max_presets:
            raise PtzRefused("TooManyPresets", f"all {self.max_presets} preset slots are used")
        token = self._free_token()
        self.presets[token] = Preset(token, name or f"Preset {token}", position)
        return token

    def _free_token(self) -> str:
        if self.tokens == "numeric":
            return next(str(n) for n in itertools.count(1) if str(n) not in self.presets)
        return f"preset-{next(self._opaque):04x}"

    def goto_preset(self, token: str, speed: float = 1.0) -> None:
        preset = self._preset(token)
        self._advance()
        self._travel({a: preset.position.get(a) for a in AXES}, speed)

    def remove_preset(self, token: str) -> None:
        del self.presets[self._preset(token).token]

    def _preset(self, token: str) -> Preset:
        try:
            return self.presets[token]
        except KeyError:
            raise PtzRefused("NoToken", f"no preset with token {token!r}") from None


def _check_range(name: str, value: float, low: float, high: float, subcode: str) -> None:
    if not low <= value <= high:
        raise PtzRefused(subcode, f"{name} {value} is outside [{low}, {high}]")
