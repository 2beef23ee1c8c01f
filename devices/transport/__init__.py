"""The device link layer every protocol driver uses: transports, framing hook, `DeviceLink`.

Layers, bottom up:

- `connectors`: open a byte transport to a device: `SerialConnector` (a device path, a pty, or
  a pyserial URL such as ``socket://gateway:4001``), `TcpConnector`, `UdpConnector`
  (datagrams); `connector_for(link_config)` builds one from a rooms-file link block.
- `framing`: the codec-provided `Decoder` (``feed(bytes) -> frames``; raises `ProtocolError`
  on garbage and resyncs) and `DelimitedDecoder` for terminator-based protocols.
- `framing` also holds `FrameVerdict` and `Accept`, how a codec tells which frames answer a request:
  a VISCA ACK is ``MORE``, the completion ``DONE``, a network-change ``NOT_MINE`` (delivered
  to the unsolicited callback); raising `DeviceBusy` makes the link resend after a pause.
- `exchange`: the `Channel` of one open connection (one request in flight, pacing, busy
  resends, timeouts) and the `Requester` interface drivers talk to.
- `state`: `LinkState` and the transition table (offline → connecting → online ⇄ degraded).
- `policy`: `LinkPolicy` (timeout, pacing gap, busy retries) and `Backoff`.
- `link`: `DeviceLink`, which owns one request in flight, pacing, timeouts, busy retries,
  reconnecting with backoff, and notifies state listeners.

Example (a line protocol whose replies end in CR)::

    link = DeviceLink(
        "room-101/projector",
        TcpConnector("127.0.0.1", 4352),
        lambda: DelimitedDecoder(b"\\r", bytes, max_length=140),
        policy=LinkPolicy(timeout=2.0, min_gap=0.1),
        on_unsolicited=print,
    )
    link.add_listener(lambda old, new, detail: print(old, "->", new, detail))
    await link.start()  # returns after the first attempt; reconnects in the background
    reply = await link.request(b"%1POWR ?\\r", lambda frame: FrameVerdict.DONE)
    await link.stop()
The codec-facing contract (`Decoder`, `FrameVerdict`, `Accept`, `DelimitedDecoder`) lives in the pure
`framing` module, so a protocol codec imports no asyncio, serial or socket code; the names
below are therefore loaded on first use rather than with the package.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from devices.transport.connectors import (
        ByteSink,
        ByteTransport,
        Connector,
        SerialConnector,
        TcpConnector,
        UdpConnector,
        connector_for,
    )
    from devices.transport.exchange import Channel, Requester
    from devices.transport.framing import Accept, Decoder, DelimitedDecoder, FrameVerdict, iter_frames
    from devices.transport.link import DeviceLink, OnConnect
    from devices.transport.policy import Backoff, LinkPolicy
    from devices.transport.state import LinkEvent, LinkState, LinkStateMachine

__all__ = [
    "Accept",
    "Backoff",
    "ByteSink",
    "ByteTransport",
    "Channel",
    "Connector",
    "Decoder",
    "DelimitedDecoder",
    "DeviceLink",
    "LinkEvent",
    "LinkPolicy",
    "LinkState",
    "LinkStateMachine",
    "OnConnect",
    "Requester",
    "SerialConnector",
    "FrameVerdict",
    "TcpConnector",
    "UdpConnector",
    "connector_for",
    "iter_frames",
]

_MODULES = ("framing", "state", "policy", "connectors", "exchange", "link")


def __getattr__(name: str) -> Any:
    if name in __all__:
        for module_name in _MODULES:
            module = importlib.import_module(f"{__name__}.{module_name}")
            if hasattr(module, name):
                return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
