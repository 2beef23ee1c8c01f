"""The media relay: an SFU that forwards RTP packets without decoding or re-encoding them.

Layers, innermost first (docs/relay.md says more, with the forwarding rules):
- pure packet logic with no aiortc imports: `payloads` (where a subscriber may start),
  `rewriter` (per-subscriber sequence/timestamp continuity), `packet_cache` (NACK answers),
  `keyframe_requests` (PLI throttling), `sender_reports` (lip-sync translation),
  `vp8_rewrite` (picture ID continuity), `forwarding` (one source fanned out to many outgoing
  streams, never blocking), and for layered cameras `layers` (which layer each subscriber
  gets), `bandwidth` (its estimate) and `adaptation` (switching its streams at key frames);
- `aiortc_internals`: the one module that touches aiortc/aioice private APIs (ingress tap,
  egress send path, ICE host addresses); pinned versions, tested to fail loudly;
- `peer`: a participant's two peer connections, on top.

A class's tracks and who receives them are outside the relay: classroom/live_class.py and
classroom/subscriptions.py; the class reaches a participant's media through
classroom/participant_media.py.
"""
