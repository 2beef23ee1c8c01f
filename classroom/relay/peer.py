"""One participant's media on the server: an upstream and a downstream peer connection.

Two connections per participant, as LiveKit does, so that neither side ever has to resolve
offer glare: on the *publish* connection the participant offers and the relay answers (its
camera, microphone, screen come in); on the *subscribe* connection the relay offers and the
participant answers (the tracks the class topology sends it go out). Renegotiation on either
side is then always started by the same party.

Downstream m-lines are reused: a stream that stops being forwarded goes inactive and is bound
to the next track of the same codec, with continuous sequence numbers and timestamps, so a
long class with many screen shares does not grow the SDP without bound.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Awaitable, Callable, Mapping

from aiortc import RTCPeerConnection, RTCRtpTransceiver, RTCSessionDescription
from aiortc.sdp import candidate_from_sdp

from classroom.relay import aiortc_internals as internals
from classroom.relay.adaptation import LinkReport, SubscriberLayers
from classroom.relay.forwarding import CodecSpec, DownTrack, UpTrack
from classroom.relay.ice import IcePolicy
from classroom.relay.layers import LayerState, Priority, Quality
from classroom.relay.sdp_check import check_session, track_ids
from classroom.relay.vp8_rewrite import Vp8Rewriter

logger = logging.getLogger(__name__)

DEFAULT_VIDEO_CODECS = ("video/VP8", "video/H264")
DEFAULT_AUDIO_CODECS = ("audio/opus",)


class NegotiationError(Exception):
    """The participant's SDP or candidate could not be applied."""


@dataclass(frozen=True)
class RelayConfig:
    ice: IcePolicy
    video_codecs: tuple[str, ...] = DEFAULT_VIDEO_CODECS
    audio_codecs: tuple[str, ...] = DEFAULT_AUDIO_CODECS
    answer_timeout: float = 15.0  # seconds a participant has to answer our offer
    max_send_buffer: int = internals.DEFAULT_MAX_SEND_BUFFER
    # REMB sent to publishers every second: the most a video track may use. Fixed rather
    # than the weakest subscriber's estimate, so one trainee on a poor link (who drops to key
    # frames or chooses audio only) does not lower the picture for the whole class.
    max_video_bitrate: int = 2_500_000
    bitrate_cap_interval: float = 1.0
    adaptation_interval: float = 0.5  # seconds between two layer selections per subscriber


@dataclass
class IncomingTrack:
    """A track the participant started sending on the publish connection."""

    track_id: str
    kind: str
    uptrack: UpTrack
    receiver: internals.ForwardingReceiver


@dataclass
class OutgoingSlot:
    """One m-line of the subscribe connection and the stream it carries."""

    transceiver: RTCRtpTransceiver
    downtrack: DownTrack
    codec: CodecSpec
    key: tuple[str, str] | None = None  # (publisher id, track id) currently forwarded
    stream_id: str = ""
    subscribed: UpTrack | None = None  # the track subscribed to (its layers may feed the stream)


# Sends a subscribe offer: (sdp, [(mid, (publisher id, track id))], fresh). `fresh` says the
# offer is for a new connection: the participant must drop its old subscribe connection.
OfferSender = Callable[[str, list[tuple[str, tuple[str, str]]], bool], Awaitable[None]]


class MediaPeer:
    def __init__(
        self,
        participant_id: str,
        config: RelayConfig,
        send_offer: OfferSender,
        report_failure: Callable[[str], None] = lambda reason: None,
    ):
        """`report_failure` tells the participant why its subscribe connection starts afresh."""
        self.participant_id = participant_id
        self.config = config
        self._send_offer = send_offer
        self._report_failure = report_failure
        self._publish_pc: RTCPeerConnection | None = None
        self._subscribe_pc: RTCPeerConnection | None = None
        self._incoming: dict[str, IncomingTrack] = {}  # by transceiver mid
        self._slots: list[OutgoingSlot] = []
        self._sink: internals.DtlsSink | None = None
        self._answer: asyncio.Future[None] | None = None
        self._fresh = True
        self._negotiating: asyncio.Task[None] | None = None
        self._renegotiate = False
        self._closed = False
        self._publish_lock = asyncio.Lock()
        self._capping: asyncio.Future[None] | None = None
        self.layers = SubscriberLayers(time.monotonic)
        self._link_listener: Callable[[LinkReport], None] = lambda report: None
        self._adapting: asyncio.Future[None] | None = None

    # ---- publish side: the participant offers ---------------------------------------------------

    async def handle_publish_offer(self, sdp: str) -> tuple[str, list[IncomingTrack], list[IncomingTrack]]:
        """Apply the participant's offer; returns our answer, new tracks and ended tracks."""
        try:
            check_session(sdp)
        except ValueError as exc:
            raise NegotiationError(str(exc)) from None
        async with self._publish_lock:
            if self._publish_pc is None:
                self._publish_pc = RTCPeerConnection(self.config.ice.rtc_configuration())
            pc = self._publish_pc
            try:
                await pc.setRemoteDescription(
                    RTCSessionDescription(self.config.ice.filter_remote_sdp(sdp), "offer")
                )
                added, ended = self._take_incoming(pc, track_ids(sdp))
                answer = await pc.createAnswer()
                await pc.setLocalDescription(answer)
            except Exception as exc:  # aiortc raises ValueError, InvalidStateError, OperationError...
                # ...from any of these steps for an offer it cannot take: a failed negotiation
                # leaves its state unusable, and the participant is told why (invalid_sdp).
                await self._reset_publish()
                raise NegotiationError(f"cannot apply the offer: {exc}") from None
            return self.config.ice.rewrite_local_sdp(pc.localDescription.sdp), added, ended

    def _take_incoming(
        self, pc: RTCPeerConnection, declared_ids: dict[str, str]
    ) -> tuple[list[IncomingTrack], list[IncomingTrack]]:
        """The tracks the offer starts and the tracks it ends."""
        added, ended = [], []
        for transceiver in pc.getTransceivers():
            mid = transceiver.mid
            sending = internals.publisher_is_sending(transceiver)
            known = self._incoming.get(mid) if mid is not None else None
            if sending and known is None and transceiver.receiver.track is not None:
                added.append(self._accept_incoming(transceiver, declared_ids.get(mid or "")))
            elif not sending and known is not None and mid is not None:
                ended.append(self._incoming.pop(mid))
                known.uptrack.close()
        return added, ended

    def _accept_incoming(self, transceiver: RTCRtpTransceiver, track_id: str | None) -> IncomingTrack:
        kind = transceiver.kind
        preference = self.config.video_codecs if kind == "video" else self.config.audio_codecs
        codec = internals.restrict_to_one_codec(transceiver, list(preference))
        track_id = track_id or transceiver.receiver.track.id
        receiver = internals.tap_receiver(transceiver.receiver, track_id, codec)
        incoming = IncomingTrack(track_id=track_id, kind=kind, uptrack=receiver.uptrack, receiver=receiver)
        assert transceiver.mid is not None
        self._incoming[transceiver.mid] = incoming
        if kind == "video" and self._capping is None:
            self._capping = asyncio.ensure_future(self._cap_bitrates())
        return incoming

    async def _cap_bitrates(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.config.bitrate_cap_interval)
            for incoming in list(self._incoming.values()):
                if incoming.kind == "video":
                    try:
                        await incoming.receiver.send_bitrate_cap(self.config.max_video_bitrate)
                    except ConnectionError:
                        pass

    async def _reset_publish(self) -> None:
        """A failed negotiation leaves aiortc's state unusable: start the publish side afresh."""
        pc, self._publish_pc = self._publish_pc, None
        for incoming in self._incoming.values():
            incoming.uptrack.close()
        self._incoming.clear()
        if pc is not None:
            await self._close_quietly(pc)

    async def _close_quietly(self, pc: RTCPeerConnection) -> None:
        """Close a connection a failed negotiation may have left half set up.

        aiortc's close() assumes every section got its transport; an offer it refused midway
        can leave one without, and close() then fails. The connection is dropped either way.
        """
        try:
            await pc.close()
        except Exception as exc:  # AttributeError on a section without a transport
            logger.warning("participant %s: closing a failed publish connection: %r", self.participant_id, exc)

    def end_incoming(self, track_id: str) -> IncomingTrack | None:
        """Stop forwarding a track now (unpublish), before the participant renegotiates."""
        for mid, incoming in list(self._incoming.items()):
            if incoming.track_id == track_id:
                del self._incoming[mid]
                incoming.uptrack.close()
                return incoming
        return None

    # ---- subscribe side: the relay offers -------------------------------------------------------

    def subscribe(self, key: tuple[str, str], uptrack: UpTrack, stream_id: str) -> None:
        """Forward `uptrack` (publisher id, track id = `key`) to this participant."""
        if self._closed or any(s.key == key for s in self._slots):
            return
        pc = self._ensure_subscribe_pc()
        slot = next((s for s in self._slots if s.key is None and s.codec == uptrack.codec), None)
        if slot is None:
            transceiver = pc.addTransceiver(uptrack.kind, direction="sendonly")
            transceiver.setCodecPreferences(internals.subscriber_codec_preferences(uptrack.codec))
            internals.release_receiver_state(transceiver.receiver)
            if self._sink is None:
                self._sink = internals.dtls_sink(transceiver.sender, self.config.max_send_buffer)
            downtrack = DownTrack(uptrack.kind, uptrack.codec.clock_rate, self._sink)
            if uptrack.codec.mime_type.lower() == "video/vp8":
                downtrack.vp8 = Vp8Rewriter()
            internals.forwarding_sender(transceiver.sender, downtrack)
            slot = OutgoingSlot(transceiver, downtrack, uptrack.codec)
            self._slots.append(slot)
        else:
            slot.transceiver.direction = "sendonly"
        slot.key = key
        slot.stream_id = stream_id
        slot.subscribed = uptrack
        internals.set_stream_identity(slot.transceiver.sender, stream_id, key[1])
        # A connection started afresh: each stream goes back on its chosen layer (or none).
        slot.downtrack.bind(self.layers.source_of(key) if self.layers.knows(key) else uptrack)
        self.layers.moved(key, slot.downtrack)
        self._schedule_negotiation()

    # ---- adaptation: which layer feeds each stream (classroom/relay/adaptation.py) ------------------

    def adapt(self, key: tuple[str, str], layers: Mapping[Quality, UpTrack], priority: Priority) -> None:
        """The subscribed track `key` has these layers and this priority for the bandwidth."""
        slot = next((s for s in self._slots if s.key == key), None)
        if slot is None:
            return
        usable = {q: up for q, up in layers.items() if up.codec == slot.codec}
        self.layers.adapt(key, slot.downtrack, usable, priority)
        if self._adapting is None:
            self._adapting = asyncio.ensure_future(self._adapt_periodically())

    def set_view(self, tiles: Mapping[str, tuple[int, int]]) -> None:
        """Displayed tile sizes (device pixels) by track id; 0×0: hidden."""
        self.layers.set_tiles(tiles)

    def set_save_data(self, on: bool) -> None:
        self.layers.set_save_data(on)

    def watch_link(self, listener: Callable[[LinkReport], None]) -> None:
        """`listener` gets this subscriber's link report after every selection."""
        self._link_listener = listener

    def layer_counts(self) -> dict[LayerState, int]:
        return self.layers.layer_counts()

    async def _adapt_periodically(self) -> None:
        while not self._closed:
            await asyncio.sleep(self.config.adaptation_interval)
            try:
                self._link_listener(self.layers.tick())
            except Exception:  # a selection bug must not stop forwarding
                logger.exception("layer selection for %s failed", self.participant_id)

    def unsubscribe(self, key: tuple[str, str]) -> None:
        self.layers.remove(key)
        for slot in self._slots:
            if slot.key == key:
                slot.key = None
                slot.subscribed = None
                slot.downtrack.close()
                slot.transceiver.direction = "inactive"
                self._schedule_negotiation()

    def downtracks(self) -> list[DownTrack]:
        return [s.downtrack for s in self._slots if s.key is not None]

    def _ensure_subscribe_pc(self) -> RTCPeerConnection:
        if self._subscribe_pc is None:
            self._subscribe_pc = RTCPeerConnection(self.config.ice.rtc_configuration())
            self._fresh = True
        return self._subscribe_pc

    def _schedule_negotiation(self) -> None:
        """Coalesce changes: one offer covers everything changed while the previous one ran."""
        self._renegotiate = True
        if self._negotiating is None or self._negotiating.done():
            self._negotiating = asyncio.ensure_future(self._negotiate())

    async def _negotiate(self) -> None:
        while self._renegotiate and not self._closed:
            self._renegotiate = False
            await asyncio.sleep(0)  # let changes made in the same turn join this offer
            pc = self._subscribe_pc
            if pc is None:
                return
            try:
                offer = await pc.createOffer()
                await pc.setLocalDescription(offer)
                announced = [
                    (s.transceiver.mid, s.key)
                    for s in self._slots
                    if s.key is not None and s.transceiver.mid is not None
                ]
                self._answer = asyncio.get_running_loop().create_future()
                fresh, self._fresh = self._fresh, False
                await self._send_offer(self.config.ice.rewrite_local_sdp(pc.localDescription.sdp), announced, fresh)
                await asyncio.wait_for(self._answer, self.config.answer_timeout)
            except asyncio.TimeoutError:
                logger.warning("participant %s did not answer the subscribe offer in time", self.participant_id)
                self._report_failure(f"no answer to the subscribe offer within {self.config.answer_timeout:.0f} s")
                await self._restart_subscribe()
            except NegotiationError:
                await self._restart_subscribe()  # the participant was told why (invalid_sdp)
            except Exception:
                if self._closed:
                    return
                logger.exception("subscribe negotiation with %s failed", self.participant_id)
                self._report_failure("the subscribe connection could not be negotiated")
                await self._restart_subscribe()
            finally:
                self._answer = None

    async def _restart_subscribe(self) -> None:
        """Start the subscribe connection afresh with the same subscriptions (a new offer follows)."""
        pc, self._subscribe_pc = self._subscribe_pc, None
        keep = [(s.key, s.subscribed, s.stream_id) for s in self._slots if s.key is not None]
        for slot in self._slots:
            slot.downtrack.close()
        self._slots.clear()
        self._sink = None
        if pc is not None:
            await pc.close()
        if self._closed:
            return
        for key, source, stream_id in keep:
            if key is not None and source is not None:
                self.subscribe(key, source, stream_id)

    async def handle_subscribe_answer(self, sdp: str) -> None:
        """Apply the participant's answer; a bad one restarts the subscribe connection."""
        waiter, pc = self._answer, self._subscribe_pc
        if waiter is None or waiter.done() or pc is None:
            raise NegotiationError("no subscribe offer is waiting for an answer")
        try:
            check_session(sdp)
            await pc.setRemoteDescription(
                RTCSessionDescription(self.config.ice.filter_remote_sdp(sdp), "answer")
            )
        except Exception as exc:  # aiortc raises ValueError, InvalidStateError, OperationError...
            error = NegotiationError(f"cannot apply the answer: {exc}")
            if not waiter.done():
                waiter.set_exception(error)
            raise error from None
        if not waiter.done():
            waiter.set_result(None)

    # ---- trickle ICE ----------------------------------------------------------------------------

    async def add_remote_candidate(self, transport: str, candidate: str | None, sdp_mid: str | None, index: int | None) -> bool:
        """Add a trickled candidate; False when it was ignored (unreachable by policy)."""
        pc = self._publish_pc if transport == "publish" else self._subscribe_pc
        if pc is None or pc.remoteDescription is None:
            raise NegotiationError(f"no {transport} connection is being negotiated")
        if candidate is None or candidate == "":
            return False  # end of candidates: aiortc gathers no more checks to wait for
        line = candidate[2:] if candidate.startswith("a=") else candidate
        if not line.startswith("candidate:"):
            raise NegotiationError("a candidate must start with 'candidate:'")
        if sdp_mid is None and index is None:
            raise NegotiationError("a candidate needs sdpMid or sdpMLineIndex")
        if not self.config.ice.accepts_candidate_line(line):
            return False
        try:
            parsed = candidate_from_sdp(line[len("candidate:"):])
        except (ValueError, IndexError) as exc:
            raise NegotiationError(f"cannot parse the candidate: {exc}") from None
        parsed.sdpMid = sdp_mid
        parsed.sdpMLineIndex = index
        try:
            await pc.addIceCandidate(parsed)
        except ValueError as exc:  # e.g. a candidate after the end of candidates
            raise NegotiationError(f"cannot add the candidate: {exc}") from None
        return True

    # ---- teardown -------------------------------------------------------------------------------

    async def close(self) -> None:
        self._closed = True
        if self._answer is not None and not self._answer.done():
            self._answer.cancel()
        self.layers.close()
        for task in (self._negotiating, self._capping, self._adapting):
            if task is not None:
                task.cancel()
        for incoming in self._incoming.values():
            incoming.uptrack.close()
        self._incoming.clear()
        for slot in self._slots:
            slot.downtrack.close()
        self._slots.clear()
        for pc in (self._publish_pc, self._subscribe_pc):
            if pc is not None:
                await self._close_quietly(pc)
        self._publish_pc = self._subscribe_pc = None

