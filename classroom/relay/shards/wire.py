"""The datagrams between a class's home worker and a shard worker (sans-I/O).

One channel per (home, shard) pair carries both kinds, in order: a media packet is a fixed
binary header and the payload, so the hot path costs one `struct.pack` per packet per shard;
a control message (a track announced or closed, a sender report, a subscriber's signaling,
a key frame request) is a type byte and a small JSON object. Ordering on one channel is what
lets a track be announced before its first packet. Anything else is a `WireError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from classroom.relay.layers import LayerState, LinkLevel, Quality

PACKET = 0x01
CONTROL = 0x02
# type, track number, seq, ts, flags (marker, start), arrival (monotonic seconds)
_PACKET = struct.Struct("!BIHIBd")
_MARKER = 0x01
_START = 0x02
MAX_DATAGRAM = 200 * 1024  # below the default UNIX socket send buffer
MAX_TRACK = 0xFFFFFFFF
MAX_TILES = 256  # tiles in a view, videos in a link report


class WireError(Exception):
    """A datagram that is not one of the messages below."""


@dataclass(frozen=True, slots=True)
class MediaPacket:
    track: int
    seq: int
    ts: int
    marker: bool
    start: bool
    arrival: float
    payload: bytes


def encode_packet(track: int, seq: int, ts: int, marker: bool, start: bool, arrival: float, payload: bytes) -> bytes:
    flags = (_MARKER if marker else 0) | (_START if start else 0)
    return _PACKET.pack(PACKET, track, seq, ts, flags, arrival) + payload


# ---- control messages ---------------------------------------------------------------------------


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)


class TrackOpen(_Message):
    """Home → shard: packets of `track` follow; its codec, as subscribers must negotiate it."""

    t: Literal["track_open"] = "track_open"
    track: int = Field(ge=0, le=MAX_TRACK)
    track_id: str = Field(max_length=256)
    mime_type: str = Field(max_length=64)
    clock_rate: int = Field(gt=0)
    channels: int | None = None
    parameters: tuple[tuple[str, str], ...] = ()


class TrackClosed(_Message):
    """Home → shard: the publisher stopped the track."""

    t: Literal["track_closed"] = "track_closed"
    track: int = Field(ge=0, le=MAX_TRACK)


class SenderReport(_Message):
    """Home → shard: the publisher's latest sender report (lip-sync), with its arrival."""

    t: Literal["sender_report"] = "sender_report"
    track: int = Field(ge=0, le=MAX_TRACK)
    ntp: int = Field(ge=0, lt=1 << 64)
    rtp: int = Field(ge=0, lt=1 << 32)
    arrival: float


class Continuity(_Message):
    """Where a subscriber's outgoing stream stopped, so that another shard continues it."""

    last_out_seq: int = Field(ge=0, lt=1 << 16)
    last_out_ts: int = Field(ge=0, lt=1 << 32)
    last_out_time: float | None


class Subscribe(_Message):
    """Home → shard: forward `track` (publisher, track id = key) to the hosted `peer`."""

    t: Literal["subscribe"] = "subscribe"
    peer: str = Field(max_length=128)
    publisher: str = Field(max_length=128)
    track_id: str = Field(max_length=256)
    track: int = Field(ge=0, le=MAX_TRACK)
    stream_id: str = Field(max_length=256)
    continuity: Continuity | None = None


class Unsubscribe(_Message):
    t: Literal["unsubscribe"] = "unsubscribe"
    peer: str = Field(max_length=128)
    publisher: str = Field(max_length=128)
    track_id: str = Field(max_length=256)


class Adapt(_Message):
    """Home → shard: the hosted `peer`'s subscription (publisher, track id) has these layers,
    each an exported track (quality → track number), and this priority (`layers.Priority`)."""

    t: Literal["adapt"] = "adapt"
    peer: str = Field(max_length=128)
    publisher: str = Field(max_length=128)
    track_id: str = Field(max_length=256)
    layers: tuple[tuple[Quality, Annotated[int, Field(ge=0, le=MAX_TRACK)]], ...] = Field(max_length=3)
    priority: int = Field(ge=0, le=16)


class ViewSizes(_Message):
    """Home → shard: the tile sizes the hosted `peer`'s page displays (track id, width, height)."""

    t: Literal["view"] = "view"
    peer: str = Field(max_length=128)
    tiles: tuple[tuple[Annotated[str, Field(max_length=256)], Annotated[int, Field(ge=0)], Annotated[int, Field(ge=0)]], ...] = Field(
        max_length=MAX_TILES
    )


class SaveData(_Message):
    t: Literal["save_data"] = "save_data"
    peer: str = Field(max_length=128)
    on: bool


class Answer(_Message):
    """Home → shard: the participant's answer to the hosted peer's subscribe offer."""

    t: Literal["answer"] = "answer"
    request: int = Field(ge=0)
    peer: str = Field(max_length=128)
    sdp: str = Field(max_length=64 * 1024)


class Candidate(_Message):
    """Home → shard: a trickled candidate for the hosted peer's subscribe connection."""

    t: Literal["candidate"] = "candidate"
    request: int = Field(ge=0)
    peer: str = Field(max_length=128)
    candidate: str | None = Field(default=None, max_length=1024)
    sdp_mid: str | None = Field(default=None, max_length=64)
    index: int | None = None


class ClosePeer(_Message):
    t: Literal["close_peer"] = "close_peer"
    peer: str = Field(max_length=128)


class KeyframeRequest(_Message):
    """Shard → home: a subscriber there wants a key frame of `track` (throttled at home)."""

    t: Literal["keyframe"] = "keyframe"
    track: int = Field(ge=0, le=MAX_TRACK)


class Offer(_Message):
    """Shard → home: a subscribe offer for the participant; `announced` maps mids to keys."""

    t: Literal["offer"] = "offer"
    peer: str = Field(max_length=128)
    sdp: str = Field(max_length=64 * 1024)
    announced: tuple[tuple[str, str, str], ...]  # (mid, publisher id, track id)
    fresh: bool


class Failure(_Message):
    """Shard → home: why the participant's subscribe connection starts afresh."""

    t: Literal["failure"] = "failure"
    peer: str = Field(max_length=128)
    reason: str = Field(max_length=1024)


class Link(_Message):
    """Shard → home: the hosted `peer`'s link report (adaptation.LinkReport) and its layer counts."""

    t: Literal["link"] = "link"
    peer: str = Field(max_length=128)
    quality: LinkLevel
    reduced: bool
    estimate_kbps: int | None = Field(default=None, ge=0)
    tracks: tuple[tuple[Annotated[str, Field(max_length=128)], Annotated[str, Field(max_length=256)], LayerState], ...] = Field(
        max_length=MAX_TILES
    )  # (publisher, track id, layer)
    camera: LayerState | None = None
    counts: tuple[tuple[LayerState, Annotated[int, Field(ge=0)]], ...] = Field(max_length=4)


class Result(_Message):
    """Shard → home: the outcome of an `Answer` or a `Candidate` (error: a negotiation error)."""

    t: Literal["result"] = "result"
    request: int = Field(ge=0)
    accepted: bool = True
    error: str | None = Field(default=None, max_length=1024)


Control = Annotated[
    Union[
        TrackOpen, TrackClosed, SenderReport, Subscribe, Unsubscribe, Adapt, ViewSizes, SaveData, Answer,
        Candidate, ClosePeer, KeyframeRequest, Offer, Failure, Link, Result,
    ],
    Field(discriminator="t"),
]  # fmt: skip
_CONTROL: TypeAdapter[Control] = TypeAdapter(Control)


def encode_control(message: Control) -> bytes:
    body = bytes([CONTROL]) + message.model_dump_json().encode()
    if len(body) > MAX_DATAGRAM:
        raise WireError(f"control message of {len(body)} bytes exceeds {MAX_DATAGRAM}")
    return body


def decode(datagram: bytes) -> MediaPacket | Control:
    """One datagram as its packet or control message, or WireError."""
    if not datagram:
        raise WireError("empty datagram")
    kind = datagram[0]
    if kind == PACKET:
        if len(datagram) < _PACKET.size:
            raise WireError(f"packet datagram of {len(datagram)} bytes is shorter than its header")
        _, track, seq, ts, flags, arrival = _PACKET.unpack_from(datagram)
        if flags & ~(_MARKER | _START):
            raise WireError(f"unknown packet flags {flags:#x}")
        return MediaPacket(track, seq, ts, bool(flags & _MARKER), bool(flags & _START), arrival, datagram[_PACKET.size :])
    if kind == CONTROL:
        if len(datagram) > MAX_DATAGRAM:
            raise WireError(f"control datagram of {len(datagram)} bytes exceeds {MAX_DATAGRAM}")
        try:
            return _CONTROL.validate_json(datagram[1:])
        except ValidationError as exc:
            raise WireError(f"malformed control message: {exc.error_count()} error(s)") from None
    raise WireError(f"unknown datagram type {kind:#x}")
