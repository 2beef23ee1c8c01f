"""Translating a publisher's RTCP sender reports into each subscriber's timeline.

A browser lines up audio and video by mapping each stream's RTP timestamps to NTP time with
the sender reports it receives. The relay rewrites timestamps per subscriber, so it must
rewrite the reports too: it keeps the publisher's (NTP, RTP) pair and, when it reports to a
subscriber, extrapolates that pair to now and adds the subscriber's timestamp offset. Both
tracks of one publisher stay in the publisher's NTP domain, so their relative sync survives
(Galène's rtpconn.go does the same).
"""

from __future__ import annotations

from dataclasses import dataclass

NTP_EPOCH_OFFSET = 2208988800  # seconds from 1900-01-01 to 1970-01-01


def ntp_from_unix(seconds: float) -> int:
    """64-bit NTP timestamp for a Unix time."""
    whole = int(seconds)
    frac = int((seconds - whole) * (1 << 32)) & 0xFFFFFFFF
    return ((whole + NTP_EPOCH_OFFSET) << 32) | frac


@dataclass(frozen=True, slots=True)
class SenderClock:
    """The publisher's latest report: NTP and RTP time of one instant, and when it arrived here."""

    ntp: int
    rtp: int
    received_at: float  # local monotonic seconds


def translate(
    source: SenderClock, clock_rate: int, ts_offset: int, now: float
) -> tuple[int, int]:
    """(NTP, RTP) for the subscriber's report at local monotonic time `now`."""
    elapsed = now - source.received_at
    ntp = (source.ntp + int(elapsed * (1 << 32))) & 0xFFFFFFFFFFFFFFFF
    rtp = (source.rtp + round(elapsed * clock_rate) + ts_offset) & 0xFFFFFFFF
    return ntp, rtp


def extrapolate(last_ts: int, last_time: float, clock_rate: int, now: float) -> int:
    """RTP time now, from the last timestamp sent (used before the publisher has reported)."""
    return (last_ts + round((now - last_time) * clock_rate)) & 0xFFFFFFFF
