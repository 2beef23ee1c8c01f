"""The load harness's publisher and light subscribers, talking to Janus's VideoRoom instead.

Same media, same pacing, same light subscribers as bench/load_peers.py (RTP counted from the
clear header, one packet in 16 decrypted for its payload CRC); only the signaling differs:
Janus's HTTP API (bench/janus.py's JanusApi) where classbridge has its WebSocket protocol.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription

from bench.janus import JanusApi, check_loopback_sdp
from bench.load_peers import Counters, LoopedFileTrack, light_tap, note_drops, pace_and_note, until_stopped


def _configuration() -> RTCConfiguration:
    return RTCConfiguration(iceServers=[])  # no STUN: loopback only


async def _connected(pc: RTCPeerConnection, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while pc.connectionState != "connected":
        if pc.connectionState in ("failed", "closed") or time.monotonic() > deadline:
            raise RuntimeError(f"the connection to Janus is {pc.connectionState}")
        await asyncio.sleep(0.05)


async def publish(url: str, room: int, video: str, audio: str, duration: float, out: dict) -> None:
    async with httpx.AsyncClient(timeout=60) as http:
        api = JanusApi(http, url)
        await api.start()
        handle = await api.attach()
        joined = await api.message(handle, {"request": "join", "ptype": "publisher", "room": room, "display": "Load publisher"})
        feed = joined["plugindata"]["data"]["id"]
        pc = RTCPeerConnection(_configuration())
        pc.addTrack(LoopedFileTrack(video, "video"))
        pc.addTrack(LoopedFileTrack(audio, "audio"))
        await pc.setLocalDescription(await pc.createOffer())
        offer = {"type": "offer", "sdp": pc.localDescription.sdp, "trickle": False}
        answer = (await api.message(handle, {"request": "publish"}, jsep=offer))["jsep"]
        check_loopback_sdp(answer["sdp"])
        await pc.setRemoteDescription(RTCSessionDescription(answer["sdp"], "answer"))
        await _connected(pc)
        sent = pace_and_note(pc, [video], audio)
        print(json.dumps({"event": "publishing", "participant": feed}), flush=True)
        await until_stopped(duration)
        out["sent"] = sent
        await pc.close()
        await api.close()


async def subscribe(url: str, room: int, feed: int, count: int, rate: float, duration: float, tag: str) -> list[Counters]:
    all_counters: list[Counters] = []
    pcs: list[RTCPeerConnection] = []
    limits = httpx.Limits(max_connections=20, max_keepalive_connections=20)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        api = JanusApi(http, url)
        await api.start()

        async def one(i: int) -> None:
            counters = Counters(f"{tag}-{i}", connect_started=time.monotonic())
            all_counters.append(counters)
            handle = await api.attach()
            body = {"request": "join", "ptype": "subscriber", "room": room, "streams": [{"feed": feed}]}
            offer = (await api.message(handle, body))["jsep"]
            check_loopback_sdp(offer["sdp"])
            pc = RTCPeerConnection(_configuration())
            pcs.append(pc)
            await pc.setRemoteDescription(RTCSessionDescription(offer["sdp"], "offer"))
            await pc.setLocalDescription(await pc.createAnswer())
            light_tap(counters)(pc)  # its sockets exist now; no media has arrived yet
            answer = {"type": "answer", "sdp": pc.localDescription.sdp, "trickle": False}
            await api.message(handle, {"request": "start"}, jsep=answer)

        tasks = []
        for i in range(count):
            tasks.append(asyncio.create_task(one(i)))
            await asyncio.sleep(1 / rate)
        await asyncio.gather(*tasks)
        print(json.dumps({"event": "joined", "tag": tag, "count": count}), flush=True)
        await until_stopped(duration)
        note_drops(all_counters)
        for pc in pcs:
            await pc.close()
        await api.close()
    return all_counters
