"""One ONVIF camera's services: set up in a fixed order, then called with our own time limit.

The order follows Home Assistant's ONVIF integration (homeassistant/components/onvif/
device.py): clock first (GetSystemDateAndTime needs no auth, and a camera whose clock is off
rejects WS-Security digests, so the skew decides whether timestamps are adjusted), then the
service addresses (GetServices, falling back to GetCapabilities inside onvif-zeep-async),
device information, media profiles (the configured one, or the first H.264 one) and finally
the PTZ node. Every network call goes through `errors.bounded`; the library itself would wait
90 s. All SOAP stays inside onvif-zeep-async; its exceptions are translated in errors.py.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from onvif import ONVIFCamera
from onvif.exceptions import ONVIFError

from devices.drivers.base import LinkState
from devices.errors import (
    AuthError,
    ConfigError,
    DeviceError,
    DeviceRefused,
    ProtocolError,
    Unsupported,
)
from devices.onvif.errors import bounded, translate
from devices.onvif.link import OnvifLink
from devices.onvif.models import DeviceInformation, MediaProfile

log = logging.getLogger(__name__)

# Home Assistant warns from 5 s of skew on; digests fail once it passes the camera's window.
SKEW_THRESHOLD = 5.0
# update_xaddrs may take three round trips (clock when adjusting, GetServices, GetCapabilities).
XADDRS_CALLS = 3

T = TypeVar("T")


class OnvifSession:
    def __init__(
        self,
        host: str,
        port: int,
        username: str | None,
        password: str | None,
        *,
        name: str | None = None,
        timeout: float = 2.0,
        profile: str | None = None,
        adjust_time: bool | None = None,
        offline_after: int = 3,
    ) -> None:
        self.host, self.port = host, port
        self._username, self._password = username, password
        self.timeout = timeout
        self._wanted_profile = profile
        self._adjust_time = adjust_time
        self.link = OnvifLink(name or f"onvif {host}:{port}", offline_after=offline_after)
        self._camera: ONVIFCamera | None = None
        self._services: dict[str, Any] = {}
        self._setup_lock = asyncio.Lock()
        self.clock_skew: float | None = None  # camera clock minus ours, seconds
        self.time_adjusted = False
        self.info: DeviceInformation | None = None
        self.profiles: list[MediaProfile] = []
        self.profile: MediaProfile | None = None
        self.ptz_node: Any = None
        self.presets_listed: int | None = None  # GetPresets at setup, when GetNodes failed

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def xaddrs(self) -> dict[str, str]:
        return dict(self._camera.xaddrs) if self._camera is not None else {}

    async def setup(self) -> None:
        """Run the ordered setup (again); on failure the link is offline and the error raised."""
        async with self._setup_lock:
            await self._setup_now()

    async def ensure(self) -> None:
        """Set the camera up if it is not (first use, or after the link went offline); calls
        arriving meanwhile wait for that one setup."""
        if self._camera is None:
            async with self._setup_lock:
                if self._camera is None:
                    await self._setup_now()

    async def _setup_now(self) -> None:
        self.link.setting_up()
        await self.close()
        camera = _camera_keeping_proxy_settings(self.host, self.port, self._username, self._password)
        try:
            await self._setup(camera)
        except BaseException as exc:  # cancelled too: never leave the library's sessions open
            self.link.set_up(exc if isinstance(exc, DeviceError) else DeviceError(f"setup interrupted: {exc!r}"))
            self._services = {}
            await camera.close()
            raise
        self._camera = camera  # only now may calls use the services
        self.link.set_up(None)

    async def _setup(self, camera: ONVIFCamera) -> None:
        self._services["devicemgmt"] = await camera.create_devicemgmt_service()
        self.clock_skew = await self.measure_skew()
        self.time_adjusted = self._adjust_time is True or (
            self._adjust_time is None and self.clock_skew is not None and abs(self.clock_skew) >= SKEW_THRESHOLD
        )
        camera.adjust_time = self.time_adjusted
        if self.time_adjusted:
            log.warning("%s: camera clock is off by %.0f s; adjusting WS-Security timestamps",
                        self.where, self.clock_skew or 0.0)
        await bounded(camera.update_xaddrs(), XADDRS_CALLS * self.timeout, f"GetServices on {self.where}")
        self._services["devicemgmt"] = await camera.create_devicemgmt_service()
        self.info = DeviceInformation.from_reply(await self._call("devicemgmt", "GetDeviceInformation"))
        self._services["media"] = await self._create(camera, "media")
        replies = await self._call("media", "GetProfiles")
        self.profiles = [MediaProfile.from_reply(p) for p in replies or []]
        self.profile = self._choose_profile()
        self.ptz_node = None
        self.presets_listed = None
        if self.profile is not None and self.profile.ptz:
            try:
                self._services["ptz"] = await self._create(camera, "ptz")
            except (ProtocolError, DeviceRefused, Unsupported) as error:
                log.warning("%s: no PTZ service: %s", self.where, error)
                return
            try:
                nodes = await self._call("ptz", "GetNodes")
                self.ptz_node = nodes[0] if nodes else None
            except (ProtocolError, DeviceRefused, Unsupported) as error:
                # Optional detail: PTZ works without the node; try whether presets do.
                log.warning("%s: PTZ node unavailable: %s", self.where, error)
                self.presets_listed = await self._probe_presets(self.profile.token)

    async def _probe_presets(self, profile: str) -> int | None:
        """How many presets GetPresets lists; None when the camera does not do presets."""
        try:
            listed = await self._call("ptz", "GetPresets", {"ProfileToken": profile})
        except (ProtocolError, DeviceRefused, Unsupported) as error:
            log.info("%s: no presets: %s", self.where, error)
            return None
        return len(listed or [])

    async def capabilities(self) -> dict[str, Any]:
        """GetCapabilities(Category=All) as plain data (the library caches it per setup)."""

        async def get() -> Any:
            assert self._camera is not None  # set up by _recorded
            return await bounded(self._camera.get_capabilities(), self.timeout, f"GetCapabilities on {self.where}")

        return await self._recorded(get) or {}

    @staticmethod
    async def _create(camera: ONVIFCamera, service: str) -> Any:
        """A service client. No network here: the WSDL comes from the package (parsed once per
        process, which can take a while on a busy machine), so our time limit does not apply."""
        try:
            return await getattr(camera, f"create_{service}_service")()
        except ONVIFError as error:
            translated = translate(error, f"{service} service")
            if translated is None:
                raise
            raise translated from error

    def _choose_profile(self) -> MediaProfile | None:
        if self._wanted_profile is not None:
            chosen = next((p for p in self.profiles if p.token == self._wanted_profile), None)
            if chosen is None:
                known = ", ".join(p.token for p in self.profiles) or "none"
                raise ConfigError(
                    f"profile: camera at {self.where} has no media profile {self._wanted_profile!r} (it has: {known})"
                )
            return chosen
        h264 = [p for p in self.profiles if (p.encoding or "").upper() == "H264"]
        candidates = h264 or self.profiles
        return candidates[0] if candidates else None

    async def measure_skew(self) -> float | None:
        """Camera clock minus ours in seconds, from GetSystemDateAndTime (first without auth, as
        ONVIF allows; AXIS cameras want auth on every call). None if the camera will not say."""
        service = self._services["devicemgmt"]
        what = f"GetSystemDateAndTime on {self.where}"
        try:
            reply = await bounded(service.authless_GetSystemDateAndTime(), self.timeout, what)
        except (AuthError, DeviceRefused, Unsupported, ProtocolError):
            try:
                reply = await self._call("devicemgmt", "GetSystemDateAndTime")
            except (DeviceRefused, Unsupported, ProtocolError):
                return None
        utc: Any = getattr(reply, "UTCDateTime", None)
        try:
            camera_now = dt.datetime(
                utc.Date.Year, utc.Date.Month, utc.Date.Day,
                utc.Time.Hour, utc.Time.Minute, utc.Time.Second, tzinfo=dt.UTC,
            )
        except (AttributeError, TypeError, ValueError):
            return None
        return (camera_now - dt.datetime.now(dt.UTC)).total_seconds()

    async def check_clock(self) -> float | None:
        """The health poll (Home Assistant's keepalive): measure the skew again."""
        self.clock_skew = await self._recorded(self.measure_skew)
        return self.clock_skew

    def service(self, name: str) -> Any:
        try:
            return self._services[name]
        except KeyError:
            raise Unsupported(f"camera at {self.where} offers no {name} service") from None

    async def _call(self, service: str, operation: str, params: dict[str, Any] | None = None) -> Any:
        method = getattr(self.service(service), operation)
        return await bounded(method(params), self.timeout, f"{operation} on {self.where}")

    async def call(self, service: str, operation: str, params: dict[str, Any] | None = None) -> Any:
        """One SOAP operation; sets the camera up again first if the link went offline."""
        return await self._recorded(lambda: self._call(service, operation, params))

    async def _recorded(self, exchange: Callable[[], Awaitable[T]]) -> T:
        """Set up if needed, run `exchange` and record its outcome on the link; once the link
        is offline, drop the services so that the next call sets up anew."""
        await self.ensure()
        try:
            result = await exchange()
        except DeviceError as error:
            if self.link.outcome(error) is LinkState.OFFLINE:
                await self.close()
            raise
        self.link.outcome(None)
        return result

    async def shutdown(self) -> None:
        await self.close()
        self.link.stopped()

    async def close(self) -> None:
        """Close every HTTP session the library opened (it leaks them otherwise)."""
        camera, self._camera = self._camera, None
        self._services = {}
        if camera is not None:
            await camera.close()


def _camera_keeping_proxy_settings(host: str, port: int, username: str | None, password: str | None) -> ONVIFCamera:
    """ONVIFCamera() pops http_proxy/https_proxy from the whole process's environment; put them
    back. Its aiohttp sessions do not read the environment (trust_env is off), so cameras are
    reached directly either way, and the rest of classbridge keeps its settings."""
    saved = {key: os.environ[key] for key in ("http_proxy", "https_proxy") if key in os.environ}
    try:
        return ONVIFCamera(host, port, username, password, no_cache=True)
    finally:
        os.environ.update(saved)
