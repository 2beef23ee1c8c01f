"""The shard side of a sharded class: mirror tracks and the subscribers' peers it hosts.

A `ShardHost` serves one home worker over one channel. Each exported track becomes a mirror
`UpTrack` fed from the datagrams (same sequence numbers, timestamps and arrival times as at
home: the monotonic clock is the machine's), so the subscribers' `DownTrack`s here rewrite,
answer NACKs from their own cache and detect key frames exactly as they would at home. Their
key frame requests go back to the home's publisher; their subscribe offers go to the
participant through the home worker, which holds its signaling connection.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Awaitable, Callable, Coroutine

from classroom.participant_media import MediaPeerFactory, NegotiationError, OfferSender, ParticipantMedia
from classroom.relay.adaptation import LinkReport
from classroom.relay.forwarding import CodecSpec, UpTrack
from classroom.relay.layers import Priority, Quality
from classroom.relay.keyframe_requests import Scheduler
from classroom.relay.shards.export import continue_from
from classroom.relay.shards.wire import (
    MAX_TILES,
    Adapt,
    Answer,
    Candidate,
    ClosePeer,
    Control,
    Failure,
    KeyframeRequest,
    Link,
    MediaPacket,
    Offer,
    Result,
    SaveData,
    SenderReport,
    Subscribe,
    TrackClosed,
    TrackOpen,
    Unsubscribe,
    ViewSizes,
    WireError,
    decode,
    encode_control,
)

logger = logging.getLogger(__name__)

MAX_TRACKS = 1024  # mirror tracks one home may open here
MAX_PEERS = 4096
LINK_REPEAT_S = 1.0  # an unchanged link report goes home at most this often


class ShardHost:
    """What one home worker placed on this shard: mirror tracks and hosted peers."""

    def __init__(
        self,
        send_control: Callable[[bytes], None],
        peers: MediaPeerFactory,
        schedule: Scheduler,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._send = send_control
        self._factory = peers
        self._schedule = schedule
        self._clock = clock
        self.tracks: dict[int, UpTrack] = {}
        self.peers: dict[str, ParticipantMedia] = {}
        self.malformed = 0
        self._links_sent: dict[str, tuple[Link, float]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def on_datagram(self, datagram: bytes) -> None:
        try:
            message = decode(datagram)
        except WireError as exc:
            self.malformed += 1
            logger.warning("shard: dropping a malformed datagram from home: %s", exc)
            return
        if isinstance(message, MediaPacket):
            up = self.tracks.get(message.track)
            if up is not None:
                up.on_packet(message.seq, message.ts, message.marker, message.payload, message.arrival)
            return
        self.on_control(message)

    def on_control(self, message: Control) -> None:
        match message:
            case TrackOpen():
                self._open(message)
            case TrackClosed(track=track):
                if (up := self.tracks.pop(track, None)) is not None:
                    up.close()
            case SenderReport(track=track, ntp=ntp, rtp=rtp, arrival=arrival):
                if (up := self.tracks.get(track)) is not None:
                    up.on_sender_report(ntp, rtp, arrival)
            case Subscribe():
                self._subscribe(message)
            case Unsubscribe(peer=peer, publisher=publisher, track_id=track_id):
                if (media := self.peers.get(peer)) is not None:
                    media.unsubscribe((publisher, track_id))
            case Adapt():
                self._adapt(message)
            case ViewSizes(peer=peer, tiles=tiles):
                if (media := self.peers.get(peer)) is not None:
                    media.set_view({track_id: (width, height) for track_id, width, height in tiles})
            case SaveData(peer=peer, on=on):
                if (media := self.peers.get(peer)) is not None:
                    media.set_save_data(on)
            case Answer(request=request, peer=peer, sdp=sdp):
                self._run(request, peer, lambda media: self._answer(media, sdp))
            case Candidate(request=request, peer=peer, candidate=candidate, sdp_mid=mid, index=index):
                self._run(request, peer, lambda media: media.add_remote_candidate("subscribe", candidate, mid, index))
            case ClosePeer(peer=peer):
                self._links_sent.pop(peer, None)
                if (media := self.peers.pop(peer, None)) is not None:
                    self._spawn(media.close())
            case _:
                logger.warning("shard: unexpected message from home: %s", message.t)

    def _open(self, message: TrackOpen) -> None:
        if message.track in self.tracks or len(self.tracks) >= MAX_TRACKS:
            return
        number = message.track
        codec = CodecSpec(message.mime_type, message.clock_rate, message.channels, message.parameters)
        self.tracks[number] = UpTrack(
            message.track_id,
            codec,
            lambda: self._send(encode_control(KeyframeRequest(track=number))),
            self._schedule,
            clock=self._clock,
        )

    def _subscribe(self, message: Subscribe) -> None:
        up = self.tracks.get(message.track)
        if up is None:
            logger.warning("shard: subscribe to unknown track %d", message.track)
            return
        media = self.peers.get(message.peer)
        if media is None:
            if len(self.peers) >= MAX_PEERS:
                self._send(encode_control(Failure(peer=message.peer, reason="the shard is full")))
                return
            media = self.peers[message.peer] = self._factory(
                message.peer, self._offer_sender(message.peer), self._failure_reporter(message.peer)
            )
            media.watch_link(self._link_reporter(message.peer, media))
        media.subscribe((message.publisher, message.track_id), up, message.stream_id)
        if message.continuity is not None:
            for downtrack in media.downtracks():
                if downtrack.source is up:
                    continue_from(downtrack, message.continuity)

    def _adapt(self, message: Adapt) -> None:
        media = self.peers.get(message.peer)
        layers: dict[Quality, UpTrack] = {}
        for quality, number in message.layers:
            if (up := self.tracks.get(number)) is not None:
                layers[quality] = up
        if media is None or not layers:
            return
        try:
            priority = Priority(message.priority)
        except ValueError:
            logger.warning("shard: unknown priority %d", message.priority)
            return
        media.adapt((message.publisher, message.track_id), layers, priority)

    def _link_reporter(self, peer: str, media: ParticipantMedia) -> Callable[[LinkReport], None]:
        """The hosted peer's link reports go home on change, or at least every LINK_REPEAT_S."""

        def report(link: LinkReport) -> None:
            message = Link(
                peer=peer,
                quality=link.quality,
                reduced=link.reduced,
                estimate_kbps=link.estimate_kbps,
                tracks=tuple((key[0], key[1], layer) for key, layer in link.tracks[:MAX_TILES]),
                camera=link.camera,
                counts=tuple(media.layer_counts().items()),
            )
            now = self._clock()
            last = self._links_sent.get(peer)
            if last is not None and last[0] == message and now - last[1] < LINK_REPEAT_S:
                return
            self._links_sent[peer] = (message, now)
            self._send(encode_control(message))

        return report

    def _offer_sender(self, peer: str) -> OfferSender:
        async def send_offer(sdp: str, announced: list[tuple[str, tuple[str, str]]], fresh: bool) -> None:
            mids = tuple((mid, key[0], key[1]) for mid, key in announced)
            self._send(encode_control(Offer(peer=peer, sdp=sdp, announced=mids, fresh=fresh)))

        return send_offer

    def _failure_reporter(self, peer: str) -> Callable[[str], None]:
        return lambda reason: self._send(encode_control(Failure(peer=peer, reason=reason[:1024])))

    @staticmethod
    async def _answer(media: ParticipantMedia, sdp: str) -> bool:
        await media.handle_subscribe_answer(sdp)
        return True

    def _run(self, request: int, peer: str, step: Callable[[ParticipantMedia], Awaitable[bool]]) -> None:
        media = self.peers.get(peer)

        async def run() -> None:
            if media is None:
                result = Result(request=request, accepted=False, error="no such subscriber on this shard")
            else:
                try:
                    accepted = await step(media)
                    result = Result(request=request, accepted=bool(accepted))
                except NegotiationError as exc:
                    result = Result(request=request, accepted=False, error=str(exc)[:1024])
            self._send(encode_control(result))

        self._spawn(run())

    def _spawn(self, coro: Coroutine[object, object, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close(self) -> None:
        """The home is gone: its tracks end and the peers it placed here close."""
        for up in self.tracks.values():
            up.close()
        self.tracks.clear()
        peers, self.peers = list(self.peers.values()), {}
        for media in peers:
            await media.close()
