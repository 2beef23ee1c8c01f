"""The home worker's media peers for a class that may outgrow one process.

`ShardedMedia` is a `MediaPeerFactory`: every participant gets a local `MediaPeer` for what
it publishes; what it *receives* lives where `Placement` puts it when it first subscribes,
at home or on a shard. A participant placed on a shard is served there by a real
`MediaPeer` (see mirror.py); here a `ShardedPeer` relays its subscribe signaling (offers
out, answers and candidates in) over the shard's channel.

When a shard is lost, each of its subscribers is told why its receive connection starts
afresh and is placed again (home or another shard): a fresh subscribe offer follows, the
class and the other shards carry on.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from typing import Callable, Mapping, Sequence

from classroom.participant_media import (
    IncomingMedia,
    MediaPeerFactory,
    NegotiationError,
    OfferSender,
    ParticipantMedia,
)
from classroom.relay.adaptation import LinkReport
from classroom.relay.forwarding import DownTrack, UpTrack
from classroom.relay.layers import LayerState, Priority, Quality
from classroom.relay.shards.counters import SHARDS
from classroom.relay.shards.export import Exports, Placement, ShardLink, fanout
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
    Offer,
    Result,
    SaveData,
    Subscribe,
    Unsubscribe,
    ViewSizes,
    encode_control,
)

logger = logging.getLogger(__name__)

REQUEST_TIMEOUT_S = 15.0


class ShardedMedia:
    """Home-side state shared by the participants of this worker: exports, placement, links."""

    def __init__(self, local: MediaPeerFactory, threshold: int):
        self._local = local
        self.exports = Exports()
        self.placement = Placement(threshold)
        self.peers: dict[str, ShardedPeer] = {}
        self._requests = itertools.count(1)
        self._pending: dict[int, tuple[ShardLink, asyncio.Future[Result]]] = {}

    def __call__(self, participant_id: str, send_offer: OfferSender, report_failure: Callable[[str], None]) -> ShardedPeer:
        peer = ShardedPeer(self, participant_id, self._local(participant_id, send_offer, report_failure), send_offer, report_failure)
        self.peers[participant_id] = peer
        return peer

    # ---- links ------------------------------------------------------------------------------------

    def shard_ready(self, link: ShardLink) -> None:
        self.placement.add_shard(link)

    def shard_lost(self, link: ShardLink) -> None:
        """The shard is gone: its subscribers start their receive connection afresh elsewhere."""
        self.placement.shard_lost(link)
        self.exports.link_lost(link)
        for request, (target, future) in list(self._pending.items()):
            if target is link:
                del self._pending[request]
                if not future.done():
                    future.set_exception(NegotiationError("the media worker serving this connection stopped"))
        for peer in list(self.peers.values()):
            if peer.link is link:
                peer.rejoin()

    def on_control(self, link: ShardLink, message: Control) -> None:
        match message:
            case KeyframeRequest():
                self.exports.on_control(message)
            case Offer(peer=peer_id):
                if (peer := self.peers.get(peer_id)) is not None and peer.link is link:
                    peer.deliver_offer(message)
            case Failure(peer=peer_id, reason=reason):
                if (peer := self.peers.get(peer_id)) is not None and peer.link is link:
                    peer.report_failure(reason)
            case Link(peer=peer_id):
                if (peer := self.peers.get(peer_id)) is not None and peer.link is link:
                    peer.deliver_link(message)
            case Result(request=request):
                entry = self._pending.pop(request, None)
                if entry is not None and not entry[1].done():
                    entry[1].set_result(message)
            case _:
                logger.warning("home: unexpected message from shard %s: %s", link.name, message.t)

    async def request(self, link: ShardLink, make: Callable[[int], Answer | Candidate]) -> Result:
        request = next(self._requests)
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending[request] = (link, future)
        link.send_control(encode_control(make(request)))
        try:
            return await asyncio.wait_for(future, REQUEST_TIMEOUT_S)
        except asyncio.TimeoutError:
            raise NegotiationError("the media worker serving this connection did not answer") from None
        finally:
            self._pending.pop(request, None)


class ShardedPeer:
    """A participant's media at home: publishing here, receiving here or on a shard."""

    def __init__(
        self,
        media: ShardedMedia,
        participant_id: str,
        local: ParticipantMedia,
        send_offer: OfferSender,
        report_failure: Callable[[str], None],
    ):
        self._media = media
        self.participant_id = participant_id
        self.local = local
        self._send_offer = send_offer
        self.report_failure = report_failure
        self.placed = False  # the receive side has a place (home when link is None)
        self.link: ShardLink | None = None
        self._remote: dict[tuple[str, str], tuple[UpTrack, int, str]] = {}  # key → (uptrack, number, stream)
        # Adaptation, kept to be replayed wherever the receive side is placed (docs/relay.md).
        self._adapted: dict[tuple[str, str], tuple[dict[Quality, UpTrack], Priority]] = {}
        # key → its lower layers exported to the shard: quality → (track, number)
        self._layer_exports: dict[tuple[str, str], dict[Quality, tuple[UpTrack, int]]] = {}
        self._tiles: dict[str, tuple[int, int]] = {}
        self._save_data = False
        self._link_listener: Callable[[LinkReport], None] = lambda report: None
        self._remote_counts: dict[LayerState, int] = {}
        self._offers: set[asyncio.Task[None]] = set()
        self._closed = False

    # ---- publishing: always at home -----------------------------------------------------------

    async def handle_publish_offer(self, sdp: str) -> tuple[str, Sequence[IncomingMedia], Sequence[IncomingMedia]]:
        return await self.local.handle_publish_offer(sdp)

    def end_incoming(self, track_id: str) -> object:
        return self.local.end_incoming(track_id)

    # ---- receiving ------------------------------------------------------------------------------

    def subscribe(self, key: tuple[str, str], uptrack: UpTrack, stream_id: str) -> None:
        if self._closed:
            return
        if not self.placed:
            self.link = self._media.placement.place(fanout(uptrack, self._media.exports))
            self.placed = True
        if self.link is None:
            self.local.subscribe(key, uptrack, stream_id)
            return
        if key in self._remote:
            return
        first = not self._remote
        number = self._media.exports.subscribe(self.link, uptrack)
        self._remote[key] = (uptrack, number, stream_id)
        self.link.send_control(
            encode_control(
                Subscribe(
                    peer=self.participant_id, publisher=key[0], track_id=key[1], track=number, stream_id=stream_id
                )
            )
        )
        if first:  # the shard's peer exists from now on: it gets what the page said before
            self._send_view()
            if self._save_data:
                self.link.send_control(encode_control(SaveData(peer=self.participant_id, on=True)))

    def adapt(self, key: tuple[str, str], layers: Mapping[Quality, UpTrack], priority: Priority) -> None:
        self._adapted[key] = (dict(layers), priority)
        if self.link is None:
            self.local.adapt(key, layers, priority)
            return
        entry = self._remote.get(key)
        if entry is None:
            return
        uptrack, number, _ = entry
        exported = self._layer_exports.setdefault(key, {})
        numbers: dict[Quality, int] = {}
        for quality in [q for q, (up, _) in exported.items() if layers.get(q) is not up]:
            self._media.exports.unsubscribe(self.link, exported.pop(quality)[1])
        for quality, layer in layers.items():
            if layer is uptrack:
                numbers[quality] = number
                continue
            if quality not in exported:
                exported[quality] = (layer, self._media.exports.subscribe(self.link, layer))
            numbers[quality] = exported[quality][1]
        message = Adapt(
            peer=self.participant_id,
            publisher=key[0],
            track_id=key[1],
            layers=tuple(numbers.items()),
            priority=int(priority),
        )
        self.link.send_control(encode_control(message))

    def set_view(self, tiles: Mapping[str, tuple[int, int]]) -> None:
        self._tiles = dict(list(tiles.items())[:MAX_TILES])
        self.local.set_view(tiles)
        if self.link is not None and self._remote:
            self._send_view()

    def set_save_data(self, on: bool) -> None:
        self._save_data = on
        self.local.set_save_data(on)
        if self.link is not None and self._remote:
            self.link.send_control(encode_control(SaveData(peer=self.participant_id, on=on)))

    def watch_link(self, listener: Callable[[LinkReport], None]) -> None:
        self._link_listener = listener
        self.local.watch_link(listener)

    def layer_counts(self) -> dict[LayerState, int]:
        return dict(self._remote_counts) if self.link is not None else self.local.layer_counts()

    def deliver_link(self, message: Link) -> None:
        """The shard's link report for this participant, as the class takes it from a local peer."""
        self._remote_counts = dict(message.counts)
        report = LinkReport(
            quality=message.quality,
            reduced=message.reduced,
            estimate_kbps=message.estimate_kbps,
            tracks=tuple(((publisher, track_id), layer) for publisher, track_id, layer in message.tracks),
            camera=message.camera,
        )
        self._link_listener(report)

    def _send_view(self) -> None:
        if self.link is not None:
            tiles = tuple((track_id, w, h) for track_id, (w, h) in self._tiles.items())
            self.link.send_control(encode_control(ViewSizes(peer=self.participant_id, tiles=tiles)))

    def unsubscribe(self, key: tuple[str, str]) -> None:
        self._adapted.pop(key, None)
        if self.link is None:
            self.local.unsubscribe(key)
            return
        entry = self._remote.pop(key, None)
        if entry is not None:
            self.link.send_control(encode_control(Unsubscribe(peer=self.participant_id, publisher=key[0], track_id=key[1])))
            self._media.exports.unsubscribe(self.link, entry[1])
        for _, number in self._layer_exports.pop(key, {}).values():
            self._media.exports.unsubscribe(self.link, number)

    def downtracks(self) -> Sequence[DownTrack]:
        return self.local.downtracks()

    async def handle_subscribe_answer(self, sdp: str) -> None:
        link = self.link
        if link is None:
            await self.local.handle_subscribe_answer(sdp)
            return
        result = await self._media.request(link, lambda r: Answer(request=r, peer=self.participant_id, sdp=sdp))
        if result.error is not None:
            raise NegotiationError(result.error)

    async def add_remote_candidate(self, transport: str, candidate: str | None, sdp_mid: str | None, index: int | None) -> bool:
        link = self.link
        if transport != "subscribe" or link is None:
            return await self.local.add_remote_candidate(transport, candidate, sdp_mid, index)
        result = await self._media.request(
            link,
            lambda r: Candidate(request=r, peer=self.participant_id, candidate=candidate, sdp_mid=sdp_mid, index=index),
        )
        if result.error is not None:
            raise NegotiationError(result.error)
        return result.accepted

    def deliver_offer(self, offer: Offer) -> None:
        """The shard's subscribe offer, to the participant (through the class's own sender)."""
        announced = [(mid, (publisher, track_id)) for mid, publisher, track_id in offer.announced]
        task = asyncio.ensure_future(self._send_offer(offer.sdp, announced, offer.fresh))
        self._offers.add(task)
        task.add_done_callback(self._offers.discard)

    def rejoin(self) -> None:
        """The shard hosting our receive connection is gone: start it afresh somewhere else."""
        keep = list(self._remote.items())
        self._remote.clear()
        self._layer_exports.clear()  # the lost shard's exports went with it (Exports.link_lost)
        self._remote_counts = {}
        self.link = None
        self.placed = False
        if self._closed:
            return
        SHARDS.shard_subscribers_rejoined += 1
        self.report_failure("the media worker serving this connection stopped; reconnecting")
        for key, (uptrack, _, stream_id) in keep:
            self.subscribe(key, uptrack, stream_id)
            if (adapted := self._adapted.get(key)) is not None:
                self.adapt(key, *adapted)

    async def close(self) -> None:
        self._closed = True
        if self._media.peers.get(self.participant_id) is self:
            del self._media.peers[self.participant_id]
        if self.placed:
            self._media.placement.release(self.link)
        if self.link is not None:
            self.link.send_control(encode_control(ClosePeer(peer=self.participant_id)))
            for _, number, _ in self._remote.values():
                self._media.exports.unsubscribe(self.link, number)
            for exported in self._layer_exports.values():
                for _, number in exported.values():
                    self._media.exports.unsubscribe(self.link, number)
            self._remote.clear()
            self._layer_exports.clear()
        for task in self._offers:
            task.cancel()
        await self.local.close()
