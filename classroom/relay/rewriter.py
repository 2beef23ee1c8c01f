"""Per-subscriber RTP sequence number and timestamp rewriting.

Each outgoing stream has its own numbering, continuous for the subscriber whatever happens
upstream: packets dropped for a slow subscriber, a new source bound to the same stream
(source switching), or wrap-around of the 16-bit sequence number and the 32-bit timestamp.
The rules follow Jitsi's doc/svc.md: on a (re)start, the next outgoing sequence number is the
last one sent plus one, and the timestamp advances by the wall-clock time that passed.
"""

from __future__ import annotations

import random

SEQ_MOD = 1 << 16
TS_MOD = 1 << 32
_SEQ_HALF = 1 << 15
# Packets more than this far behind the newest one are too old to be worth forwarding.
_MAX_AGE = 1 << 14


def seq_newer(a: int, b: int) -> bool:
    """True when sequence number `a` comes after `b` (RFC 3550 serial arithmetic)."""
    return a != b and ((a - b) & 0xFFFF) < _SEQ_HALF


class RtpRewriter:
    """Maps one source's (seq, ts) onto an outgoing stream; `resync` starts a new segment."""

    __slots__ = (
        "clock_rate",
        "started",
        "seq_offset",
        "ts_offset",
        "base_in_seq",
        "highest_in_seq",
        "last_out_seq",
        "last_out_ts",
        "last_out_time",
    )

    def __init__(self, clock_rate: int, *, first_seq: int | None = None, first_ts: int | None = None):
        self.clock_rate = clock_rate
        self.started = False
        self.seq_offset = 0
        self.ts_offset = 0
        self.base_in_seq = 0
        self.highest_in_seq = 0
        # What the subscriber saw last; random starting points as RFC 3550 §5.1 asks.
        self.last_out_seq = (random.getrandbits(15) if first_seq is None else first_seq - 1) & 0xFFFF
        self.last_out_ts = random.getrandbits(32) if first_ts is None else first_ts
        self.last_out_time: float | None = None

    def resync(self, in_seq: int, in_ts: int, now: float, *, keep_timestamps: bool) -> None:
        """Start a new segment at this incoming packet, continuous with what was sent before.

        `keep_timestamps` keeps the timestamp offset (same source resuming after a drop: the
        timestamp gap then equals the media time that passed); otherwise the timestamp
        continues from the last one sent plus the wall-clock time elapsed (a new source).
        """
        self.seq_offset = (self.last_out_seq + 1 - in_seq) & 0xFFFF
        if not self.started or not keep_timestamps:
            if self.last_out_time is None:
                next_ts = self.last_out_ts
            else:
                elapsed = max(1, round((now - self.last_out_time) * self.clock_rate))
                next_ts = self.last_out_ts + elapsed
            self.ts_offset = (next_ts - in_ts) & 0xFFFFFFFF
        self.base_in_seq = in_seq
        self.highest_in_seq = in_seq
        self.started = True

    def map(self, in_seq: int, in_ts: int, now: float) -> tuple[int, int] | None:
        """The outgoing (seq, ts) for an incoming packet, or None if it predates the segment."""
        if ((in_seq - self.base_in_seq) & 0xFFFF) >= _SEQ_HALF:
            return None
        out_seq = (in_seq + self.seq_offset) & 0xFFFF
        out_ts = (in_ts + self.ts_offset) & 0xFFFFFFFF
        if seq_newer(in_seq, self.highest_in_seq) or in_seq == self.base_in_seq:
            self.highest_in_seq = in_seq
            self.last_out_seq = out_seq
            self.last_out_ts = out_ts
            self.last_out_time = now
            # Keep the segment start within reach of serial arithmetic on long streams.
            if ((in_seq - self.base_in_seq) & 0xFFFF) > _MAX_AGE:
                self.base_in_seq = (in_seq - _MAX_AGE) & 0xFFFF
        return out_seq, out_ts

    def unsend(self, out_seq: int) -> None:
        """The packet mapped to `out_seq` never left: the next segment must reuse its number."""
        if out_seq == self.last_out_seq:
            self.last_out_seq = (out_seq - 1) & 0xFFFF
            self.highest_in_seq = (self.highest_in_seq - 1) & 0xFFFF

    def unmap_seq(self, out_seq: int) -> int | None:
        """The incoming sequence number a subscriber's NACK refers to, if in this segment."""
        if not self.started:
            return None
        in_seq = (out_seq - self.seq_offset) & 0xFFFF
        if ((in_seq - self.base_in_seq) & 0xFFFF) >= _SEQ_HALF or seq_newer(in_seq, self.highest_in_seq):
            return None
        return in_seq
