"""What layer switching adds to the relay's per-packet work on one subscriber's stream.

`DownTrack.forward` (RTP header rewrite and the packet's bytes built; no SRTP, no socket) is
timed on a 1,100-byte VP8 packet in three cases: without the VP8 rewriter (the relay before
simulcast), with it on a stream that never switched (packets go out as they are), and after a
layer switch (the picture ID is rewritten in every packet). The selection itself runs twice a
second per subscriber, not per packet.

    .venv/bin/python -m bench.layer_forwarding [--packets 100000] [--repeat 5]

Prints one line per case and, last, the figures as JSON (µs per packet, best of `repeat`).
"""

from __future__ import annotations

import argparse
import json
import timeit
from typing import Callable

from classroom.relay.forwarding import CodecSpec, DownTrack, ForwardPacket, OutgoingParameters, UpTrack
from classroom.relay.vp8_rewrite import Vp8Rewriter

PAYLOAD_BYTES = 1100
# VP8 payload descriptor: X, S; I; a 15-bit picture ID (0x0123); then the VP8 payload header.
KEY = bytes([0x90, 0x80, 0x81, 0x23, 0x00]) + bytes(PAYLOAD_BYTES)
DELTA = bytes([0x80, 0x80, 0x81, 0x24, 0x01]) + bytes(PAYLOAD_BYTES)


class _Sink:
    def send(self, data: bytes) -> bool:
        return True


def _stream(vp8: bool, switched: bool) -> Callable[[], None]:
    up = UpTrack("cam", CodecSpec("video/VP8", 90000), lambda: None, lambda delay, callback: None)
    down = DownTrack("video", 90000, _Sink(), clock=lambda: 0.0)
    down.vp8 = Vp8Rewriter() if vp8 else None
    down.bind(up)
    down.configure(OutgoingParameters(payload_type=96, ssrc=0x1234, mid_extension_id=9, mid="1"))
    if down.vp8 is not None and switched:
        down.vp8.last_pid = 7000  # as if another layer had been forwarded up to picture 7000
    down.forward(ForwardPacket(1, 0, True, KEY, True, 0.0))
    seq = [1]

    def one() -> None:
        seq[0] = (seq[0] + 1) & 0xFFFF
        down.forward(ForwardPacket(seq[0], 3000, False, DELTA, False, 0.0))

    return one


CASES = {
    "no_vp8_rewriter": (False, False),
    "vp8_never_switched": (True, False),
    "vp8_after_a_switch": (True, True),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    result = {}
    for name, (vp8, switched) in CASES.items():
        forward = _stream(vp8, switched)
        best = min(timeit.repeat(forward, number=args.packets, repeat=args.repeat)) / args.packets
        result[name] = round(best * 1e6, 3)
        print(f"{name}: {result[name]:.2f} µs per packet")
    print(json.dumps({"us_per_packet": result, "packets": args.packets, "payload_bytes": PAYLOAD_BYTES}))


if __name__ == "__main__":
    main()
