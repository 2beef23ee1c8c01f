"""Where and when a trainee was in a class: the union of their connections and check-ins.

Pure. A trainee may be connected from two tabs at once, reconnect after a dropped link, and
be checked in in the room while their phone is also connected: time counts once. Reconnects
within `RECONNECT_GAP` are shown as one interval (a dropped link is not a departure), but only
the time actually connected or checked in is counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

Where = Literal["remote", "room"]
Mode = Literal["remote", "room", "both", "absent"]
RECONNECT_GAP = timedelta(seconds=60)


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime  # up to now (or the class end) while still open
    where: Where
    open: bool = False


@dataclass(frozen=True)
class Presence:
    intervals: list[Span]  # reconnects merged, in time order
    remote_seconds: int
    room_seconds: int
    seconds: int  # the union of both: time in the class
    first_join: datetime | None
    last_leave: datetime | None  # None while still present (or never came)
    present_now: bool

    @property
    def mode(self) -> Mode:
        if self.remote_seconds and self.room_seconds:
            return "both"
        if self.room_seconds:
            return "room"
        if self.remote_seconds or self.intervals:
            return "remote" if any(s.where == "remote" for s in self.intervals) else "room"
        return "absent"


def union_seconds(spans: Iterable[tuple[datetime, datetime]]) -> int:
    """The length of the union of the spans, in whole seconds."""
    return int(sum((b - a).total_seconds() for a, b in _merge(spans, timedelta(0))))


def _merge(
    spans: Iterable[tuple[datetime, datetime]], gap: timedelta
) -> list[tuple[datetime, datetime]]:
    merged: list[tuple[datetime, datetime]] = []
    for a, b in sorted(spans):
        if b < a:
            continue
        if merged and a <= merged[-1][1] + gap:
            if b > merged[-1][1]:
                merged[-1] = (merged[-1][0], b)
        else:
            merged.append((a, b))
    return merged


def presence(remote: Sequence[Span], room: Sequence[Span]) -> Presence:
    """The presence of one trainee in one class from their connections and check-ins."""
    spans = [*remote, *room]
    shown: list[Span] = []
    for where, group in (("remote", remote), ("room", room)):
        still_open = {s.end for s in group if s.open}
        for a, b in _merge(((s.start, s.end) for s in group), RECONNECT_GAP):
            shown.append(Span(a, b, where, b in still_open))  # type: ignore[arg-type]
    shown.sort(key=lambda s: (s.start, s.where))
    present_now = any(s.open for s in spans)
    return Presence(
        intervals=shown,
        remote_seconds=union_seconds((s.start, s.end) for s in remote),
        room_seconds=union_seconds((s.start, s.end) for s in room),
        seconds=union_seconds((s.start, s.end) for s in spans),
        first_join=min((s.start for s in spans), default=None),
        last_leave=None if present_now or not spans else max(s.end for s in spans),
        present_now=present_now,
    )
