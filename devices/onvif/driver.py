"""An ONVIF PTZ camera behind the Camera facade, plus what a technician needs beyond it.

Facade: continuous pan/tilt and zoom are ContinuousMove + Stop (speeds in [-1, 1] are the
generic velocity space), presets are GotoPreset / SetPreset with numbers mapped to tokens as
devices/onvif/presets.py explains, home is GotoHomePosition, position is GetStatus in the
generic spaces (pan, tilt in [-1, 1], zoom in [0, 1]); ONVIF has no power control.
Extras: device information, service addresses, clock-skew check, profiles, RTSP stream and
snapshot URIs, absolute and relative moves, preset list/remove, PTZ status, set home.

Every call is bounded by the rooms file's `timeout` and raises only devices.errors. Like
devices/transport's DeviceLink, start() makes one setup attempt and does not raise: the
outcome is in `link` (an `OnvifLink`: state, detail and listeners, like every driver's link)
and `status()`. Until stop(), a watcher then sets the camera up again
with exponential backoff while it is offline, and polls its clock every `poll_interval`
while online (GetSystemDateAndTime, Home Assistant's keepalive). A call made while offline
tries the setup once itself, so a one-shot command gets the precise reason it failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from devices.rooms_file.device_config import OnvifCameraConfig, password_of
from devices.drivers.base import (
    CameraCapabilities,
    DeviceKind,
    DeviceStatus,
    PanTiltZoom,
)
from devices.errors import DeviceError, DeviceRefused, InvalidValue, ProtocolError, Unsupported
from devices.onvif import presets as preset_numbers
from devices.onvif.link import OnvifLink
from devices.onvif.models import CameraPreset, DeviceInformation, MediaProfile, PtzStatus
from devices.onvif.session import OnvifSession
from devices.transport.policy import Backoff

log = logging.getLogger(__name__)

DEFAULT_BACKOFF = Backoff()  # set-up retries while offline: 0.5 s doubling to 10 s
# Preset slots offered for a camera that lists presets but will not say how many it holds.
PRESETS_WITHOUT_NODE = 16


def _speed(name: str, value: float) -> float:
    if not -1.0 <= value <= 1.0:
        raise InvalidValue(f"{name} {value} is outside [-1, 1]")
    return float(value)


def _vector(pan: float, tilt: float, zoom: float | None) -> dict[str, Any]:
    vector: dict[str, Any] = {"PanTilt": {"x": pan, "y": tilt}}
    if zoom is not None:
        vector["Zoom"] = {"x": zoom}
    return vector


class OnvifCamera:
    kind = DeviceKind.CAMERA

    def __init__(
        self,
        name: str,
        host: str,
        port: int = 80,
        username: str | None = None,
        password: str | None = None,
        *,
        profile: str | None = None,
        timeout: float = 2.0,
        poll_interval: float = 10.0,
        adjust_time: bool | None = None,
        backoff: Backoff = DEFAULT_BACKOFF,
    ) -> None:
        """`adjust_time`: None adjusts WS-Security timestamps only when the camera clock is off
        by 5 s or more; True/False force it (False for cameras that must never be adjusted)."""
        self.name = name
        self.poll_interval = poll_interval
        self.backoff = backoff
        self._session = OnvifSession(
            host, port, username, password, name=name, timeout=timeout, profile=profile, adjust_time=adjust_time
        )
        self._poller: asyncio.Task[None] | None = None

    @classmethod
    def from_config(cls, cfg: OnvifCameraConfig) -> OnvifCamera:
        return cls(
            cfg.name, cfg.host, cfg.port, cfg.username, password_of(cfg),
            profile=cfg.profile, timeout=cfg.timeout, poll_interval=cfg.poll_interval,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        """Try the ordered setup once, then keep watching the camera until `stop`."""
        if self._poller is not None:
            return
        with contextlib.suppress(DeviceError):
            await self._session.setup()
        self._poller = asyncio.create_task(self._watch(), name=f"onvif-watch-{self.name}")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._poller
            self._poller = None
        await self._session.shutdown()

    async def _watch(self) -> None:
        attempt = 0
        while True:
            await asyncio.sleep(self.poll_interval if self._up else self.backoff.delay(attempt))
            attempt = 0 if self._up else attempt + 1
            try:
                await (self._session.check_clock() if self._up else self._session.ensure())
            except DeviceError as error:
                log.info("%s: %s", self.name, error)

    @property
    def _up(self) -> bool:
        return self.link.state.connected

    @property
    def capabilities(self) -> CameraCapabilities:
        """What the chosen profile and PTZ node allow (nothing before the first setup).

        As optional as the WSDL makes them: a PTZConfiguration need not name default spaces
        and a camera need not answer GetNodes. A kind of move is offered when the profile
        names its default space, or the node lists a space for it; when neither the node
        nor a default says, it is offered and the camera's answer to the first try decides.
        Presets count from the node, else from GetPresets tried at setup."""
        session = self._session
        profile, node = session.profile, session.ptz_node
        if profile is None:
            return CameraCapabilities(pan_tilt=False, zoom=False, home=False)

        def offered(default: bool, node_spaces: str) -> bool:
            if not profile.ptz:
                return False
            if default or node is None:
                return True
            return bool(getattr(getattr(node, "SupportedPTZSpaces", None), node_spaces, None))

        if node is not None:
            presets = int(getattr(node, "MaximumNumberOfPresets", 0) or 0)
        elif session.presets_listed is not None:
            presets = max(session.presets_listed, PRESETS_WITHOUT_NODE)
        else:
            presets = 0
        return CameraCapabilities(
            pan_tilt=offered(profile.continuous, "ContinuousPanTiltVelocitySpace"),
            zoom=offered(profile.zoom, "ContinuousZoomVelocitySpace"),
            presets=presets if profile.ptz else 0,
            absolute_position=offered(profile.absolute, "AbsolutePanTiltPositionSpace"),
            home=profile.ptz and bool(getattr(node, "HomeSupported", True)),
            power=False,
            stream_uri=True,
            snapshot=True,
        )

    @property
    def link(self) -> OnvifLink:
        return self._session.link

    # -- Camera facade -------------------------------------------------------------------------

    async def status(self) -> DeviceStatus:
        """Poll now: the clock, and the PTZ status when the profile has PTZ. Never raises for a
        device problem: it is reported in `link` and `detail`."""
        values: dict[str, object] = {}
        failure: DeviceError | None = None
        try:
            values["clock_skew"] = await self._session.check_clock()
            profile = self._session.profile
            if profile is not None and profile.ptz:
                ptz = await self.ptz_status()
                values.update(
                    position=ptz.position, pan_tilt_moving=ptz.pan_tilt_moving, zoom_moving=ptz.zoom_moving
                )
        except DeviceError as error:
            values["error"] = str(error)
            failure = error
        session = self._session
        if session.profile is not None:
            values["profile"] = session.profile.token
        if session.info is not None:
            values["model"] = f"{session.info.manufacturer} {session.info.model}".strip()
        return DeviceStatus(
            link=session.link.state, power=None, detail=session.link.detail, values=values, error=failure
        )

    async def move(self, pan_speed: float, tilt_speed: float) -> None:
        velocity = _vector(_speed("pan speed", pan_speed), _speed("tilt speed", tilt_speed), None)
        await self._ptz("ContinuousMove", Velocity=velocity)

    async def stop_move(self) -> None:
        await self._ptz("Stop", PanTilt=True, Zoom=False)

    async def zoom(self, speed: float) -> None:
        speed = _speed("zoom speed", speed)
        if speed == 0.0:
            await self._ptz("Stop", PanTilt=False, Zoom=True)
        else:
            await self._ptz("ContinuousMove", Velocity={"Zoom": {"x": speed}})

    async def recall_preset(self, preset: int) -> None:
        await self._ptz("GotoPreset", PresetToken=(await self._preset(preset)).token)

    async def save_preset(self, preset: int) -> None:
        existing = preset_numbers.find(await self.presets(), preset)
        if existing is not None:
            await self._ptz("SetPreset", PresetToken=existing.token, PresetName=existing.name)
        else:
            await self._ptz("SetPreset", PresetName=preset_numbers.name_for(preset))

    async def home(self) -> None:
        await self._ptz("GotoHomePosition")

    async def position(self) -> PanTiltZoom:
        return (await self.ptz_status()).position

    async def go_to(self, where: PanTiltZoom) -> None:
        """AbsoluteMove in the generic spaces `position` reports (pan, tilt -1..1, zoom 0..1)."""
        await self.absolute_move(where.pan, where.tilt, where.zoom)

    async def set_power(self, on: bool) -> None:
        raise Unsupported(f"{self.name}: ONVIF has no power control (power the camera from its PoE switch)")

    # -- ONVIF extras ----------------------------------------------------------------------------

    async def device_information(self) -> DeviceInformation:
        return DeviceInformation.from_reply(await self._session.call("devicemgmt", "GetDeviceInformation"))

    def services(self) -> dict[str, str]:
        """Service namespace → XAddr, as GetServices (or GetCapabilities) reported them."""
        return self._session.xaddrs

    async def device_capabilities(self) -> dict[str, Any]:
        """GetCapabilities(Category=All): what the camera says it can do, per service."""
        return await self._session.capabilities()

    async def check_clock(self) -> float | None:
        """Camera clock minus ours, in seconds (None if the camera will not tell)."""
        return await self._session.check_clock()

    @property
    def time_adjusted(self) -> bool:
        """Whether WS-Security timestamps are shifted by the measured skew."""
        return self._session.time_adjusted

    async def profiles(self) -> list[MediaProfile]:
        replies = await self._session.call("media", "GetProfiles")
        return [MediaProfile.from_reply(p) for p in replies or []]

    async def stream_uri(self, profile: str | None = None) -> str:
        """The RTSP URI of a profile (the camera's chosen one by default)."""
        reply = await self._session.call("media", "GetStreamUri", {
            "StreamSetup": {"Stream": "RTP-Unicast", "Transport": {"Protocol": "RTSP"}},
            "ProfileToken": profile or (await self._profile()).token,
        })
        return self._uri(reply, "GetStreamUri")

    async def snapshot_uri(self, profile: str | None = None) -> str:
        token = profile or (await self._profile()).token
        reply = await self._session.call("media", "GetSnapshotUri", {"ProfileToken": token})
        return self._uri(reply, "GetSnapshotUri")

    async def absolute_move(self, pan: float, tilt: float, zoom: float | None = None, speed: float | None = None) -> None:
        """Go to a position in the generic space: pan, tilt in [-1, 1], zoom in [0, 1]."""
        _speed("pan", pan)
        _speed("tilt", tilt)
        if zoom is not None and not 0.0 <= zoom <= 1.0:
            raise InvalidValue(f"zoom {zoom} is outside [0, 1]")
        await self._ptz("AbsoluteMove", Position=_vector(pan, tilt, zoom), **self._speed_param(speed))

    async def relative_move(self, pan: float, tilt: float, zoom: float | None = None, speed: float | None = None) -> None:
        """Move by a translation in the generic space: pan, tilt in [-2, 2], zoom in [-1, 1]."""
        for axis, value, limit in (("pan", pan, 2.0), ("tilt", tilt, 2.0), ("zoom", zoom, 1.0)):
            if value is not None and not -limit <= value <= limit:
                raise InvalidValue(f"{axis} translation {value} is outside [-{limit:g}, {limit:g}]")
        await self._ptz("RelativeMove", Translation=_vector(pan, tilt, zoom), **self._speed_param(speed))

    async def presets(self) -> list[CameraPreset]:
        replies = await self._ptz("GetPresets")
        return preset_numbers.numbered(CameraPreset.from_reply(p) for p in replies or [])

    async def remove_preset(self, preset: int) -> None:
        await self._ptz("RemovePreset", PresetToken=(await self._preset(preset)).token)

    async def ptz_status(self) -> PtzStatus:
        return PtzStatus.from_reply(await self._ptz("GetStatus"))

    async def set_home(self) -> None:
        await self._ptz("SetHomePosition")

    # -- helpers ---------------------------------------------------------------------------------

    async def _preset(self, number: int) -> CameraPreset:
        known = await self.presets()
        found = preset_numbers.find(known, number)
        if found is None:
            listed = ", ".join(str(p.number) for p in known if p.number is not None) or "none"
            raise DeviceRefused(f"{self.name}: the camera has no preset {number} (numbered presets: {listed})")
        return found

    async def _profile(self) -> MediaProfile:
        """The chosen media profile, setting the camera up first if it is not (or no longer)."""
        await self._session.ensure()
        if self._session.profile is None:
            raise Unsupported(f"{self.name}: the camera lists no media profile")
        return self._session.profile

    async def _ptz(self, operation: str, **params: Any) -> Any:
        profile = await self._profile()
        if not profile.ptz:
            raise Unsupported(f"{self.name}: media profile {profile.token!r} has no PTZ configuration")
        return await self._session.call("ptz", operation, {"ProfileToken": profile.token, **params})

    @staticmethod
    def _speed_param(speed: float | None) -> dict[str, Any]:
        if speed is None:
            return {}
        if not 0.0 <= speed <= 1.0:
            raise InvalidValue(f"speed {speed} is outside [0, 1]")
        return {"Speed": _vector(speed, speed, speed)}

    def _uri(self, reply: Any, operation: str) -> str:
        uri = getattr(reply, "Uri", None)
        if not uri:
            raise ProtocolError(f"{self.name}: {operation} returned no URI")
        return str(uri)
