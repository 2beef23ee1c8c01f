"""Tripwires for every aiortc/aioice private API the relay uses (classroom/relay/aiortc_internals.py).

If one of these fails after an upgrade, the relay's hooks no longer fit aiortc: read the new
aiortc code, adapt aiortc_internals.py, then update the pins in pyproject.toml.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import inspect

import aioice.ice
import pytest
from aiortc import RTCPeerConnection, RTCRtpReceiver, RTCRtpSender, RTCRtpTransceiver
from aiortc.rtcdtlstransport import RTCDtlsTransport
from aiortc.rtcicetransport import RTCIceTransport
from aiortc.rtcpeerconnection import RTCPeerConnection as PC

from classroom.relay import aiortc_internals
from classroom.relay.forwarding import CodecSpec


def source(obj) -> str:
    return inspect.getsource(obj)


def test_versions_are_the_pinned_ones():
    aiortc_internals.check_versions()
    assert importlib.metadata.version("aiortc") == "1.16.0"
    assert importlib.metadata.version("aioice") == "0.13.0"


def test_version_mismatch_is_refused(monkeypatch):
    monkeypatch.setitem(aiortc_internals.PINNED_VERSIONS, "aiortc", "0.0.1")
    with pytest.raises(RuntimeError, match="aiortc==0.0.1"):
        aiortc_internals.check_versions()


def test_receiver_feeds_its_jitter_buffer_after_rtx_unwrap():
    code = source(RTCRtpReceiver._handle_rtp_packet)
    assert "self.__jitter_buffer.add(packet)" in code, "ingress tap point moved"
    assert code.index("unwrap_rtx") < code.index("self.__jitter_buffer.add"), "tap must see unwrapped packets"
    assert "self.__jitter_buffer = JitterBuffer" in source(RTCRtpReceiver.__init__)


def test_receivers_only_start_when_their_m_line_receives():
    """release_receiver_state relies on send-only receivers never being started."""
    connect = source(PC._RTCPeerConnection__connect)
    assert 'if transceiver.currentDirection in ["recvonly", "sendrecv"]:' in connect
    assert "self.__transport._register_rtp_receiver(self, parameters)" in source(RTCRtpReceiver.receive)
    init = source(RTCRtpReceiver.__init__)
    assert "self.__nack_generator = NackGenerator()" in init


def test_receiver_bandwidth_estimator_and_rtcp_ssrc_fields():
    init = source(RTCRtpReceiver.__init__)
    assert "self.__remote_bitrate_estimator = RemoteBitrateEstimator()" in init
    assert "self.__rtcp_ssrc: Optional[int] = None" in init
    assert "if self.__remote_bitrate_estimator is not None:" in source(RTCRtpReceiver._handle_rtp_packet)
    assert list(inspect.signature(RTCRtpReceiver._send_rtcp).parameters) == ["self", "packet"]


def test_receiver_decoder_thread_can_be_stopped_and_pli_sent():
    assert callable(RTCRtpReceiver._RTCRtpReceiver__stop_decoder)
    assert "decoder_worker" in source(RTCRtpReceiver.receive)
    assert list(inspect.signature(RTCRtpReceiver._send_rtcp_pli).parameters) == ["self", "media_ssrc"]
    assert "RtcpSrPacket" in source(RTCRtpReceiver._handle_rtcp_packet)


def test_sender_rtcp_hooks():
    run_rtcp = source(RTCRtpSender._run_rtcp)
    assert "await self._send_rtcp(packets)" in run_rtcp, "SR rewriting hook moved"
    assert "RtcpSrPacket(" in run_rtcp
    assert "self.__rtcp_task = asyncio.ensure_future(self._run_rtcp())" in source(RTCRtpSender.send)
    assert "self.__track.recv()" in source(RTCRtpSender._next_encoded_frame)
    init = source(RTCRtpSender.__init__)
    for attribute in ("self._ssrc", "self._rtx_ssrc", "self._stream_id"):
        assert attribute in init, attribute
    assert "self._track_id" in source(RTCRtpSender.replaceTrack)


def test_peer_connection_restarts_senders_on_each_negotiation_and_uses_msid_fields():
    connect = source(PC._RTCPeerConnection__connect)
    assert "await transceiver.sender.send(self.__localRtp(transceiver))" in connect
    module = inspect.getsource(inspect.getmodule(PC))
    assert 'media.msid = f"{transceiver.sender._stream_id} {transceiver.sender._track_id}"' in module
    assert "transceiver._codecs = common" in source(PC.setRemoteDescription)
    assert "transceiver._offerDirection = direction" in source(PC.setRemoteDescription)
    assert "fmt=[c.payloadType for c in transceiver._codecs]" in module


def test_transceiver_codec_fields():
    assert "_codecs" in source(RTCRtpTransceiver.__init__)
    assert "_offerDirection" in source(RTCRtpTransceiver.__init__)


def test_egress_path():
    assert "self._tx_srtp.protect(data)" in source(RTCDtlsTransport._send_rtp)
    assert "if self._state != State.CONNECTED:" in source(RTCDtlsTransport._send_rtp)
    assert "return str(self._state)[6:].lower()" in source(RTCDtlsTransport.state.fget)
    assert source(aioice.ice.CandidatePair.remote_addr.fget).strip().endswith(
        "return (self.remote_candidate._network_host, self.remote_candidate.port)"
    )
    assert "self._connection = gatherer._connection" in source(RTCIceTransport.__init__)
    sendto = source(aioice.ice.Connection.sendto)
    assert "active_pair = self._nominated.get(component)" in sendto
    assert "active_pair.protocol.send_data(data, active_pair.remote_addr)" in sendto
    assert "self.transport.sendto(data, addr)" in source(aioice.ice.StunProtocol.send_data)


def test_host_addresses_hook():
    assert "addresses = get_host_addresses(" in source(aioice.ice.Connection.gather_candidates)
    assert "self.receiver.request_received(message, addr, self)" in source(aioice.ice.StunProtocol.datagram_received)
    assert list(inspect.signature(aioice.ice.Connection.request_received).parameters) == [
        "self", "message", "addr", "protocol"
    ]


class RecordingProtocol:
    """Stands in for aioice's socket protocol: records the STUN answers it is asked to send."""

    def __init__(self):
        self.sent = []

    def send_stun(self, message, addr):
        self.sent.append(addr)


def test_on_loopback_checks_from_other_addresses_are_ignored():
    from aioice import stun

    connection = aioice.Connection(ice_controlling=True)
    request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
    protocol = RecordingProtocol()
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    try:
        connection.request_received(request, ("192.0.2.2", 5000), protocol)
        assert protocol.sent == []  # not even an error answer
        connection.request_received(request, ("127.0.0.1", 5000), protocol)
        assert protocol.sent == [("127.0.0.1", 5000)]  # aioice's own handling (400: no integrity)
    finally:
        aiortc_internals.use_host_addresses(None)
    connection.request_received(request, ("192.0.2.2", 5000), protocol)
    assert protocol.sent[-1] == ("192.0.2.2", 5000)  # restored: aioice answers everyone again


async def test_use_host_addresses_controls_gathered_candidates():
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    try:
        pc = RTCPeerConnection()
        pc.addTransceiver("audio")
        await pc.setLocalDescription(await pc.createOffer())
        hosts = {line.split()[4] for line in pc.localDescription.sdp.splitlines() if line.startswith("a=candidate:")}
        await pc.close()
    finally:
        aiortc_internals.use_host_addresses(None)
    assert hosts == {"127.0.0.1"}
    assert aioice.ice.get_host_addresses is aiortc_internals._aioice_host_addresses


def test_subscriber_codec_preferences_match_a_negotiated_h264():
    h264 = CodecSpec(
        "video/H264",
        90000,
        parameters=(("level-asymmetry-allowed", "1"), ("packetization-mode", "1"), ("profile-level-id", "42e01f")),
    )
    prefs = aiortc_internals.subscriber_codec_preferences(h264)
    assert prefs[0].mimeType == "video/H264" and prefs[0].parameters["profile-level-id"] == "42e01f"
    assert prefs[1].mimeType == "video/rtx"
    with pytest.raises(ValueError, match="cannot forward"):
        aiortc_internals.subscriber_codec_preferences(CodecSpec("video/AV1", 90000))


async def test_dtls_sink_refuses_before_the_connection_is_up():
    pc = RTCPeerConnection()
    transceiver = pc.addTransceiver("video", direction="sendonly")
    sink = aiortc_internals.dtls_sink(transceiver.sender)
    assert sink.send(b"\x80" + bytes(11)) is False
    assert (sink.sent, sink.refused) == (0, 1)
    await pc.close()


# ---- media ports (use_port_range, use_single_port) ---------------------------------------------


def test_aioice_gathering_hooks_for_media_ports():
    """Our gathering replaces aioice's host sockets and calls it back for STUN/TURN only."""
    gather = aioice.ice.Connection.get_component_candidates
    assert list(inspect.signature(aiortc_internals._aioice_get_component_candidates).parameters) == [
        "self", "component", "addresses", "timeout"
    ]
    code = source(aiortc_internals._aioice_get_component_candidates)
    assert "for address in addresses:" in code and "self._protocols += host_protocols" in code
    assert "for protocol in host_protocols:" in code, "STUN queries must only use the host sockets we pass"
    assert "self._protocols.append(relay_protocol)" in code
    assert gather is aiortc_internals._aioice_get_component_candidates, "left patched by a test"
    init = inspect.signature(aiortc_internals._aioice_connection_init).parameters
    assert "local_username" in init
    assert list(inspect.signature(aioice.ice.StunProtocol.__init__).parameters) == ["self", "receiver"]
    assert "self.transport = cast(asyncio.DatagramTransport, transport)" in source(
        aioice.ice.StunProtocol.connection_made
    )
    assert "self.receiver.protocol_lost(self)" in source(aioice.ice.StunProtocol.connection_lost)
    assert "self.transport.close()" in source(aioice.ice.StunProtocol.close)
    assert isinstance(aioice.turn.UDP_SOCKET_BUFFER_SIZE, int)
    assert "local_username = random_string(4)" in source(aiortc_internals._aioice_connection_init)


async def test_a_port_range_binds_host_candidates_inside_it():
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        low = probe.getsockname()[1]
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    aiortc_internals.use_port_range(low, low + 2)
    try:
        connections = [aioice.ice.Connection(ice_controlling=True) for _ in range(3)]
        for c in connections:
            await c.gather_candidates()
        ports = sorted(c.local_candidates[0].port for c in connections)
        assert ports == [low, low + 1, low + 2]
        extra = aioice.ice.Connection(ice_controlling=True)
        await extra.gather_candidates()  # the range is full: no host candidate, logged
        assert extra.local_candidates == []
        for c in [*connections, extra]:
            await c.close()
    finally:
        aiortc_internals.use_any_ports()
        aiortc_internals.use_host_addresses(None)


async def test_single_port_connections_share_one_socket_and_connect():
    """Two aioice connections on one shared socket each complete ICE with their own peer."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    peers = [aioice.ice.Connection(ice_controlling=True) for _ in range(2)]
    for p in peers:  # sockets of their own (still on loopback)
        await p.gather_candidates()
    aiortc_internals.use_single_port(port, ["127.0.0.1"])
    try:
        servers = [aioice.ice.Connection(ice_controlling=False) for _ in range(2)]
        assert all(len(s.local_username) == 16 for s in servers)
        for s in servers:
            await s.gather_candidates()
            assert [(c.host, c.port) for c in s.local_candidates] == [("127.0.0.1", port)]
        assert aiortc_internals.media_socket_count() == 2
        for s, p in zip(servers, peers, strict=True):
            for a, b in ((s, p), (p, s)):
                a.remote_username, a.remote_password = b.local_username, b.local_password
                for candidate in b.local_candidates:
                    await a.add_remote_candidate(candidate)
                await a.add_remote_candidate(None)
        await asyncio.gather(*(c.connect() for c in [*servers, *peers]))
        for i, (s, p) in enumerate(zip(servers, peers, strict=True)):
            await p.send(f"to server {i}".encode())
            assert await asyncio.wait_for(s.recv(), 5) == f"to server {i}".encode()
            await s.send(f"to peer {i}".encode())
            assert await asyncio.wait_for(p.recv(), 5) == f"to peer {i}".encode()
        for c in [*servers, *peers]:
            await c.close()
    finally:
        aiortc_internals.use_any_ports()
        aiortc_internals.use_host_addresses(None)


async def test_host_candidate_sockets_get_the_large_receive_buffer_the_relay_asks_for():
    """Any-port mode too: aioice's own sockets would keep its 256 KiB (see socket_buffers)."""
    import os
    import socket

    from classroom.relay.socket_buffers import RECEIVE_BUFFER_BYTES

    aiortc_internals.use_host_addresses(["127.0.0.1"])
    aiortc_internals.use_receive_buffer()
    try:
        connection = aioice.ice.Connection(ice_controlling=True)
        await connection.gather_candidates()
        (protocol,) = connection._protocols
        sock = protocol.transport.get_extra_info("socket")
        granted = sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF) // 2
        if os.geteuid() == 0:
            assert granted == RECEIVE_BUFFER_BYTES
        else:
            with open("/proc/sys/net/core/rmem_max") as f:
                assert granted == min(RECEIVE_BUFFER_BYTES, int(f.read()))
        await connection.close()
    finally:
        aiortc_internals.use_any_ports()
        aiortc_internals.use_host_addresses(None)
    assert aioice.ice.Connection.get_component_candidates is aiortc_internals._aioice_get_component_candidates


def test_a_taken_single_port_is_refused_with_its_number():
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as taken:
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        with pytest.raises(OSError, match=f"cannot bind UDP 127.0.0.1:{port} for media"):
            aiortc_internals.use_single_port(port, ["127.0.0.1"])
    aiortc_internals.use_any_ports()


async def test_ice_tcp_answers_a_framed_binding_request_on_the_one_port():
    """A participant's active TCP candidate (RFC 6544) reaches its connection by ufrag (RFC 4571 frames)."""
    import socket

    from aioice import stun

    from classroom.relay.tcp_framing import FrameReader, frame

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    aiortc_internals.use_tcp_port(port, ["127.0.0.1"])
    try:
        server = aioice.ice.Connection(ice_controlling=False)
        other = aioice.ice.Connection(ice_controlling=False)
        await server.gather_candidates()
        await other.gather_candidates()
        tcp = [c for c in server.local_candidates if c.transport == "tcp"]
        assert [(c.host, c.port, c.tcptype, c.type) for c in tcp] == [("127.0.0.1", port, "passive", "host")]
        udp = [c for c in server.local_candidates if c.transport == "udp"]
        assert len(udp) == 1 and udp[0].priority > tcp[0].priority, "UDP must be preferred"
        assert "tcptype passive" in tcp[0].to_sdp()

        async def ask(username: str, password: str) -> stun.Message | None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            request = stun.Message(message_method=stun.Method.BINDING, message_class=stun.Class.REQUEST)
            request.attributes["USERNAME"] = username
            request.attributes["PRIORITY"] = 1
            request.attributes["ICE-CONTROLLING"] = 1
            request.add_message_integrity(password.encode())
            writer.write(frame(bytes(request)))
            frames = FrameReader()
            try:
                while True:
                    data = await asyncio.wait_for(reader.read(4096), 5)
                    if not data:
                        return None  # closed by the server
                    for packet in frames.feed(data):
                        return stun.parse_message(packet)
            finally:
                writer.close()

        answer = await ask(f"{server.local_username}:peer", server.local_password)
        assert answer is not None and answer.message_class == stun.Class.RESPONSE
        assert answer.attributes["XOR-MAPPED-ADDRESS"][0] == "127.0.0.1"
        wrong = await ask(f"{other.local_username}:peer", server.local_password)  # other's ufrag, not its password
        assert wrong is not None and wrong.message_class == stun.Class.ERROR
        assert await ask("nobody:peer", "x" * 22) is None  # an unknown ufrag: the stream is closed
        await server.close()
        await other.close()
    finally:
        aiortc_internals.use_any_ports()
        aiortc_internals.use_host_addresses(None)
