"""A subscriber's link: what it demonstrably carries, whether it is congested, when to probe.

Browsers receiving from aiortc's SDP send REMB (goog-remb: aiortc offers no transport-wide
congestion control), the receiver's delay-based estimate. libwebrtc's AIMD rate control caps
it at about 1.5 × what arrives, and on a busy machine late sends read as overuse, so a REMB
below what the link is carrying without loss says nothing about the link. As Galène and
mediasoup do, the relay takes REMB only as a floor ("at least this much") and the loss in the
receiver reports (RFC 3550 §6.4.1: cumulative packets lost and extended highest sequence
number) as the congestion signal, with the loss thresholds of Google's congestion control
(draft-ietf-rmcat-gcc-02 §6): below LOSS_LOW the link is clean, above LOSS_HIGH it is
congested and the estimate is cut to what got through (sent × (1 − loss / 2)).

What a link can carry is only known once it carried it, so the relay probes: after
`probe_after` seconds of a clean link one layer may go up (classroom/relay/layers.py). A probe
followed by congestion within PROBE_WINDOW_S has failed: the estimate goes back to what the
link carried before and the next probe waits twice as long (up to MAX_PROBE_AFTER_S); a probe
that held brings the wait back to PROBE_AFTER_S. Nothing here does I/O; time is passed in.
"""

from __future__ import annotations

from collections import deque
from statistics import median

LOSS_LOW = 0.02
LOSS_HIGH = 0.10
# Loss is measured over the reports of the last LOSS_WINDOW_S, and over at least MIN_PACKETS
# expected packets (older reports are taken in until there are that many).
LOSS_WINDOW_S = 2.0
MIN_PACKETS = 20
PROBE_AFTER_S = 3.0
MAX_PROBE_AFTER_S = 16.0
PROBE_WINDOW_S = 4.0
# What the link carried without congestion is remembered this long after it was last sent.
CARRIED_MEMORY_S = 20.0
_REMB_WINDOW = 3
_REMB_STALE_S = 10.0
# Reports older than this are forgotten; with none left the link is idle (a paused video and
# no audio send nothing to lose), which counts as clean.
_SAMPLE_MEMORY_S = 10.0


class LinkEstimate:
    """One subscriber's link, in bits per second (None until anything was reported)."""

    def __init__(self) -> None:
        self._rembs: deque[int] = deque(maxlen=_REMB_WINDOW)
        self._last_remb: int | None = None
        self._remb_at = 0.0
        self._samples: deque[tuple[float, int, int]] = deque(maxlen=256)  # (time, lost, expected)
        self._reported = False
        self._fresh = False  # reports arrived since the last update
        self.loss = 0.0
        self.sent_bps = 0.0
        self._carried = 0.0
        self._carried_at = 0.0
        self.congested = False  # the last loss figure was above LOSS_HIGH
        self._quiet_since: float | None = None  # clean, and no probe started since
        self.probe_after = PROBE_AFTER_S
        self._probe_at: float | None = None
        self._before_probe = 0.0

    # ---- what the subscriber reports ---------------------------------------------------------

    def report_loss(self, lost: int, expected: int, now: float) -> None:
        """Packets lost of those expected since the previous reports (summed over its streams)."""
        if expected > 0:
            self._samples.append((now, min(max(lost, 0), expected), expected))
            self._reported = self._fresh = True

    def update(self, remb_bps: int | None, sent_bps: float, now: float) -> None:
        """Feed the latest REMB (None: none yet) and what the relay sends the subscriber now."""
        if remb_bps is not None and (remb_bps != self._last_remb or now - self._remb_at >= 1.0):
            self._rembs.append(remb_bps)
            self._last_remb, self._remb_at = remb_bps, now
        self.sent_bps = sent_bps
        fresh, self._fresh = self._fresh, False
        loss = self._window_loss(now)
        self.loss = loss or 0.0
        if loss is None:
            if self._reported and not self._samples:  # reports stopped: nothing flows, nothing lost
                self.congested = False
                if self._quiet_since is None:
                    self._quiet_since = now
            return  # else too few packets reported to say anything yet
        if loss > LOSS_HIGH:
            self._on_congestion(now, fresh)
            return
        self.congested = False
        if loss >= LOSS_LOW:
            self._quiet_since = None
        elif self._quiet_since is None:
            self._quiet_since = now
        if sent_bps >= self._carried or now - self._carried_at > CARRIED_MEMORY_S:
            self._carried, self._carried_at = sent_bps, now
        if self._probe_at is not None and now - self._probe_at >= PROBE_WINDOW_S:
            self._probe_at, self.probe_after = None, PROBE_AFTER_S  # the probe held

    def _on_congestion(self, now: float, fresh: bool) -> None:
        self.congested = True
        self._quiet_since = None
        if not fresh:  # the same reports again (what is sent may have stopped since)
            return
        through = self.sent_bps * (1 - self.loss / 2)
        if self._probe_at is not None:  # the probe was more than the link carries: back off
            self._probe_at = None
            self.probe_after = min(self.probe_after * 2, MAX_PROBE_AFTER_S)
            through = min(through, self._before_probe)
        if through < self._carried or now - self._carried_at > CARRIED_MEMORY_S:
            self._carried, self._carried_at = through, now
        self._rembs.clear()  # a REMB from before the congestion is no floor any more

    def _window_loss(self, now: float) -> float | None:
        while self._samples and now - self._samples[0][0] > _SAMPLE_MEMORY_S:
            self._samples.popleft()
        lost = expected = 0
        for at, sample_lost, sample_expected in reversed(self._samples):
            if now - at > LOSS_WINDOW_S and expected >= MIN_PACKETS:
                break
            lost += sample_lost
            expected += sample_expected
        return lost / expected if expected >= MIN_PACKETS else None

    # ---- what the relay plans with -------------------------------------------------------------

    def estimate(self, now: float) -> int | None:
        """At least what the link carried without congestion, or what the REMB says if more;
        after congestion, what got through. None while nothing has been measured."""
        if not self._reported and not self._rembs:
            return None
        remb = (
            float(median(self._rembs))
            if self._rembs and now - self._remb_at <= _REMB_STALE_S
            else 0.0
        )
        return int(self._carried if self.congested else max(remb, self._carried))

    def may_probe(self, now: float) -> bool:
        """The link has been clean for `probe_after` seconds and no probe is running."""
        return (
            self._probe_at is None
            and self._quiet_since is not None
            and now - self._quiet_since >= self.probe_after
        )

    def probe_started(self, now: float) -> None:
        """One layer went up beyond the estimate (or its switch just completed): watch it."""
        if self._probe_at is None:
            self._before_probe = self._carried
        self._probe_at = self._quiet_since = now

    @property
    def probing(self) -> bool:
        return self._probe_at is not None
