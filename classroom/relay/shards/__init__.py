"""One class across worker processes: its publishers' packets handed once to each shard.

The class's home worker keeps the `LiveClass` and the publishers; a shard worker hosts some
subscribers' media peers. `wire` is the datagram format between them (sans-I/O), `export`
the home side (a tap per published track, where subscribers are placed), `mirror` the shard
side (a mirror `UpTrack` per exported track, the hosted peers). The sockets are the edge's
(signaling/workers/shards.py).
"""
