"""The load harness's participants, each role run as its own process by bench/load.py.

- publisher: joins (as lecturer, or as a trainee given the floor) and sends pre-encoded files
  (packets paced from the file, the way MediaPlayer(decode=False) does, but looping smoothly),
  so it spends no CPU encoding; it notes when each packet left (CRC of the payload → monotonic
  time). With `--floor-for NAME`, a lecturer publisher gives that trainee the floor.
- subscribers: many light trainees per process. After the normal join and negotiation, RTP
  datagrams are taken straight off the ICE connection and counted from the clear RTP header:
  no SRTP decryption, no aiortc receive path, no decoding. One packet in 16 is decrypted to
  read its payload's CRC, which gives the relay-added latency against the publisher's notes.
  The publisher paces its packets as browsers do, rather than aiortc's back-to-back frames.

Every process prints one JSON line of results on stdout. Latency compares the publisher's
wall clock just before it sends with the kernel's receive timestamp at the subscriber (one
machine, one clock).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import struct
import sys
import time
import zlib
from dataclasses import dataclass, field
from typing import Literal

import av
from aiortc import MediaStreamTrack, RTCPeerConnection

from classroom.relay import aiortc_internals
from classroom.roles import Source
from signaling.ws.client import ClassClient, ServerError, WebSocketChannel
from signaling.ws.messages import ErrorCode, FloorRequest

SAMPLE_EVERY = 16
_HEADER = struct.Struct("!BBHII")


def payload_offset(packet: bytes) -> int:
    """Where the RTP payload starts: after CSRCs and the header extension (RFC 3550 §5.1)."""
    offset = 12 + 4 * (packet[0] & 0x0F)
    if packet[0] & 0x10:
        (length,) = struct.unpack_from("!H", packet, offset + 2)
        offset += 4 + 4 * length
    return offset


def is_rtp(data: bytes) -> bool:
    return len(data) >= 12 and 127 < data[0] < 192 and not 192 <= data[1] <= 223


# ---- publisher ---------------------------------------------------------------------------------


class LoopedFileTrack(MediaStreamTrack):
    """A file's encoded packets, paced in real time and looped with ever-increasing timestamps.

    aiortc's MediaPlayer(decode=False, loop=True) restarts timestamps at each loop and then
    sends a burst to catch up; a load test needs a steady stream for as long as it runs.
    """

    def __init__(self, path: str, kind: str):
        super().__init__()
        self.kind = kind
        with av.open(path) as container:
            stream = container.streams.video[0] if kind == "video" else container.streams.audio[0]
            self._time_base = stream.time_base
            self._packets = [(p.pts, bytes(p), p.is_keyframe) for p in container.demux(stream) if p.size]
        first, last = self._packets[0][0], self._packets[-1][0]
        step = self._packets[1][0] - first
        self._span = last - first + step  # one loop, in time_base units
        self._index = 0
        self._loop = 0
        self._start: float | None = None

    async def recv(self) -> av.Packet:
        pts0, data, key = self._packets[self._index]
        pts = pts0 - self._packets[0][0] + self._loop * self._span
        if self._start is None:
            self._start = time.monotonic()
        delay = self._start + float(pts * self._time_base) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        self._index += 1
        if self._index == len(self._packets):
            self._index = 0
            self._loop += 1
        packet = av.Packet(data)
        packet.pts = pts
        packet.time_base = self._time_base
        packet.is_keyframe = key
        return packet


def file_bitrate(path: str, kind: str) -> float:
    with av.open(path) as container:
        stream = container.streams.video[0] if kind == "video" else container.streams.audio[0]
        packets = [p for p in container.demux(stream) if p.size]
        seconds = float((packets[-1].pts - packets[0].pts) * stream.time_base) or 1.0
        return sum(p.size for p in packets) * 8 / seconds


class Pacer:
    """Spreads packets at a fixed rate, as browsers do (Chrome paces at 2.5 × its target rate).

    aiortc sends each frame's packets back to back; a relay fed by such bursts shows queueing
    that real publishers never cause, so the harness paces like a browser.
    """

    def __init__(self, bits_per_second: float):
        self.bytes_per_second = bits_per_second / 8
        self.next_free = 0.0

    async def wait(self, size: int) -> None:
        now = time.monotonic()
        start = max(now, self.next_free)
        self.next_free = start + size / self.bytes_per_second
        if start - now > 0.001:
            await asyncio.sleep(start - now)


PACING_FACTOR = 2.5


async def publish(
    url: str,
    class_id: str,
    token: str,
    video: str,
    audio: str,
    duration: float,
    out: dict,
    name: str = "Load publisher",
    floor_for: str | None = None,
    layer_videos: tuple[str, str] | None = None,
) -> None:
    """`layer_videos`: the medium and low layers' files; the camera is then published as three
    layered tracks, as the class page publishes it (docs/relay.md, "Layers")."""
    client = ClassClient(await WebSocketChannel.connect(f"{url}/ws/{class_id}", max_size=None))
    await client.join(token, name=name)
    high = LoopedFileTrack(video, "video")
    tracks: list[tuple[MediaStreamTrack, Source]] = [(high, Source.CAMERA)]
    layers: dict[str, tuple[str, Literal["medium", "low"]]] = {}
    if layer_videos is not None:
        for path, quality in zip(layer_videos, ("medium", "low"), strict=True):
            layer = LoopedFileTrack(path, "video")
            tracks.append((layer, Source.CAMERA))
            layers[layer.id] = (high.id, quality)
    await client.publish([*tracks, (LoopedFileTrack(audio, "audio"), Source.MICROPHONE)], layers=layers)
    assert client.publish_pc is not None
    sent = pace_and_note(client.publish_pc, [video, *(layer_videos or ())], audio)
    print(json.dumps({"event": "publishing", "participant": client.joined.participant.id}), flush=True)
    pinging = asyncio.create_task(keep_alive([client]))
    if floor_for is not None:  # a lecturer gives the floor to the trainee of that name
        holder = await named(client, floor_for)
        await client.send(FloorRequest(type="floor", participant_id=holder, give=True))
        floor = await client.next_event("floor", timeout=30)
        print(json.dumps({"event": "floor_given", "holders": floor.holders}), flush=True)
    await until_stopped(duration)
    pinging.cancel()
    out["sent"] = sent
    await client.close()


KEEPALIVE_S = 15.0  # the server drops a joined connection silent for signaling.keepalive_timeout_s (45 s)


async def keep_alive(clients: list[ClassClient]) -> None:
    """Ping as the class page does, so that a long join phase on a loaded machine does not cost
    the publisher (or an early subscriber) its place before the window."""
    while True:
        await asyncio.sleep(KEEPALIVE_S)
        for client in list(clients):
            try:
                await client.ping()
            except Exception:  # a closed connection: the results will show it
                pass


async def until_stopped(duration: float) -> None:
    """Run until the harness says so (SIGTERM, once its window is over), `duration` at most."""
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), duration)
    except TimeoutError:
        pass


def pace_and_note(pc: RTCPeerConnection, videos: list[str], audio: str) -> dict[int, list[float]]:
    """Pace the publisher's RTP like a browser and note when each payload left (CRC → wall times)."""
    sent: dict[int, list[float]] = {}
    dtls = pc.getTransceivers()[0].sender.transport
    send_rtp = dtls._send_rtp
    pacer = Pacer(PACING_FACTOR * (sum(file_bitrate(v, "video") for v in videos) + file_bitrate(audio, "audio")))

    async def noting_send_rtp(data: bytes) -> None:
        if is_rtp(data):
            await pacer.wait(len(data))
            sent.setdefault(zlib.crc32(data[payload_offset(data) :]), []).append(time.time())
        await send_rtp(data)

    dtls._send_rtp = noting_send_rtp
    return sent


async def named(client: ClassClient, name: str) -> str:
    """The id of the participant called `name`, once they are in the class."""
    assert client.joined is not None
    for participant in client.joined.participants:
        if participant.name == name:
            return participant.id
    while True:
        joined = await client.next_event("participant_joined", timeout=60)
        if joined.participant.name == name:
            return joined.participant.id


# ---- subscribers ------------------------------------------------------------------------------


@dataclass
class Counters:
    name: str
    connect_started: float = 0.0
    first_video: float | None = None
    packets: int = 0
    octets: int = 0
    frames: int = 0
    lost: int = 0
    highest: dict[int, int] = field(default_factory=dict)  # per SSRC
    samples: list[tuple[int, float]] = field(default_factory=list)  # (payload CRC, arrival)
    per_second: dict[int, int] = field(default_factory=dict)  # packets by whole monotonic second
    frames_per_second: dict[int, int] = field(default_factory=dict)
    video_ssrcs: set[int] = field(default_factory=set)
    ports: list[int] = field(default_factory=list)  # its UDP sockets' local ports, for the kernel's drop counts
    kernel_drops: int = 0

    def on_rtp(self, data: bytes, now: float, received_at: float, unprotect) -> None:
        """`now`: monotonic, for rates; `received_at`: the kernel's wall-clock receive time."""
        b0, b1, seq, ts, ssrc = _HEADER.unpack_from(data)
        self.packets += 1
        second = int(now)
        self.per_second[second] = self.per_second.get(second, 0) + 1
        self.octets += len(data)
        last = self.highest.get(ssrc)
        if last is not None:
            gap = (seq - last) & 0xFFFF
            if gap < 0x8000:
                self.lost += gap - 1
                self.highest[ssrc] = seq
        else:
            self.highest[ssrc] = seq
        if ssrc in self.video_ssrcs:
            if self.first_video is None:
                self.first_video = now
            if b1 & 0x80:
                self.frames += 1
                self.frames_per_second[second] = self.frames_per_second.get(second, 0) + 1
        else:
            return  # latency is sampled on video: audio payloads of a steady tone repeat
        if seq % SAMPLE_EVERY == 0 and unprotect is not None:
            try:
                plain = unprotect(data)
            except Exception:
                return
            self.samples.append((zlib.crc32(plain[payload_offset(plain) :]), received_at))


def light_tap(counters: Counters):
    """A ClassClient hook: once the subscribe connection's sockets exist, read them ourselves.

    RTP datagrams are counted from their clear header and stamped with the kernel's receive
    time (SO_TIMESTAMPNS), so the latency measured is the relay's, not this process's
    scheduling; everything else (STUN, DTLS, RTCP) goes on to aioice as before.
    """

    def install(pc: RTCPeerConnection) -> None:
        dtls = pc.getTransceivers()[0].receiver.transport
        counters.video_ssrcs.update(video_ssrcs(pc.remoteDescription.sdp))
        loop = asyncio.get_running_loop()
        for protocol in dtls.transport._connection._protocols:
            sock = protocol.transport._sock
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            roomy_receive_buffer(sock)
            counters.ports.append(sock.getsockname()[1])
            protocol.transport.pause_reading()  # asyncio stops reading this socket...
            loop._add_reader(sock.fileno(), _reader(sock, protocol, dtls, counters))  # ...we do

    return install


SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
SO_RCVBUFFORCE = getattr(socket, "SO_RCVBUFFORCE", 33)
RECEIVE_BUFFER = 4 * 1024 * 1024


def roomy_receive_buffer(sock: socket.socket) -> None:
    """A measuring subscriber at nice 10 on a busy machine may be scheduled late; a large receive
    buffer keeps its own kernel from dropping what the relay delivered (the rest is counted in
    /proc/net/udp and reported). Beyond net.core.rmem_max only root may go (SO_RCVBUFFORCE)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER)
    except OSError:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
_TIMESPEC = struct.Struct("@ll")


def _reader(sock: socket.socket, protocol, dtls, counters: Counters):
    def read() -> None:
        while True:
            try:
                data, ancillary, _, addr = sock.recvmsg(2048, 64)
            except OSError:  # drained (BlockingIOError) or closed
                return
            if is_rtp(data):
                stamp = time.time()
                for level, kind, value in ancillary:
                    if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                        seconds, nanoseconds = _TIMESPEC.unpack_from(value)
                        stamp = seconds + nanoseconds / 1e9
                srtp = dtls._rx_srtp
                counters.on_rtp(data, time.monotonic(), stamp, srtp.unprotect if srtp is not None else None)
            else:
                protocol.datagram_received(data, addr)

    return read


def socket_drops(ports: set[int]) -> int:
    """Datagrams the kernel dropped at these local UDP ports (/proc/net/udp: the subscriber's own
    receive buffers overflowing, as opposed to loss upstream at the relay)."""
    drops = 0
    for table in ("/proc/net/udp", "/proc/net/udp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) in ports:
                drops += int(fields[-1])
    return drops


def note_drops(counters: list[Counters]) -> None:
    for c in counters:
        c.kernel_drops = socket_drops(set(c.ports))


def video_ssrcs(sdp: str) -> set[int]:
    """The SSRCs the offer announces in video m-sections (media and RTX)."""
    found: set[int] = set()
    kind = None
    for line in sdp.splitlines():
        if line.startswith("m="):
            kind = line[2:].split()[0]
        elif line.startswith("a=ssrc:") and kind == "video":
            found.add(int(line[7:].split()[0]))
    return found


async def subscribe(url: str, class_id: str, token: str, count: int, rate: float, duration: float, tag: str) -> list[Counters]:
    clients: list[ClassClient] = []
    all_counters: list[Counters] = []

    async def one(i: int) -> None:
        counters = Counters(f"{tag}-{i}", connect_started=time.monotonic())
        all_counters.append(counters)
        while True:  # as the class page does: a join answered server_busy comes back when told
            channel = await WebSocketChannel.connect(f"{url}/ws/{class_id}", max_size=None)
            client = ClassClient(channel, timeout=60, on_subscribe_connection=light_tap(counters))
            try:
                await client.join(token, name=counters.name)
                break
            except ServerError as error:
                if error.error.code != ErrorCode.SERVER_BUSY:
                    raise
                await client.close()
                await asyncio.sleep(error.error.retry_after_s or 1.0)
        clients.append(client)

    pinging = asyncio.create_task(keep_alive(clients))
    tasks = []
    for i in range(count):
        tasks.append(asyncio.create_task(one(i)))
        await asyncio.sleep(1 / rate)
    await asyncio.gather(*tasks)
    print(json.dumps({"event": "joined", "tag": tag, "count": count}), flush=True)
    await until_stopped(duration)
    pinging.cancel()
    note_drops(all_counters)
    for client in clients:
        await client.close()
    return all_counters


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("role", choices=["publisher", "subscribers"])
    parser.add_argument("--url", required=True)
    parser.add_argument("--class-id", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--duration", type=float, required=True)
    parser.add_argument("--video")
    parser.add_argument("--audio")
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--rate", type=float, default=10.0, help="joins per second")
    parser.add_argument("--tag", default="s")
    parser.add_argument("--name", default="Load publisher", help="publisher: the name it joins under")
    parser.add_argument("--floor-for", help="publisher (a lecturer): give the floor to the participant of this name")
    parser.add_argument("--layer-videos", nargs=2, metavar=("MEDIUM", "LOW"), help="publisher: publish the camera as three layers")
    parser.add_argument(
        "--relay", choices=["classbridge", "janus"], default="classbridge",
        help="janus: --url is Janus's HTTP API, --class-id the VideoRoom, --token (subscribers) the publisher's feed id",
    )  # fmt: skip
    args = parser.parse_args()
    # The subscribers yield the cores to the server they measure: they share them, and the
    # server's latency should not include waiting behind its own subscribers. The publisher
    # (one light process) keeps the server's priority: starved, it would send in bursts, as
    # no real publisher on its own machine does, and the window would measure its catching up.
    if args.role == "subscribers":
        os.nice(10)
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    if args.role == "publisher":
        out: dict = {}
        if args.relay == "janus":
            from bench import janus_peers

            asyncio.run(janus_peers.publish(args.url, int(args.class_id), args.video, args.audio, args.duration, out))
        else:
            asyncio.run(
                publish(
                    args.url, args.class_id, args.token, args.video, args.audio, args.duration, out, args.name, args.floor_for,
                    tuple(args.layer_videos) if args.layer_videos else None,
                )
            )
        result = {"event": "result", "role": "publisher", "sent": list(out["sent"].items())}
    else:
        if args.relay == "janus":
            from bench import janus_peers

            counters = asyncio.run(
                janus_peers.subscribe(args.url, int(args.class_id), int(args.token), args.count, args.rate, args.duration, args.tag)
            )
        else:
            counters = asyncio.run(
                subscribe(args.url, args.class_id, args.token, args.count, args.rate, args.duration, args.tag)
            )
        result = {
            "event": "result",
            "role": "subscribers",
            "subscribers": [
                {
                    "name": c.name,
                    "join_s": (c.first_video - c.connect_started) if c.first_video else None,
                    "packets": c.packets,
                    "octets": c.octets,
                    "frames": c.frames,
                    "lost": c.lost,
                    "kernel_drops": c.kernel_drops,
                    "samples": c.samples,
                    "per_second": list(c.per_second.items()),
                    "frames_per_second": list(c.frames_per_second.items()),
                }
                for c in counters
            ],
        }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
