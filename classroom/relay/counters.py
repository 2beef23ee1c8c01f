"""Process-wide relay counters, for /metrics.

Plain integers bumped on the forwarding path (an attribute increment is a few tens of
nanoseconds, prometheus-client's locked counters cost far more), read when metrics are
scraped. Each worker process has its own; the server labels them by worker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class RelayCounters:
    received_packets: int = 0  # from publishers
    received_bytes: int = 0
    forwarded_packets: int = 0  # to subscribers (retransmissions not included)
    forwarded_bytes: int = 0
    nacks_received: int = 0  # sequence numbers subscribers asked for again
    nacks_answered: int = 0  # ... answered from the packet cache
    keyframe_requests_sent: int = 0  # PLIs to publishers, after throttling
    keyframe_requests_suppressed: int = 0  # requests folded into one by the throttle
    slow_subscriber_drops: int = 0  # packets not sent while a slow subscriber waits for a key frame
    congestion_events: int = 0  # times a subscriber's socket refused a packet
    fanout_backlog_drops: int = 0  # packets not forwarded: they waited too long for their fan-out
    layer_switches_up: int = 0  # a subscriber's video moved to a higher layer (or resumed)
    layer_switches_down: int = 0  # ... to a lower layer (or paused)

    def snapshot(self) -> dict[str, int]:
        return asdict(self)


COUNTERS = RelayCounters()
