"""The last packets of one incoming track, kept to answer subscribers' NACKs.

A ring indexed by sequence number: put and get are O(1) and allocation-free beyond the
packet itself. Sized in packets; a few hundred cover about a second of 720p video, which is
longer than any NACK worth answering.
"""

from __future__ import annotations

from typing import Generic, Protocol, TypeVar


class _Sequenced(Protocol):
    seq: int


P = TypeVar("P", bound=_Sequenced)


class PacketCache(Generic[P]):
    __slots__ = ("_size", "_slots")

    def __init__(self, size: int):
        if size <= 0:
            raise ValueError("cache size must be positive")
        self._size = size
        self._slots: list[P | None] = [None] * size

    def put(self, packet: P) -> None:
        self._slots[packet.seq % self._size] = packet

    def get(self, seq: int) -> P | None:
        packet = self._slots[seq % self._size]
        if packet is not None and packet.seq == seq:
            return packet
        return None
