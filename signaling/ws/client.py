"""A Python participant: speaks the signaling protocol and WebRTC through aiortc.

Used by the integration tests, the load harness and the room agent: it joins a class with a
join token, publishes tracks on its publish connection and receives what the relay offers on
its subscribe connection, exactly as the browser client does.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Protocol

from aiortc import (
    MediaStreamTrack,
    RTCBundlePolicy,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCRtpCodecCapability,
    RTCRtpSender,
    RTCRtpTransceiver,
    RTCSessionDescription,
)
from pydantic import BaseModel

from classroom.roles import Source
from signaling.ws.messages import (
    PROTOCOL_VERSION,
    LayerQuality,
    ClientAnswer,
    ClientOffer,
    Error,
    Join,
    Joined,
    Leave,
    Mute,
    Ping,
    Publish,
    ServerAnswer,
    ServerOffer,
    SubscribedTrack,
    TrackDeclaration,
    Unpublish,
    WaitingInLobby,
    parse_server_message,
)

logger = logging.getLogger(__name__)


class Channel(Protocol):
    """A message pipe to the server (a WebSocket, or an in-memory pair in tests)."""

    async def send(self, text: str) -> None: ...

    async def recv(self) -> str: ...

    async def close(self) -> None: ...


class WebSocketChannel:
    def __init__(self, connection: Any):
        self._ws = connection

    @classmethod
    async def connect(cls, url: str, **kwargs: Any) -> "WebSocketChannel":
        from websockets.asyncio.client import connect

        return cls(await connect(url, **kwargs))

    async def send(self, text: str) -> None:
        await self._ws.send(text)

    async def recv(self) -> str:
        message = await self._ws.recv()
        return message if isinstance(message, str) else message.decode()

    async def close(self) -> None:
        await self._ws.close()


class ServerError(Exception):
    def __init__(self, error: Error):
        super().__init__(f"{error.code.value}: {error.message}")
        self.error = error


@dataclass
class ReceivedTrack:
    info: SubscribedTrack
    track: MediaStreamTrack


class ClassClient:
    def __init__(
        self,
        channel: Channel,
        ice_servers: list[RTCIceServer] | None = None,
        timeout: float = 15.0,
        on_subscribe_connection: Callable[[RTCPeerConnection], None] | None = None,
        video_codec: str | None = None,
        receive_kinds: frozenset[str] = frozenset({"audio", "video"}),
    ):
        """`video_codec` ("video/H264", "video/VP8") restricts what this client publishes;
        m-lines of other kinds than `receive_kinds` are answered inactive (never decoded)."""
        self.channel = channel
        self.video_codec = video_codec
        self.receive_kinds = receive_kinds
        self.video_preferences: list[RTCRtpCodecCapability] = []  # exact codecs to offer, when set
        self._on_subscribe_connection = on_subscribe_connection
        self.timeout = timeout
        self._ice_servers = ice_servers or []
        self.joined: Joined | None = None
        self.waited: WaitingInLobby | None = None  # the lobby's `waiting`, when we waited there
        self.events: asyncio.Queue[Any] = asyncio.Queue()  # every server message but offer/answer
        self.publish_pc: RTCPeerConnection | None = None
        self.subscribe_pc: RTCPeerConnection | None = None
        self.subscribed: dict[str, SubscribedTrack] = {}  # by mid
        self.offers_received = 0
        self._answer: asyncio.Future[ServerAnswer] | None = None
        self._publish_lock = asyncio.Lock()
        self._subscribed_changed = asyncio.Event()
        self._reader: asyncio.Task[None] | None = None
        self._published: dict[str, RTCRtpTransceiver] = {}

    # ---- session --------------------------------------------------------------------------------

    async def join(
        self,
        token: str,
        name: str | None = None,
        client_id: str | None = None,
        lobby_timeout: float | None = None,
        agent: bool = False,
    ) -> Joined:
        """Join; from the lobby (`waiting` first) once the lecturer lets us in, within
        `lobby_timeout`. `agent`: the room agent announces itself (room links only)."""
        await self._send(
            Join(type="join", v=PROTOCOL_VERSION, token=token, name=name, client_id=client_id, agent=agent)
        )
        first = parse_server_message(await asyncio.wait_for(self.channel.recv(), self.timeout))
        if isinstance(first, WaitingInLobby):
            self.waited = first
            first = parse_server_message(await asyncio.wait_for(self.channel.recv(), lobby_timeout or self.timeout))
        if isinstance(first, Error):
            raise ServerError(first)
        if not isinstance(first, Joined):
            raise RuntimeError(f"expected 'joined', got {first.type!r}")
        self.joined = first
        if not self._ice_servers:  # as a browser does: the servers (and TURN credentials) of the reply
            self.use_ice_servers(
                [RTCIceServer(urls=s.urls, username=s.username, credential=s.credential) for s in first.ice_servers]
            )
        self._reader = asyncio.create_task(self._read_loop())
        return first

    def use_ice_servers(self, servers: list[RTCIceServer]) -> None:
        """The STUN/TURN servers of connections made from now on."""
        self._ice_servers = list(servers)

    async def close(self) -> None:
        try:
            await self._send(Leave(type="leave"))
        except Exception:
            pass
        if self._reader is not None:
            self._reader.cancel()
        for pc in (self.publish_pc, self.subscribe_pc):
            if pc is not None:
                await pc.close()
        await self.channel.close()

    async def ping(self) -> None:
        await self._send(Ping(type="ping"))

    async def next_event(self, type_: str, timeout: float | None = None) -> Any:
        """The next server message of this type (others are dropped while waiting)."""
        async def wait() -> Any:
            while True:
                message = await self.events.get()
                if message.type == type_:
                    return message

        return await asyncio.wait_for(wait(), timeout or self.timeout)

    # ---- publishing ------------------------------------------------------------------------------

    async def publish(
        self,
        tracks: list[tuple[MediaStreamTrack, Source]],
        layers: Mapping[str, tuple[str, LayerQuality]] | None = None,
    ) -> None:
        """`layers`: track id → (the high track's id, quality) for lower layers of a camera."""
        layers = layers or {}
        async with self._publish_lock:
            pc = self.publish_pc = self.publish_pc or RTCPeerConnection(self._configuration())
            await self._send(
                Publish(
                    type="publish",
                    tracks=[
                        TrackDeclaration(
                            track_id=t.id,
                            source=s,
                            layer_of=layers[t.id][0] if t.id in layers else None,
                            quality=layers[t.id][1] if t.id in layers else "high",
                        )
                        for t, s in tracks
                    ],
                )
            )
            for track, _ in tracks:
                transceiver = pc.addTransceiver(track, direction="sendonly")
                if track.kind == "video" and self.video_preferences:
                    transceiver.setCodecPreferences(self.video_preferences)
                elif track.kind == "video" and self.video_codec is not None:
                    transceiver.setCodecPreferences(
                        [c for c in RTCRtpSender.getCapabilities("video").codecs if c.mimeType in (self.video_codec, "video/rtx")]
                    )
                self._published[track.id] = transceiver
            await self._negotiate_publish(pc)

    async def unpublish(self, track: MediaStreamTrack) -> None:
        async with self._publish_lock:
            transceiver = self._published.pop(track.id)
            await self._send(Unpublish(type="unpublish", track_ids=[track.id]))
            assert self.publish_pc is not None
            transceiver.direction = "inactive"  # aiortc has no removeTrack
            track.stop()
            await self._negotiate_publish(self.publish_pc)

    async def mute(self, track: MediaStreamTrack, muted: bool) -> None:
        await self._send(Mute(type="mute", track_id=track.id, muted=muted))

    async def _negotiate_publish(self, pc: RTCPeerConnection) -> None:
        offer = await pc.createOffer()
        await pc.setLocalDescription(offer)
        self._answer = asyncio.get_running_loop().create_future()
        await self._send(ClientOffer(type="offer", transport="publish", sdp=pc.localDescription.sdp))
        answer = await asyncio.wait_for(self._answer, self.timeout)
        await pc.setRemoteDescription(RTCSessionDescription(answer.sdp, "answer"))

    # ---- receiving -------------------------------------------------------------------------------

    def received(self) -> list[ReceivedTrack]:
        """The tracks the relay currently sends us, with whose they are."""
        pc = self.subscribe_pc
        if pc is None:
            return []
        out = []
        for transceiver in pc.getTransceivers():
            info = self.subscribed.get(transceiver.mid or "")
            if info is not None and transceiver.receiver.track is not None:
                out.append(ReceivedTrack(info, transceiver.receiver.track))
        return out

    async def wait_for_track(self, participant_id: str, source: Source, timeout: float | None = None) -> ReceivedTrack:
        async def wait() -> ReceivedTrack:
            while True:
                for received in self.received():
                    if received.info.participant_id == participant_id and received.info.source == source:
                        return received
                self._subscribed_changed.clear()
                await self._subscribed_changed.wait()

        return await asyncio.wait_for(wait(), timeout or self.timeout)

    async def subscriptions_changed(self) -> None:
        """Return after the next offer from the relay has been answered."""
        self._subscribed_changed.clear()
        await self._subscribed_changed.wait()

    async def _on_offer(self, offer: ServerOffer) -> None:
        if offer.fresh or self.subscribe_pc is None:
            if self.subscribe_pc is not None:
                await self.subscribe_pc.close()
            self.subscribe_pc = RTCPeerConnection(self._configuration())
        pc = self.subscribe_pc
        await pc.setRemoteDescription(RTCSessionDescription(offer.sdp, "offer"))
        self.subscribed = {t.mid: t for t in offer.tracks}
        for transceiver in pc.getTransceivers():
            if transceiver.kind not in self.receive_kinds:
                transceiver.direction = "inactive"
        answer = await pc.createAnswer()
        await pc.setLocalDescription(answer)
        if offer.fresh and self._on_subscribe_connection is not None:
            self._on_subscribe_connection(pc)  # its sockets exist now; no media has arrived yet
        await self._send(ClientAnswer(type="answer", transport="subscribe", sdp=pc.localDescription.sdp))
        self.offers_received += 1
        self._subscribed_changed.set()

    # ---- plumbing --------------------------------------------------------------------------------

    def _configuration(self) -> RTCConfiguration:
        return RTCConfiguration(iceServers=self._ice_servers, bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)

    async def _send(self, message: BaseModel) -> None:
        await self.channel.send(message.model_dump_json(exclude_none=True))

    async def send(self, message: BaseModel) -> None:
        """Any client message (chat, hand, floor, moderation...)."""
        await self._send(message)

    async def send_raw(self, data: Any) -> None:
        """Send anything (tests of bad input)."""
        await self.channel.send(data if isinstance(data, str) else json.dumps(data))

    async def _read_loop(self) -> None:
        try:
            while True:
                message = parse_server_message(await self.channel.recv())
                if isinstance(message, ServerOffer):
                    await self._on_offer(message)
                elif isinstance(message, ServerAnswer):
                    if self._answer is not None and not self._answer.done():
                        self._answer.set_result(message)
                else:
                    if isinstance(message, Error) and self._answer is not None and not self._answer.done():
                        if message.ref == "offer":
                            self._answer.set_exception(ServerError(message))
                    self.events.put_nowait(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.debug("signaling channel closed: %s", exc)
            self.events.put_nowait(_Closed(type="closed"))


class _Closed(BaseModel):
    type: str
