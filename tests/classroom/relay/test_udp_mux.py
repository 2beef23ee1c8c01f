"""Single-port demultiplexing, sans I/O: real STUN messages (aioice builds them), no sockets."""

from __future__ import annotations

import os

from aioice import stun

from classroom.relay.udp_mux import UdpMux, stun_request_ufrag

A = ("192.0.2.1", 5000)
B = ("192.0.2.2", 6000)


def binding_request(username: str | None) -> bytes:
    message = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    if username is not None:
        message.attributes["USERNAME"] = username
    message.attributes["PRIORITY"] = 1234
    message.add_message_integrity(b"password")
    return bytes(message)


def binding_response() -> bytes:
    message = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.RESPONSE)
    message.attributes["XOR-MAPPED-ADDRESS"] = A
    return bytes(message)


RTP = bytes([0x80, 96]) + os.urandom(30)
DTLS = bytes([22, 0xFE, 0xFD]) + os.urandom(30)


def test_the_ufrag_is_read_from_a_binding_request():
    assert stun_request_ufrag(binding_request("srv1:browser")) == "srv1"
    assert stun_request_ufrag(binding_request(None)) is None
    assert stun_request_ufrag(binding_request(":x")) is None
    assert stun_request_ufrag(binding_response()) is None
    assert stun_request_ufrag(RTP) is None and stun_request_ufrag(DTLS) is None


def test_truncated_or_garbled_requests_are_nobodys():
    data = binding_request("srv1:browser")
    for cut in (0, 10, 20, 25, len(data) - 1):
        assert stun_request_ufrag(data[:cut]) is None
    bad_cookie = data[:4] + b"\0\0\0\0" + data[8:]
    assert stun_request_ufrag(bad_cookie) is None
    huge_attribute = data[:20] + bytes([0, 6, 0xFF, 0xFF]) + data[24:]
    assert stun_request_ufrag(huge_attribute) is None


def test_a_request_teaches_the_senders_address_and_media_follows_it():
    mux: UdpMux[str] = UdpMux()
    mux.register("aaaa", "alice")
    mux.register("bbbb", "bob")
    assert mux.route(RTP, A) is None  # an unknown sender's media: dropped
    assert mux.route(binding_request("aaaa:x"), A) == "alice"
    assert mux.route(binding_request("bbbb:y"), B) == "bob"
    assert mux.route(RTP, A) == "alice" and mux.route(DTLS, B) == "bob"
    assert mux.route(binding_request("zzzz:y"), B) is None  # an unknown ufrag


def test_answers_to_our_checks_reach_the_connection_that_sent_them():
    mux: UdpMux[str] = UdpMux()
    mux.register("aaaa", "alice")
    mux.register("bbbb", "bob")
    mux.claim(A, "alice")
    mux.claim(A, "bob")  # already alice's: a claim never steals
    assert mux.route(binding_response(), A) == "alice"
    # A request naming bob from that address moves it to bob (the ufrag is the authority).
    assert mux.route(binding_request("bbbb:z"), A) == "bob"
    assert mux.route(RTP, A) == "bob"


def test_unregistering_frees_the_ufrag_and_the_addresses():
    mux: UdpMux[str] = UdpMux()
    mux.register("aaaa", "alice")
    mux.route(binding_request("aaaa:x"), A)
    mux.claim(B, "alice")
    assert len(mux) == 1
    mux.unregister("alice")
    assert len(mux) == 0
    assert mux.route(RTP, A) is None and mux.route(RTP, B) is None
    mux.register("aaaa", "carol")  # the ufrag can be used again
    mux.claim(A, "dave")  # not registered: ignored
    assert mux.route(RTP, A) is None


def test_a_ufrag_cannot_be_registered_twice():
    mux: UdpMux[str] = UdpMux()
    mux.register("aaaa", "alice")
    try:
        mux.register("aaaa", "bob")
    except ValueError as e:
        assert "already in use" in str(e)
    else:
        raise AssertionError("a second registration of a ufrag was accepted")
