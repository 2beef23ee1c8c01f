"""The room camera as one video track that never ends: passthrough, re-encode, or placeholder.

An RTSP camera is read with PyAV's demuxer (no decoder). When it sends H.264 in a profile the
relay negotiates (baseline, constrained baseline), each access unit goes out as an `av.Packet`:
aiortc then only repacketises it (RFC 6184), nothing is decoded or encoded. Otherwise the
packets are decoded here and aiortc encodes the frames ("re-encoded", with the reason in the
status). A local capture device (USB camera) goes through OpenCV and is always encoded.

When the stream drops, the track sends the placeholder key frame (placeholder.py) once a
second and reopens the stream with exponential backoff; viewers never lose the track.
Timestamps are rebased on every (re)connection so that the outgoing stream stays monotonic.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Literal, Protocol
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import av
from aiortc import MediaStreamTrack
from aiortc.mediastreams import MediaStreamError

from devices.transport.policy import Backoff
from signaling.agent import h264
from signaling.agent.codecs import passable
from signaling.agent.placeholder import placeholder_packet

logger = logging.getLogger(__name__)

VIDEO_CLOCK = 90000
TIME_BASE = Fraction(1, VIDEO_CLOCK)
PLACEHOLDER_INTERVAL = 1.0  # seconds between placeholder key frames while the camera is away
STALL_TIMEOUT = 5.0  # no packet for this long: the stream is lost
Mode = Literal["passthrough", "re-encoded"]
Item = av.Packet | av.VideoFrame


@dataclass
class StreamStatus:
    """What the technician needs to know about the room video (sent to the server as is)."""

    source: str  # the camera URL without credentials, or "capture device N"
    state: Literal["starting", "live", "lost"] = "starting"
    mode: Mode | None = None
    reason: str | None = None  # why re-encoded
    codec: str | None = None
    profile: str | None = None  # e.g. "constrained baseline 4.0 (42e028)"
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    bitrate_bps: int | None = None
    reconnects: int = 0
    frames: int = 0  # frames read from the camera since the agent started

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class OpenedStream(Protocol):
    """A camera stream being read: blocking calls, run in the camera's own thread."""

    codec: str
    width: int
    height: int
    parameter_sets: list[bytes]  # SPS/PPS from the session description (H.264), else []

    def read(self) -> av.Packet | av.VideoFrame: ...

    def decode(self, packet: av.Packet) -> list[av.VideoFrame]: ...

    def close(self) -> None: ...


class CameraSource(Protocol):
    description: str

    def open(self) -> OpenedStream: ...


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.username or parts.password:
        host = parts.hostname or ""
        if parts.port:
            host += f":{parts.port}"
        return urlunsplit((parts.scheme, host, parts.path, parts.query, ""))
    return url


class RtspStream:
    def __init__(self, container: av.container.InputContainer):
        self._container = container
        self._stream = container.streams.video[0]
        ctx = self._stream.codec_context
        self.codec = ctx.name
        self.width, self.height = ctx.width, ctx.height
        extradata = ctx.extradata or b""
        self.parameter_sets = h264.parameter_sets(h264.nal_units(extradata)) if extradata[:1] == b"\x00" else []
        self._packets = container.demux(self._stream)
        self._decoder: av.VideoCodecContext | None = None

    def read(self) -> av.Packet:
        while True:
            packet = next(self._packets)  # StopIteration / av.FFmpegError: the stream is gone
            if packet.size:
                return packet

    def decode(self, packet: av.Packet) -> list[av.VideoFrame]:
        if self._decoder is None:  # only on the re-encoding path
            decoder = av.CodecContext.create(self.codec, "r")
            assert isinstance(decoder, av.VideoCodecContext)
            decoder.extradata = self._stream.codec_context.extradata
            self._decoder = decoder
        return [f for f in self._decoder.decode(packet) if isinstance(f, av.VideoFrame)]

    def close(self) -> None:
        self._container.close()


class RtspSource:
    """An RTSP camera (over TCP: no UDP ports to open on the room PC's firewall)."""

    def __init__(self, url: str, timeout: float = 5.0):
        self.url = url
        self.timeout = timeout
        self.description = redact(url)

    def open(self) -> RtspStream:
        micros = str(int(self.timeout * 1_000_000))
        container = av.open(
            self.url,
            options={"rtsp_transport": "tcp", "timeout": micros, "fflags": "nobuffer"},
            timeout=self.timeout,
        )
        if not container.streams.video:
            container.close()
            raise ValueError(f"{self.description} has no video stream")
        return RtspStream(container)


class OnvifCameraSource:
    """A camera of the rooms file (`room-101/camera`): its RTSP address is asked from the camera
    over ONVIF (GetStreamUri) at every (re)connection, with the file's user and password."""

    def __init__(self, rooms_file: Path, ref: str, timeout: float = 5.0):
        self.rooms_file = rooms_file
        self.ref = ref
        self.timeout = timeout
        self.description = f"{ref} (ONVIF)"

    def open(self) -> RtspStream:
        url = asyncio.run(asyncio.wait_for(self.stream_url(), self.timeout * 3))
        return RtspSource(url, self.timeout).open()

    async def stream_url(self) -> str:
        from devices.commands import as_media_source
        from devices.registry import driver_class
        from devices.rooms_file import load_rooms
        from devices.rooms_file.device_config import password_of

        _, cfg = load_rooms(self.rooms_file).device(self.ref)
        device = driver_class(cfg.protocol).from_config(cfg)
        await device.start()
        try:
            uri = str(await as_media_source(device).stream_uri())
        finally:
            await device.stop()
        return with_credentials(uri, getattr(cfg, "username", None), password_of(cfg))  # type: ignore[arg-type]


def with_credentials(url: str, username: str | None, password: str | None) -> str:
    """The URL with the camera's user and password (ONVIF answers it without them)."""
    parts = urlsplit(url)
    if not username or parts.username:
        return url
    auth = quote(username, safe="") + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit((parts.scheme, f"{auth}@{parts.netloc}", parts.path, parts.query, parts.fragment))


class OpenCvStream:
    def __init__(self, capture: object, width: int, height: int):
        self._capture = capture
        self.codec = "raw"
        self.width, self.height = width, height
        self.parameter_sets: list[bytes] = []

    def read(self) -> av.VideoFrame:
        ok, image = self._capture.read()  # type: ignore[attr-defined]
        if not ok:
            raise EOFError("capture device stopped")
        return av.VideoFrame.from_ndarray(image, format="bgr24")

    def decode(self, packet: av.Packet) -> list[av.VideoFrame]:
        raise TypeError("a capture device gives frames")

    def close(self) -> None:
        self._capture.release()  # type: ignore[attr-defined]


class OpenCvSource:
    """A local capture device (a USB camera) by index or device path, through OpenCV."""

    def __init__(self, device: int | str, width: int = 1280, height: int = 720):
        self.device = device
        self.size = (width, height)
        self.description = f"capture device {device}"

    def open(self) -> OpenCvStream:
        import cv2

        capture = cv2.VideoCapture(self.device)
        if not capture.isOpened():
            raise OSError(f"cannot open {self.description}")
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
        return OpenCvStream(capture, width, height)


class _Rate:
    """Frames and bytes over the last few seconds."""

    def __init__(self, window: float = 2.0):
        self.window = window
        self._events: collections.deque[tuple[float, int, bool]] = collections.deque()

    def add(self, size: int, now: float, new_frame: bool) -> None:
        self._events.append((now, size, new_frame))
        while self._events and self._events[0][0] < now - self.window:
            self._events.popleft()

    def fps_and_bps(self, now: float) -> tuple[float, int]:
        recent = [e for e in self._events if e[0] >= now - self.window]
        if len(recent) < 2:
            return 0.0, 0
        span = max(recent[-1][0] - recent[0][0], 1e-3)
        frames = sum(1 for e in recent[1:] if e[2])
        return round(frames / span, 1), int(sum(e[1] for e in recent[1:]) * 8 / span)


class CameraFeed(MediaStreamTrack):
    """The room camera as one class's video track. aiortc stops a connection's tracks when
    the connection closes; the camera itself lives on for the next class."""

    kind = "video"

    def __init__(self, camera: "RoomCamera"):
        super().__init__()
        self._camera = camera

    async def recv(self) -> Item:  # type: ignore[override]
        if self.readyState != "live":
            raise MediaStreamError
        return await self._camera.next_item()


class RoomCamera:
    """The room's camera, read for as long as the agent runs: yields H.264 packets
    (passthrough, placeholder) or frames (re-encoded) to the class's `CameraFeed`."""

    def __init__(self, source: CameraSource, backoff: Backoff | None = None):
        self.source = source
        self.backoff = backoff or Backoff(0.5, 2.0, 10.0)
        self.status = StreamStatus(source=source.description)
        self.negotiated_profile: str | None = None  # profile name the relay accepted
        self.first_profile: h264.Profile | None = None  # of the first stream seen (for the offer)
        self._queue: asyncio.Queue[Item] = asyncio.Queue(maxsize=30)
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="room-camera")
        self._task: asyncio.Task[None] | None = None
        self._started_at = time.monotonic()
        self._last_pts = -1
        self._epoch: tuple[float, float] | None = None  # (source seconds, output seconds) at rebase
        self._rate = _Rate()
        self._probed = asyncio.Event()
        self._delivered = False

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def probed(self, timeout: float) -> h264.Profile | None:
        """Wait (a little) for the first connection, to offer the camera's own profile."""
        self.start()
        try:
            await asyncio.wait_for(self._probed.wait(), timeout)
        except asyncio.TimeoutError:
            pass
        return self.first_profile

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        self._thread.shutdown(wait=False)  # a read in progress ends, then the stream closes

    def track(self) -> CameraFeed:
        self.start()
        return CameraFeed(self)

    # ---- what the class's track pulls --------------------------------------------------------

    async def next_item(self) -> Item:
        self.start()
        while True:
            try:
                return await asyncio.wait_for(self._queue.get(), PLACEHOLDER_INTERVAL)
            except asyncio.TimeoutError:
                if self.status.state != "live":
                    return placeholder_packet(self._next_pts(None))

    # ---- reading the camera ------------------------------------------------------------------

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            stream: OpenedStream | None = None
            self._delivered = False
            try:
                stream = await loop.run_in_executor(self._thread, self.source.open)
                await self._pump(stream, loop)
            except asyncio.CancelledError:
                if stream is not None:  # in the reading thread, after the read in progress
                    self._thread.submit(stream.close)
                raise
            except Exception as exc:  # any failure of the camera or its network: retry
                logger.info("room camera %s: %s", self.source.description, exc or type(exc).__name__)
            finally:
                self._probed.set()
            if stream is not None:
                await loop.run_in_executor(self._thread, stream.close)
            self.status.state = "lost"
            self._epoch = None
            if self._delivered:
                attempt = 0
            delay = self.backoff.delay(attempt)
            attempt += 1
            self.status.reconnects += 1
            await asyncio.sleep(delay)

    async def _pump(self, stream: OpenedStream, loop: asyncio.AbstractEventLoop) -> None:
        """Forward one connection's stream until it fails (raises)."""
        self.status.codec, self.status.width, self.status.height = stream.codec, stream.width, stream.height
        parameter_sets = list(stream.parameter_sets)
        mode: Mode | None = None
        pending: list[bytes] = []  # NAL units of the access unit being gathered
        pending_seconds = -1.0
        while True:
            item = await asyncio.wait_for(loop.run_in_executor(self._thread, stream.read), STALL_TIMEOUT)
            now = time.monotonic()
            if isinstance(item, av.VideoFrame):  # capture device
                self._mark_live("re-encoded", "local capture device", None)
                self._rate.add(0, now, True)
                self.status.frames += 1
                self._put(self._stamp_frame(item, now))
                self._delivered = True
                continue
            data = bytes(item)
            seconds = float(item.pts * item.time_base) if item.pts is not None and item.time_base else now
            if mode is None:
                if stream.codec != "h264":
                    mode = self._mark_live("re-encoded", f"the camera sends {stream.codec}, not H.264", None)
                else:
                    units = h264.nal_units(data)
                    if not h264.is_keyframe(units):
                        continue  # start on a key frame, whatever the path
                    parameter_sets = h264.parameter_sets(units) or parameter_sets
                    profile = h264.find_profile(parameter_sets)
                    if self.first_profile is None:
                        self.first_profile = profile
                        self._probed.set()
                    mode = self._decide(profile)
            new_frame = seconds != pending_seconds
            self._rate.add(len(data), now, new_frame)
            self.status.frames += new_frame
            if mode == "passthrough":
                # The demuxer gives a frame's slices as separate packets: send whole access
                # units, or the RTP marker bit would end a frame in its middle.
                if new_frame and pending:
                    self._put(self._access_unit(pending, pending_seconds, parameter_sets))
                    pending = []
                pending += [u for u in h264.nal_units(data) if h264.nal_type(u) != h264.NAL_AUD]
            else:
                for frame in await loop.run_in_executor(self._thread, stream.decode, item):
                    self._put(self._stamp_frame(frame, seconds))
            pending_seconds = seconds
            self._delivered = True

    def _access_unit(self, units: list[bytes], seconds: float, parameter_sets: list[bytes]) -> av.Packet:
        packet = av.Packet(h264.annex_b(h264.with_parameter_sets(units, parameter_sets)))
        pts = self._next_pts(seconds)
        packet.pts, packet.dts, packet.time_base = pts, pts, TIME_BASE
        return packet

    def _decide(self, profile: h264.Profile | None) -> Mode:
        described = f"{profile.name} {profile.level} ({profile.profile_level_id})" if profile else None
        if not passable(profile):
            return self._mark_live("re-encoded", f"the relay does not take H.264 {profile.name if profile else '?'}", described)
        if self.negotiated_profile is not None and profile is not None and profile.name != self.negotiated_profile:
            return self._mark_live("re-encoded", f"the class negotiated {self.negotiated_profile}, the camera now sends {profile.name}", described)
        return self._mark_live("passthrough", None, described)

    def _mark_live(self, mode: Mode, reason: str | None, profile: str | None) -> Mode:
        if self.status.mode != mode or self.status.state != "live":
            logger.info("room camera %s: %s%s", self.source.description, mode, f" ({reason})" if reason else "")
        self.status.state, self.status.mode, self.status.reason = "live", mode, reason
        if profile is not None:
            self.status.profile = profile
        return mode

    def _put(self, item: Item) -> None:
        if self._queue.full():  # the sender fell behind: drop the oldest
            self._queue.get_nowait()
        self._queue.put_nowait(item)

    def _next_pts(self, source_seconds: float | None) -> int:
        """Output timestamp (90 kHz): follows the source's clock, rebased at each reconnection."""
        now = time.monotonic() - self._started_at
        if source_seconds is None:
            self._epoch = None
            pts = int(now * VIDEO_CLOCK)
        else:
            if self._epoch is None:
                self._epoch = (source_seconds, now)
            pts = int((self._epoch[1] + source_seconds - self._epoch[0]) * VIDEO_CLOCK)
        pts = max(pts, self._last_pts + 1)
        self._last_pts = pts
        return pts

    def _stamp_frame(self, frame: av.VideoFrame, source_seconds: float) -> av.VideoFrame:
        frame.pts = self._next_pts(source_seconds)
        frame.time_base = TIME_BASE
        return frame

    def refresh_status(self) -> StreamStatus:
        fps, bps = self._rate.fps_and_bps(time.monotonic())
        self.status.fps = fps if self.status.state == "live" else None
        self.status.bitrate_bps = bps if self.status.state == "live" else None
        return self.status
