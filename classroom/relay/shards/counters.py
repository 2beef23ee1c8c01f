"""Process-wide counters of the sharded fan-out, for /metrics (plain integers, as the relay's)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass
class ShardCounters:
    shard_packets_sent: int = 0  # packet datagrams handed to shards (one per packet per shard)
    shard_packets_dropped: int = 0  # ... that a shard's full channel refused
    shard_subscribers_rejoined: int = 0  # subscribers placed again after their shard was lost

    def snapshot(self) -> dict[str, int]:
        return asdict(self)


SHARDS = ShardCounters()
