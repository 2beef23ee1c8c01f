"""How a link paces, times out, retries and reconnects: plain numbers, tunable per protocol.

Defaults follow what room-control drivers do in the field (see docs/devices.md §1: a 2 s answer
timer per VISCA packet, ~50 ms before retrying a busy camera, reconnect backoff up to 10 s);
tests shrink them so the suite runs in seconds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    """Exponential reconnect delays: initial, initial*factor, ... capped at ``maximum``."""

    initial: float = 0.5
    factor: float = 2.0
    maximum: float = 10.0

    def __post_init__(self) -> None:
        if self.initial <= 0 or self.factor < 1 or self.maximum < self.initial:
            raise ValueError(f"invalid backoff {self}")

    def delay(self, attempt: int) -> float:
        """Seconds to wait before reconnect attempt number ``attempt`` (0-based)."""
        return min(self.maximum, self.initial * self.factor**attempt)


@dataclass(frozen=True)
class LinkPolicy:
    """Timing rules of one device link."""

    timeout: float = 2.0  # seconds to wait for a complete reply to one request
    connect_timeout: float = 5.0  # seconds for opening the transport plus the start-up exchange
    min_gap: float = 0.0  # seconds between the end of one exchange and the next request
    busy_retries: int = 3  # resends after the device said busy, before giving up
    busy_delay: float = 0.05  # seconds before resending to a busy device
    backoff: Backoff = Backoff()

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.connect_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.min_gap < 0 or self.busy_delay < 0 or self.busy_retries < 0:
            raise ValueError("gaps, delays and retry counts must not be negative")
