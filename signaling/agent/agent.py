"""The room agent: joins its room's class by itself, with the room camera and microphones.

One loop: ask the server which class the room is in (schedule.py); with none, stay idle and
ask again; with one, join it with the room role, publish the camera and the capture device,
play the class's remote audio on the room's speakers, and stay until the class ends, the
schedule moves on, or the connection drops. Every failure to reach the server is retried with
exponential backoff, so a network drop or a server restart heals by itself.
"""

from __future__ import annotations

import asyncio
import logging
import time
from importlib.metadata import version
from dataclasses import dataclass, field
from typing import Literal

import httpx
from aiortc import MediaStreamTrack, RTCIceServer

from classroom.roles import Source
from devices.transport.policy import Backoff
from signaling.agent.audio import SILENCE_DBFS, MicrophoneTrack, Speakers
from signaling.agent.camera import RoomCamera
from signaling.agent.codecs import passable, video_preferences
from signaling.agent.schedule import Schedule, ScheduledClass, ScheduleRefused
from signaling.ws.client import ClassClient, ServerError, WebSocketChannel

logger = logging.getLogger(__name__)

State = Literal["starting", "idle", "joining", "in_class", "offline", "refused"]
KEEPALIVE_S = 15.0
PROBE_S = 3.0  # how long a join waits for the camera's first key frame (to offer its profile)


@dataclass
class AgentConfig:
    server: str  # http(s)://host:port
    room: str
    name: str = "Phòng học"
    microphone: str | int | None = None  # PortAudio device (name or index); None: default
    speakers: str | int | None = None
    audio: bool = True
    poll_interval: float = 10.0  # seconds between schedule checks
    report_interval: float = 10.0  # seconds between status reports to the server
    backoff: Backoff = field(default_factory=lambda: Backoff(0.5, 2.0, 15.0))
    ice_servers: list[RTCIceServer] = field(default_factory=list)


class _ClassOver(Exception):
    pass


class RoomAgent:
    def __init__(self, config: AgentConfig, schedule: Schedule, camera: RoomCamera | None):
        self.config = config
        self.schedule = schedule
        self.camera = camera
        self.state: State = "starting"
        self.detail = ""
        self.class_id: str | None = None
        self.joins = 0
        self.microphone: MicrophoneTrack | None = None
        self.speakers: Speakers | None = None
        self.joined_at: float | None = None
        self.audio_error: str | None = None  # why a capture or playback device could not open

    # ---- status ------------------------------------------------------------------------------

    def status(self) -> dict[str, object]:
        """What the agent reports (version, class, stream health, audio levels)."""
        return {
            "version": version("classbridge"),
            "room": self.config.room,
            "state": self.state,
            "detail": self.detail,
            "class_id": self.class_id,
            "video": self.camera.refresh_status().as_dict() if self.camera else None,
            "audio": {
                "capture_dbfs": self.microphone.level.dbfs if self.microphone else SILENCE_DBFS,
                "playback_dbfs": self.speakers.level.dbfs if self.speakers else SILENCE_DBFS,
                "error": self.audio_error,
            },
        }

    def _audio_failed(self, which: str, exc: Exception) -> None:
        self.audio_error = f"{which}: {exc}"
        logger.error("room agent: cannot open the %s: %s", which, exc)

    def _set(self, state: State, detail: str = "") -> None:
        if (state, detail) != (self.state, self.detail):
            logger.info("room agent: %s%s", state, f" ({detail})" if detail else "")
        self.state, self.detail = state, detail

    # ---- the loop ----------------------------------------------------------------------------

    async def run(self) -> None:
        if self.camera is not None:
            self.camera.start()
        if self.config.audio:
            try:
                self.speakers = Speakers(self.config.speakers)
            except (LookupError, OSError) as exc:  # the class still gets the camera and microphones
                self._audio_failed("speakers", exc)
        attempt = 0
        reporter = asyncio.create_task(self._report())
        try:
            while True:
                delay = self.config.poll_interval
                try:
                    now = await self.schedule.now()
                    attempt = 0
                    if now.class_ is None:
                        self._set("idle", f"next: {now.next.title}" if now.next else "")
                    else:
                        await self._attend(now.class_)
                        delay = 0  # ask again at once: the next class may already be due
                except ScheduleRefused as exc:
                    self._set("refused", str(exc))
                    delay = self.config.backoff.maximum
                except ServerError as exc:  # the class refused us (ended, not started yet...)
                    self._set("idle", str(exc))
                except _ClassOver as exc:
                    self._set("idle", str(exc))
                except (OSError, httpx.HTTPError, asyncio.TimeoutError, ConnectionError) as exc:
                    self._set("offline", f"{type(exc).__name__}: {exc}")
                    delay = self.config.backoff.delay(attempt)
                    attempt += 1
                except Exception as exc:  # e.g. websockets' ConnectionClosed: reconnect
                    logger.debug("room agent connection failed", exc_info=True)
                    self._set("offline", f"{type(exc).__name__}: {exc}")
                    delay = self.config.backoff.delay(attempt)
                    attempt += 1
                finally:
                    self.class_id = None
                if delay:
                    await asyncio.sleep(delay)
        finally:
            reporter.cancel()
            if self.speakers is not None:
                self.speakers.close()
            if self.camera is not None:
                self.camera.stop()

    async def _report(self) -> None:
        """The status to the server every `report_interval` (health in the technician console)."""
        while True:
            try:
                await self.schedule.report(self.status())
            except (httpx.HTTPError, OSError) as exc:
                logger.debug("status report failed: %s", exc)
            await asyncio.sleep(self.config.report_interval)

    async def _attend(self, scheduled: ScheduledClass) -> None:
        self._set("joining", scheduled.title or scheduled.id)
        ws_url = self.config.server.replace("http", "ws", 1).rstrip("/") + f"/ws/{scheduled.id}"
        channel = await asyncio.wait_for(WebSocketChannel.connect(ws_url), 15)
        # The room plays the class's audio; video is the LED-wall page's business: never decoded here.
        receive = frozenset({"audio"}) if self.config.audio else frozenset()
        client = ClassClient(channel, self.config.ice_servers, receive_kinds=receive)
        microphone: MicrophoneTrack | None = None
        try:
            # Announced as the agent when it plays the class in the room: the LED-wall page then
            # stays silent (no echo loop).
            await client.join(
                scheduled.join_token, name=self.config.name, lobby_timeout=24 * 3600,
                agent=self.speakers is not None,
            )  # fmt: skip
            tracks: list[tuple[MediaStreamTrack, Source]] = []
            if self.camera is not None:
                profile = await self.camera.probed(PROBE_S)
                client.video_preferences = video_preferences(profile)
                self.camera.negotiated_profile = profile.name if passable(profile) and profile else "constrained baseline"
                tracks.append((self.camera.track(), Source.CAMERA))
            if self.config.audio:
                try:
                    microphone = self.microphone = MicrophoneTrack(self.config.microphone)
                    tracks.append((microphone, Source.MICROPHONE))
                except (LookupError, OSError) as exc:  # the class still gets the camera
                    self._audio_failed("microphone", exc)
            if tracks:
                await client.publish(tracks)
            self.class_id = scheduled.id
            self.joins += 1
            self.joined_at = time.monotonic()
            self._set("in_class", scheduled.title or scheduled.id)
            await self._stay(client, scheduled)
        finally:
            self.microphone = None
            await client.close()
            if microphone is not None:
                microphone.stop()

    async def _stay(self, client: ClassClient, scheduled: ScheduledClass) -> None:
        """Until the class ends, the schedule names another class, or the connection drops."""
        events = asyncio.create_task(self._watch_events(client))
        tracks = asyncio.create_task(self._play_remote_audio(client))
        try:
            next_check = time.monotonic() + self.config.poll_interval
            next_ping = time.monotonic() + KEEPALIVE_S
            while not events.done():
                await asyncio.wait({events}, timeout=min(next_check, next_ping) - time.monotonic())
                if events.done():
                    break
                now = time.monotonic()
                if now >= next_ping:
                    await client.ping()
                    next_ping = now + KEEPALIVE_S
                if now >= next_check:
                    current = (await self.schedule.now()).class_
                    if current is None or current.id != scheduled.id:
                        raise _ClassOver("the schedule moved on")
                    next_check = now + self.config.poll_interval
            events.result()  # raises why we left
        finally:
            events.cancel()
            tracks.cancel()

    async def _watch_events(self, client: ClassClient) -> None:
        while True:
            message = await client.events.get()
            if message.type == "class_ended":
                raise _ClassOver("the class ended")
            if message.type == "closed":
                raise ConnectionError("the signaling connection closed")
            if message.type == "error":
                logger.info("room agent: server said %s", getattr(message, "message", message))

    async def _play_remote_audio(self, client: ClassClient) -> None:
        seen = -1
        while True:
            if self.speakers is not None and client.offers_received != seen:
                seen = client.offers_received
                for received in client.received():
                    if received.track.kind == "audio":
                        self.speakers.add(received.track)
            try:
                await asyncio.wait_for(client.subscriptions_changed(), 1.0)
            except asyncio.TimeoutError:
                pass
