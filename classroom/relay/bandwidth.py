"""A subscriber's bandwidth estimate, from what its browser reports (no probing).

Browsers receiving from aiortc's SDP send REMB (goog-remb: aiortc offers no transport-wide
congestion control), the receiver's delay-based estimate of what the path carries; receiver
reports add the fraction of packets lost. As Google's congestion control does on the send
side, heavy loss lowers the estimate further (rate × (1 − loss / 2) above 10 % loss), and a
short median of the latest REMBs keeps one outlier from switching layers.
"""

from __future__ import annotations

from collections import deque
from statistics import median

LOSS_CUT = 0.10
# How long a loss is remembered when deciding whether the link is clean enough to try more.
LOSS_MEMORY_S = 5.0
_WINDOW = 3
_STALE_S = 10.0


class LinkEstimate:
    """What one subscriber's link carries, in bits per second (None until reported)."""

    def __init__(self) -> None:
        self._rembs: deque[int] = deque(maxlen=_WINDOW)
        self._last_remb: int | None = None
        self._remb_at = 0.0
        self.loss = 0.0
        self._lossy_at: float | None = None

    def update(self, remb_bps: int | None, loss: float, now: float) -> None:
        """Feed the latest REMB value (None: none yet) and the latest fraction lost (0..1)."""
        self.loss = min(max(loss, 0.0), 1.0)
        if self.loss > 0:
            self._lossy_at = now
        if remb_bps is None:
            return
        if remb_bps != self._last_remb or now - self._remb_at >= 1.0:
            self._rembs.append(remb_bps)
            self._last_remb, self._remb_at = remb_bps, now

    def clean_for(self, now: float) -> bool:
        """No loss reported for LOSS_MEMORY_S: a quiet link, worth trying a higher layer on."""
        return self._lossy_at is None or now - self._lossy_at >= LOSS_MEMORY_S

    def estimate(self, now: float) -> int | None:
        if not self._rembs or now - self._remb_at > _STALE_S:
            return None
        rate = float(median(self._rembs))
        if self.loss > LOSS_CUT:
            rate *= 1 - self.loss / 2
        return int(rate)
