import json

import pytest
from hypothesis import given, strategies as st

from signaling.workers.ipc import MAX_MESSAGE_BYTES, Decoder, IpcError, encode


def test_round_trip_whole_and_byte_by_byte():
    messages = [{"t": "open", "c": 1, "class": "abc"}, {"t": "frame", "c": 1, "d": "x" * 70_000 + "ệ"}]
    data = b"".join(encode(m) for m in messages)
    assert Decoder().feed(data) == messages
    decoder, out = Decoder(), []
    for i in range(len(data)):
        out += decoder.feed(data[i : i + 1])
    assert out == messages


def test_partial_message_waits_for_the_rest():
    data = encode({"t": "x"})
    decoder = Decoder()
    assert decoder.feed(data[:3]) == []
    assert decoder.feed(data[3:]) == [{"t": "x"}]


@pytest.mark.parametrize(
    "body",
    [b"not json", json.dumps([1, 2]).encode(), json.dumps({"no": "type"}).encode()],
)
def test_bad_bodies(body):
    with pytest.raises(IpcError):
        Decoder().feed(len(body).to_bytes(4, "big") + body)


def test_oversized_announcement_is_refused_before_buffering():
    with pytest.raises(IpcError, match="exceeds"):
        Decoder().feed((MAX_MESSAGE_BYTES + 1).to_bytes(4, "big"))
    with pytest.raises(IpcError):
        encode({"t": "x", "d": "x" * (MAX_MESSAGE_BYTES + 1)})


@given(st.binary(max_size=200))
def test_random_bytes_only_raise_ipc_errors(data):
    try:
        Decoder().feed(data)
    except IpcError:
        pass
