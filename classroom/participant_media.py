"""A participant's media as the live class uses it: the port the relay's `MediaPeer` fills.

The class decides who receives what; the peer negotiates and forwards. Taking the peer
through a `MediaPeerFactory` lets the class be exercised without WebRTC, and keeps aiortc out
of everything that only needs the class's rules.
"""

from __future__ import annotations

from typing import Callable, Mapping, Protocol, Sequence

from classroom.relay.adaptation import LinkReport
from classroom.relay.forwarding import DownTrack, UpTrack
from classroom.relay.layers import LayerState, Priority, Quality
from classroom.relay.peer import NegotiationError, OfferSender

__all__ = ["IncomingMedia", "MediaPeerFactory", "NegotiationError", "OfferSender", "ParticipantMedia"]


class IncomingMedia(Protocol):
    """A track the participant started sending."""

    @property
    def track_id(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def uptrack(self) -> UpTrack: ...


class ParticipantMedia(Protocol):
    """One participant's two connections: the one it publishes on, the one it receives on.

    Negotiation methods raise `NegotiationError` for a description or candidate that cannot
    be applied.
    """

    async def handle_publish_offer(
        self, sdp: str
    ) -> tuple[str, Sequence[IncomingMedia], Sequence[IncomingMedia]]:
        """Apply the participant's offer: our answer, the tracks added and the tracks ended."""
        ...

    async def handle_subscribe_answer(self, sdp: str) -> None: ...

    async def add_remote_candidate(
        self, transport: str, candidate: str | None, sdp_mid: str | None, index: int | None
    ) -> bool: ...

    def subscribe(self, key: tuple[str, str], uptrack: UpTrack, stream_id: str) -> None:
        """Forward a publisher's track (key: publisher id, track id) to this participant."""

    def unsubscribe(self, key: tuple[str, str]) -> None: ...

    def adapt(self, key: tuple[str, str], layers: Mapping[Quality, UpTrack], priority: Priority) -> None:
        """The subscribed track `key` has these layers (the relay picks one) and this priority."""

    def set_view(self, tiles: Mapping[str, tuple[int, int]]) -> None:
        """Displayed tile sizes by track id (device pixels; 0×0: hidden)."""

    def set_save_data(self, on: bool) -> None: ...

    def watch_link(self, listener: Callable[[LinkReport], None]) -> None:
        """`listener` gets the participant's link report after each layer selection."""

    def layer_counts(self) -> dict[LayerState, int]:
        """How many of the participant's layered videos it receives at each layer."""
        ...

    def end_incoming(self, track_id: str) -> object:
        """Stop accepting a track the participant sends."""

    def downtracks(self) -> Sequence[DownTrack]: ...

    async def close(self) -> None: ...


# (participant id, how to send a receive offer, how to report a failed receive connection)
MediaPeerFactory = Callable[[str, OfferSender, Callable[[str], None]], ParticipantMedia]
