"""The canonical encoding of an attendance event and its hash: pure, no I/O.

An event is encoded as JSON with sorted keys, no whitespace, UTF-8 (not \\u escapes), times as
ISO 8601 UTC with microseconds, so that the same event always gives the same bytes. Its hash is
SHA-256 over the previous event's hash (hex, ASCII), a newline, and that encoding: changing any
field of any event, or removing one, breaks the chain from there on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

GENESIS = "0" * 64  # the "previous hash" of a class's first event

Scalar = str | int | float | bool | None


@dataclass(frozen=True)
class ChainEvent:
    class_id: str
    position: int
    at: datetime
    kind: str
    attendance_id: int | None = None
    participant_id: str | None = None
    role: str | None = None
    external_id: str | None = None
    name: str | None = None
    reason: str | None = None
    data: dict[str, Scalar] = field(default_factory=dict)


def _utc(when: datetime) -> str:
    if when.tzinfo is None:
        raise ValueError("naive datetime: pass an aware (UTC) datetime")
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(event: ChainEvent) -> bytes:
    """The bytes hashed for `event`."""
    fields = asdict(event)
    fields["at"] = _utc(event.at)
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def event_hash(prev_hash: str, event: ChainEvent) -> str:
    """SHA-256 (hex) chaining `event` to the event before it."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + canonical(event)).hexdigest()
