import json

import pytest
from hypothesis import given, strategies as st

from signaling.workers.ipc import (
    MAX_MESSAGE_BYTES,
    Close,
    Decoder,
    EndClass,
    Frame,
    Gone,
    IpcError,
    Open,
    Ready,
    StatsReply,
    StatsRequest,
    encode,
)

EVERY_MESSAGE = [
    Open(1, "abc"),
    Frame(1, "x" * 70_000 + "ệ"),
    Gone(1),
    EndClass("abc"),
    StatsRequest(7),
    Ready(),
    Close(1, 1008, "too_slow"),
    StatsReply(7, {"forwarded_packets": 10}, {"classes": 1}),
]


def test_round_trip_whole_and_byte_by_byte():
    messages = EVERY_MESSAGE
    data = b"".join(encode(m) for m in messages)
    assert Decoder().feed(data) == messages
    decoder, out = Decoder(), []
    for i in range(len(data)):
        out += decoder.feed(data[i : i + 1])
    assert out == messages


def test_partial_message_waits_for_the_rest():
    data = encode(Ready())
    decoder = Decoder()
    assert decoder.feed(data[:3]) == []
    assert decoder.feed(data[3:]) == [Ready()]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        json.dumps([1, 2]).encode(),
        json.dumps({"no": "type"}).encode(),
        json.dumps({"t": "x"}).encode(),  # no such message
        json.dumps({"t": "open", "conn": 1}).encode(),  # a field missing
        json.dumps({"t": "open", "conn": "1", "class_id": "c"}).encode(),  # a field of the wrong type
        json.dumps({"t": "gone", "conn": True}).encode(),
        json.dumps({"t": "reply", "request": 1, "counters": {"a": "b"}, "gauges": {}}).encode(),
        json.dumps({"t": "ready", "extra": 1}).encode(),
        b"[" * 100_000,
    ],
)
def test_bad_bodies(body):
    with pytest.raises(IpcError):
        Decoder().feed(len(body).to_bytes(4, "big") + body)


def test_oversized_announcement_is_refused_before_buffering():
    with pytest.raises(IpcError, match="exceeds"):
        Decoder().feed((MAX_MESSAGE_BYTES + 1).to_bytes(4, "big"))
    with pytest.raises(IpcError):
        encode(Frame(1, "x" * (MAX_MESSAGE_BYTES + 1)))


@given(st.binary(max_size=200))
def test_random_bytes_only_raise_ipc_errors(data):
    try:
        Decoder().feed(data)
    except IpcError:
        pass
