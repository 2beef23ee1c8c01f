"""Scripted camera conversations: which packet answers which request, one edge case each."""

from __future__ import annotations

import subprocess
import sys

import pytest

from devices.errors import ProtocolError
from devices.transport.framing import FrameVerdict
from devices.visca.errors import (
    BufferFull,
    MessageTypeError,
    NotExecutable,
    SequenceNumberError,
    SyntaxViscaError,
)
from devices.visca.exchange import (
    IpReplyMatcher,
    ReplyMatcher,
    accept_address_set,
    accept_if_clear,
)
from devices.visca.ip import RESET, IpPacket, PayloadType
from devices.visca.packet import Completion, Packet

h = bytes.fromhex


def steps(matcher: ReplyMatcher, *wires: str) -> list[FrameVerdict]:
    return [matcher(Packet.parse(h(w))) for w in wires]


def test_command_ack_then_completion_on_the_same_socket() -> None:
    matcher = ReplyMatcher(1, inquiry=False)
    assert steps(matcher, "90 42 FF", "90 52 FF") == [FrameVerdict.MORE, FrameVerdict.DONE]
    assert matcher.completion == Completion(1, 2)


def test_an_older_commands_completion_is_not_ours() -> None:
    matcher = ReplyMatcher(1, inquiry=False)
    assert steps(matcher, "90 51 FF", "90 42 FF", "90 51 FF", "90 52 FF") == [
        FrameVerdict.NOT_MINE,  # completion before our ACK: left over from a timed-out command
        FrameVerdict.MORE,
        FrameVerdict.NOT_MINE,  # socket 1 finished; ours is socket 2
        FrameVerdict.DONE,
    ]


def test_network_change_and_other_cameras_are_not_ours() -> None:
    matcher = ReplyMatcher(1, inquiry=False)
    assert steps(matcher, "90 38 FF", "A0 41 FF", "88 30 02 FF") == [FrameVerdict.NOT_MINE] * 3


def test_inquiry_answer_is_socket_zero_with_data() -> None:
    matcher = ReplyMatcher(1, inquiry=True)
    assert steps(matcher, "90 41 FF", "90 51 FF", "90 50 FF", "90 50 02 FF") == [
        FrameVerdict.NOT_MINE,
        FrameVerdict.NOT_MINE,
        FrameVerdict.NOT_MINE,  # a completion without data answers a command, not an inquiry
        FrameVerdict.DONE,
    ]
    assert matcher.completion == Completion(1, 0, h("02"))


def test_buffer_full_before_any_ack_is_busy() -> None:
    with pytest.raises(BufferFull):
        ReplyMatcher(1, inquiry=False)(Packet.parse(h("90 60 03 FF")))


def test_not_executable_on_our_socket_after_the_ack() -> None:
    matcher = ReplyMatcher(1, inquiry=False)
    assert steps(matcher, "90 41 FF", "90 62 41 FF") == [FrameVerdict.MORE, FrameVerdict.NOT_MINE]
    with pytest.raises(NotExecutable):
        matcher(Packet.parse(h("90 61 41 FF")))


def test_inquiry_syntax_error() -> None:
    with pytest.raises(SyntaxViscaError):
        ReplyMatcher(1, inquiry=True)(Packet.parse(h("90 60 02 FF")))


def test_unknown_reply_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        ReplyMatcher(1, inquiry=False)(Packet.parse(h("90 77 FF")))


def test_start_up_broadcasts() -> None:
    assert accept_address_set(Packet.parse(h("88 30 02 FF"))) is FrameVerdict.DONE
    assert accept_address_set(Packet.parse(h("90 38 FF"))) is FrameVerdict.NOT_MINE
    assert accept_if_clear(Packet.parse(h("88 01 00 01 FF"))) is FrameVerdict.DONE
    assert accept_if_clear(Packet.parse(h("88 30 02 FF"))) is FrameVerdict.NOT_MINE


def reply(seq: int, wire: str) -> IpPacket:
    return IpPacket(PayloadType.REPLY, seq, h(wire))


def test_ip_replies_must_carry_our_sequence_number() -> None:
    matcher = IpReplyMatcher(7, ReplyMatcher(1, inquiry=False))
    assert matcher(reply(6, "90 51 FF")) is FrameVerdict.NOT_MINE  # late reply to packet 6
    assert matcher(reply(7, "90 41 FF")) is FrameVerdict.MORE
    assert matcher(reply(7, "90 51 FF")) is FrameVerdict.DONE


def test_ip_sequence_reset_reply() -> None:
    reset = IpReplyMatcher(3, None)
    assert reset(IpPacket(PayloadType.CONTROL_REPLY, 3, RESET)) is FrameVerdict.DONE
    assert reset(reply(3, "90 41 FF")) is FrameVerdict.NOT_MINE
    command = IpReplyMatcher(3, ReplyMatcher(1, inquiry=False))
    assert command(IpPacket(PayloadType.CONTROL_REPLY, 3, RESET)) is FrameVerdict.NOT_MINE


def test_ip_control_errors() -> None:
    matcher = IpReplyMatcher(3, ReplyMatcher(1, inquiry=False))
    with pytest.raises(SequenceNumberError):
        matcher(IpPacket.parse(h("02 01 00 02 00 00 00 03 0F 01")))
    with pytest.raises(MessageTypeError):
        matcher(IpPacket.parse(h("02 01 00 02 00 00 00 03 0F 02")))


def test_a_camera_sending_a_command_type_is_a_protocol_error() -> None:
    matcher = IpReplyMatcher(3, ReplyMatcher(1, inquiry=False))
    with pytest.raises(ProtocolError):
        matcher(IpPacket(PayloadType.COMMAND, 3, h("90 41 FF")))


def test_the_codec_imports_no_io() -> None:
    """Sans-I/O means it: loading the whole VISCA codec pulls in no asyncio, serial or socket."""
    code = (
        "import sys, devices.visca.exchange, devices.visca.catalog;"
        "print(sorted(m for m in ('asyncio', 'serial', 'socket') if m in sys.modules))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
