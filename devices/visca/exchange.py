"""Which incoming VISCA packets answer the request in flight: the link's `Accept` functions.

A command is answered by an ACK on socket z and later a completion (or an error) on the same
socket; an inquiry by one completion on socket 0 carrying data. A completion for another
socket belongs to an older command (one that timed out), and a network-change is news, not an
answer: both are NOT_MINE. Over IP the header's sequence number must match too, and control
replies report sequence errors. Sans-I/O, so each case is a unit test.
"""

from __future__ import annotations

from devices.errors import ProtocolError
from devices.transport.framing import FrameVerdict
from devices.visca.errors import (
    ControlErrorCode,
    MessageTypeError,
    SequenceNumberError,
    error_for,
)
from devices.visca.ip import RESET, IpPacket, PayloadType
from devices.visca.packet import (
    Ack,
    AddressSetReply,
    Completion,
    ErrorReply,
    IfClearReply,
    Packet,
    parse_reply,
)


class ReplyMatcher:
    """Accepts the replies of one command or inquiry sent to camera ``address``."""

    def __init__(self, address: int, inquiry: bool) -> None:
        self.address = address
        self.inquiry = inquiry
        self.socket: int | None = None  # the socket the camera acknowledged the command on
        self.completion: Completion | None = None

    def __call__(self, packet: Packet) -> FrameVerdict:
        reply = parse_reply(packet)
        if getattr(reply, "address", None) != self.address:
            return FrameVerdict.NOT_MINE  # broadcast news, a network change's sender, another camera
        if isinstance(reply, Ack):
            if self.inquiry or self.socket is not None:
                return FrameVerdict.NOT_MINE
            self.socket = reply.socket
            return FrameVerdict.MORE
        if isinstance(reply, ErrorReply):
            # Before its ACK a command may be refused on any socket: cameras answer
            # `90 61 41 FF` (not executable) instead of an ACK; after the ACK only an error
            # on the acknowledged socket is ours.
            if reply.socket == (self.socket or 0) or (not self.inquiry and self.socket is None):
                raise error_for(reply.code, reply.socket)
            return FrameVerdict.NOT_MINE
        if isinstance(reply, Completion):
            expected = 0 if self.inquiry else self.socket
            if reply.socket != expected or (self.inquiry and not reply.data):
                return FrameVerdict.NOT_MINE
            self.completion = reply
            return FrameVerdict.DONE
        return FrameVerdict.NOT_MINE


def accept_address_set(packet: Packet) -> FrameVerdict:
    """Address Set (serial start-up) is answered by ``88 30 0w FF``."""
    return FrameVerdict.DONE if isinstance(parse_reply(packet), AddressSetReply) else FrameVerdict.NOT_MINE


def accept_if_clear(packet: Packet) -> FrameVerdict:
    """The broadcast IF_Clear comes back as itself once the chain has cleared."""
    return FrameVerdict.DONE if isinstance(parse_reply(packet), IfClearReply) else FrameVerdict.NOT_MINE


class IpReplyMatcher:
    """Accepts VISCA-over-IP replies carrying our sequence number, and control replies."""

    def __init__(self, seq: int, inner: ReplyMatcher | None) -> None:
        self.seq = seq
        self.inner = inner  # None for a control command (sequence reset)

    def __call__(self, packet: IpPacket) -> FrameVerdict:
        error = packet.control_error_code
        if error == ControlErrorCode.SEQUENCE_NUMBER:
            raise SequenceNumberError()
        if error is not None:
            raise MessageTypeError()
        if packet.kind is PayloadType.CONTROL_REPLY:
            return FrameVerdict.DONE if self.inner is None and packet.payload == RESET else FrameVerdict.NOT_MINE
        if packet.kind is not PayloadType.REPLY:
            raise ProtocolError(f"a camera sent payload type {packet.kind.name}")
        if self.inner is None or packet.seq != self.seq:
            return FrameVerdict.NOT_MINE  # a late reply to an earlier packet
        return self.inner(packet.visca)
