"""`ViscaCamera`: the Camera facade over VISCA on a serial line, raw TCP or UDP 52381.

The driver turns facade calls into catalog commands and lets a `DeviceLink` carry them. What
differs per transport is the framing, kept in two small strategies: raw packets (serial, and
TCP as PTZOptics cameras speak it; on a serial line Address Set and IF_Clear run at every
connect) and VISCA over IP (an 8-byte header with sequence numbers; the sequence is reset at
connect and again when the camera reports a sequence error, then the packet is resent once;
a datagram that gets no answer in time is resent once with the same sequence number, and when
that too goes unanswered the sequence is reset, as Sony's VISCA-over-IP manual asks).
"""

from __future__ import annotations

import contextlib
from typing import Any, Protocol

from devices.rooms_file.device_config import ViscaCameraConfig
from devices.drivers.base import (
    CameraCapabilities,
    DeviceKind,
    DeviceStatus,
    PanTiltZoom,
)
from devices.errors import ConfigError, DeviceError, DeviceOffline, DeviceTimeout, InvalidValue
from devices.transport.connectors import Connector, connector_for
from devices.transport.exchange import Requester
from devices.transport.link import DeviceLink
from devices.transport.policy import LinkPolicy
from devices.visca.catalog import CATALOG, PAN_SPEED, POSITION, TILT_SPEED, ZOOM, Value
from devices.visca.errors import SequenceNumberError
from devices.visca.exchange import (
    IpReplyMatcher,
    ReplyMatcher,
    accept_address_set,
    accept_if_clear,
)
from devices.visca.ip import SEQUENCE_LIMIT, IpDecoder, IpPacket, PayloadType
from devices.visca.packet import (
    ADDRESS_SET_BODY,
    BROADCAST,
    IF_CLEAR_BODY,
    AddressSetReply,
    Completion,
    Packet,
    parse_reply,
    raw_decoder,
)

IP_RESENDS = 1  # UDP: resends of an unanswered datagram, same sequence number (Sony)
MOTION_FACTOR = 5  # preset recall / home: some cameras complete only once there, so wait longer
ZOOM_SPEEDS = 7  # variable zoom speed p is 0..7


class Framing(Protocol):
    """How packets are framed and matched on one kind of transport; owns the link."""

    def open(self, name: str, connector: Connector, policy: LinkPolicy) -> DeviceLink[Any]: ...

    async def send(self, body: bytes, inquiry: bool, timeout: float | None) -> Completion: ...


class RawFraming:
    """Packets as they are on the wire: serial lines and PTZOptics-style raw TCP."""

    def __init__(self, address: int, serial_line: bool) -> None:
        self.address = address
        self.serial_line = serial_line
        self._link: DeviceLink[Packet] | None = None

    def open(self, name: str, connector: Connector, policy: LinkPolicy) -> DeviceLink[Packet]:
        self._link = DeviceLink(
            name, connector, raw_decoder, policy=policy, on_connect=self.on_connect
        )
        return self._link

    async def on_connect(self, channel: Requester[Packet]) -> None:
        if not self.serial_line:
            return
        frames = await channel.request(
            Packet(BROADCAST, ADDRESS_SET_BODY).serialize(), accept_address_set
        )
        reply = parse_reply(frames[-1])
        assert isinstance(reply, AddressSetReply)
        cameras = reply.next_address - 1
        if self.address > cameras:
            raise ConfigError(
                f"camera address {self.address} is configured, "
                f"but Address Set found {cameras} camera(s) on the line"
            )
        await channel.request(Packet(BROADCAST, IF_CLEAR_BODY).serialize(), accept_if_clear)

    async def send(self, body: bytes, inquiry: bool, timeout: float | None) -> Completion:
        assert self._link is not None, "open() first"
        matcher = ReplyMatcher(self.address, inquiry)
        data = Packet.command(self.address, body).serialize()
        await self._link.request(data, matcher, timeout=timeout)
        assert matcher.completion is not None
        return matcher.completion


class IpFraming:
    """Sony VISCA over IP: header, growing sequence numbers, reset on start and on error."""

    def __init__(self, address: int) -> None:
        self.address = address
        self._seq = 0
        self._link: DeviceLink[IpPacket] | None = None

    def open(self, name: str, connector: Connector, policy: LinkPolicy) -> DeviceLink[IpPacket]:
        self._link = DeviceLink(
            name, connector, IpDecoder, policy=policy, on_connect=self.on_connect
        )
        return self._link

    def _next_seq(self) -> int:
        self._seq = (self._seq + 1) % SEQUENCE_LIMIT
        return self._seq

    async def on_connect(self, channel: Requester[IpPacket]) -> None:
        seq = self._next_seq()
        await channel.request(IpPacket.reset(seq).serialize(), IpReplyMatcher(seq, None))

    async def send(self, body: bytes, inquiry: bool, timeout: float | None) -> Completion:
        try:
            return await self._send_once(body, inquiry, timeout)
        except SequenceNumberError:  # another controller, or a camera reboot: resync, resend
            assert self._link is not None
            await self.on_connect(self._link)
            return await self._send_once(body, inquiry, timeout)

    async def _send_once(self, body: bytes, inquiry: bool, timeout: float | None) -> Completion:
        """Send one packet; UDP loses datagrams, so an unanswered one is resent with the same
        sequence number (the camera answers a repeat without acting twice on it), and after
        the last resend the sequence is reset so that the next packet starts in step."""
        link = self._link
        assert link is not None, "open() first"
        kind = PayloadType.INQUIRY if inquiry else PayloadType.COMMAND
        seq = self._next_seq()
        data = IpPacket(kind, seq, Packet.command(self.address, body).serialize()).serialize()
        resends = 0
        while True:
            matcher = ReplyMatcher(self.address, inquiry)
            try:
                await link.request(data, IpReplyMatcher(seq, matcher), timeout=timeout)
            except DeviceTimeout:
                if resends < IP_RESENDS:
                    resends += 1
                    continue
                with contextlib.suppress(DeviceError):
                    await self.on_connect(link)  # reset the sequence: the next packet starts in step
                raise
            assert matcher.completion is not None
            return matcher.completion


class ViscaCamera:
    """A VISCA PTZ camera behind the `Camera` facade."""

    kind = DeviceKind.CAMERA

    def __init__(
        self,
        name: str,
        connector: Connector,
        framing: Framing,
        *,
        preset_slots: int = 16,
        policy: LinkPolicy | None = None,
    ) -> None:
        self.name = name
        self.capabilities = CameraCapabilities(
            pan_tilt=True,
            zoom=True,
            presets=preset_slots,
            absolute_position=True,
            home=True,
            power=True,
        )
        self._framing = framing
        policy = policy or LinkPolicy()
        self._motion_timeout = MOTION_FACTOR * policy.timeout
        self.link = framing.open(name, connector, policy)

    @classmethod
    def from_config(
        cls, cfg: ViscaCameraConfig, *, policy: LinkPolicy | None = None
    ) -> ViscaCamera:
        framing: Framing
        if cfg.link.transport == "udp":
            framing = IpFraming(cfg.address)
        else:
            framing = RawFraming(cfg.address, serial_line=cfg.link.transport == "serial")
        return cls(
            cfg.name,
            connector_for(cfg.link),
            framing,
            preset_slots=cfg.presets,
            policy=policy or LinkPolicy(timeout=cfg.timeout, connect_timeout=3 * cfg.timeout),
        )

    async def start(self) -> None:
        await self.link.start()

    async def stop(self) -> None:
        await self.link.stop()

    async def _run(self, name: str, timeout: float | None = None, **values: Value) -> Completion:
        spec = CATALOG[name]
        return await self._framing.send(spec.encode(**values), spec.inquiry, timeout)

    async def _inquire(self, name: str) -> dict[str, Value]:
        completion = await self._run(name)
        return CATALOG[name].decode_reply(completion.data)

    # Camera facade ----------------------------------------------------------------------------

    async def move(self, pan_speed: float, tilt_speed: float) -> None:
        _check_speed(pan_speed, "pan speed")
        _check_speed(tilt_speed, "tilt speed")
        horizontal = "left" if pan_speed < 0 else "right" if pan_speed > 0 else ""
        vertical = "down" if tilt_speed < 0 else "up" if tilt_speed > 0 else ""
        direction = "_".join(part for part in (vertical, horizontal) if part) or "stop"
        await self._run(
            "pan_tilt_drive",
            pan_speed=_scale(pan_speed, PAN_SPEED.lo, PAN_SPEED.hi),
            tilt_speed=_scale(tilt_speed, TILT_SPEED.lo, TILT_SPEED.hi),
            direction=direction,
        )

    async def stop_move(self) -> None:
        await self.move(0.0, 0.0)

    async def zoom(self, speed: float) -> None:
        _check_speed(speed, "zoom speed")
        if speed == 0:
            await self._run("zoom_stop")
            return
        name = "zoom_tele_variable" if speed > 0 else "zoom_wide_variable"
        await self._run(name, speed=_scale(speed, 0, ZOOM_SPEEDS))

    async def recall_preset(self, preset: int) -> None:
        self._check_preset(preset)
        await self._run("preset_recall", timeout=self._motion_timeout, preset=preset)

    async def save_preset(self, preset: int) -> None:
        self._check_preset(preset)
        await self._run("preset_set", preset=preset)

    async def home(self) -> None:
        await self._run("pan_tilt_home", timeout=self._motion_timeout)

    async def position(self) -> PanTiltZoom:
        """Pan and tilt in the camera's signed steps, zoom in its 0..0x4000 units."""
        pan_tilt = await self._inquire("pan_tilt_position_inquiry")
        zoom = await self._inquire("zoom_position_inquiry")
        return PanTiltZoom(float(pan_tilt["pan"]), float(pan_tilt["tilt"]), float(zoom["position"]))

    async def go_to(self, where: PanTiltZoom) -> None:
        """Absolute pan/tilt at full speed, then direct zoom; steps as `position` reports them.

        Every value is checked before anything moves: a fraction (a position in another
        camera's units, such as ONVIF's -1..1) is refused, never rounded to step 0."""
        pan = _steps(where.pan, "pan", POSITION.lo, POSITION.hi)
        tilt = _steps(where.tilt, "tilt", POSITION.lo, POSITION.hi)
        zoom = _steps(where.zoom, "zoom", ZOOM.lo, ZOOM.hi)
        await self._run(
            "pan_tilt_absolute",
            timeout=self._motion_timeout,
            pan_speed=PAN_SPEED.hi,
            tilt_speed=TILT_SPEED.hi,
            pan=pan,
            tilt=tilt,
        )
        await self._run("zoom_direct", timeout=self._motion_timeout, position=zoom)

    async def set_power(self, on: bool) -> None:
        await self._run("power", state="on" if on else "standby")

    async def status(self) -> DeviceStatus:
        """Power and position now; an offline or silent camera gives a status, not an error."""
        power: bool | None = None
        values: dict[str, object] = {}
        failure: DeviceError | None = None
        try:
            power = (await self._inquire("power_inquiry"))["state"] == "on"
            if power:
                where = await self.position()
                values = {"pan": where.pan, "tilt": where.tilt, "zoom": where.zoom}
        except (DeviceOffline, DeviceTimeout, ConfigError) as exc:
            failure = exc
        detail = str(failure) if failure else self.link.detail
        return DeviceStatus(
            link=self.link.state, power=power, detail=detail, values=values, error=failure
        )

    def _check_preset(self, preset: int) -> None:
        if not 0 <= preset < self.capabilities.presets:
            raise InvalidValue(
                f"preset must be 0..{self.capabilities.presets - 1} (the camera's own numbers)"
            )


def _check_speed(speed: float, what: str) -> None:
    if not -1.0 <= speed <= 1.0:
        raise InvalidValue(f"{what} must be in -1..1, not {speed}")


def _steps(value: float, what: str, lo: int, hi: int) -> int:
    """A position in the camera's own steps: a whole number within the camera's range."""
    if value != int(value) or not lo <= value <= hi:
        raise InvalidValue(
            f"{what} must be a whole number of the camera's steps in {lo}..{hi}, not {value:g}"
        )
    return int(value)


def _scale(speed: float, lo: int, hi: int) -> int:
    """|speed| in 0..1 onto lo..hi, never below lo (VISCA has no speed 0 for a moving axis)."""
    return max(lo, min(hi, round(abs(speed) * hi)))
