"""The baseline for the load harness: a relay built the usual aiortc way.

    python -m bench.baseline_server --port 8100

It speaks enough of classbridge's signaling protocol for bench/load_peers.py (join, publish
offer/answer, subscribe offer/answer) and relays with `aiortc.contrib.media.MediaRelay`, fed
by the publisher's remote tracks: aiortc decodes what it receives and every subscriber's
sender re-encodes it (aiortc issues #1015, #1155). No tokens, no database: it exists only to
be measured against.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import secrets

import uvicorn
from aiortc import MediaStreamTrack, RTCBundlePolicy, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from aiortc.contrib.media import MediaRelay
from fastapi import FastAPI, WebSocket, WebSocketDisconnect

from classroom.relay import aiortc_internals
from classroom.roles import Role, Source
from signaling.ws.messages import (
    LiveClassInfo,
    ClientAnswer,
    ClientOffer,
    Join,
    Joined,
    Limits,
    ParticipantInfo,
    Ping,
    Pong,
    Publish,
    ServerAnswer,
    ServerOffer,
    SubscribedTrack,
    encode,
    parse_client_message,
)

app = FastAPI()
relay = MediaRelay()
published: list[tuple[str, MediaStreamTrack, Source]] = []  # (publisher id, track, source)
publisher_ready = asyncio.Event()


def configuration() -> RTCConfiguration:
    return RTCConfiguration(iceServers=[], bundlePolicy=RTCBundlePolicy.MAX_BUNDLE)


@app.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.websocket("/ws/{class_id}")
async def socket(websocket: WebSocket, class_id: str) -> None:
    await websocket.accept()
    me = secrets.token_urlsafe(6)
    pcs: list[RTCPeerConnection] = []
    answers: asyncio.Queue[str] = asyncio.Queue()
    sources: dict[str, Source] = {}
    try:
        while True:
            message = parse_client_message(await websocket.receive_text(), 1 << 20)
            if isinstance(message, Join):
                info = ParticipantInfo(id=me, role=Role.TRAINEE, name=message.name or "x")
                await websocket.send_text(
                    encode(
                        Joined(
                            participant=info,
                            class_=LiveClassInfo(id=class_id, title="baseline"),
                            participants=[],
                            ice_servers=[],
                            limits=Limits(max_message_bytes=1 << 20, rate_per_second=1000, keepalive_timeout_s=600),
                        )
                    )
                )
                if publisher_ready.is_set():
                    asyncio.create_task(subscribe(websocket, pcs, answers))
            elif isinstance(message, Publish):
                sources.update({t.track_id: t.source for t in message.tracks})
            elif isinstance(message, ClientOffer):
                pc = RTCPeerConnection(configuration())
                pcs.append(pc)

                @pc.on("track")
                def on_track(track: MediaStreamTrack) -> None:
                    published.append((me, track, sources.get(track.id, Source.CAMERA)))

                await pc.setRemoteDescription(RTCSessionDescription(message.sdp, "offer"))
                await pc.setLocalDescription(await pc.createAnswer())
                await websocket.send_text(encode(ServerAnswer(sdp=pc.localDescription.sdp)))
                publisher_ready.set()
            elif isinstance(message, ClientAnswer):
                answers.put_nowait(message.sdp)
            elif isinstance(message, Ping):
                await websocket.send_text(encode(Pong(ts=message.ts)))
    except WebSocketDisconnect:
        pass
    finally:
        for pc in pcs:
            await pc.close()


async def subscribe(websocket: WebSocket, pcs: list[RTCPeerConnection], answers: asyncio.Queue[str]) -> None:
    pc = RTCPeerConnection(configuration())
    pcs.append(pc)
    entries = []
    for publisher, track, source in published:
        transceiver = pc.addTransceiver(relay.subscribe(track), direction="sendonly")
        entries.append((transceiver, publisher, track, source))
    await pc.setLocalDescription(await pc.createOffer())
    tracks = [
        SubscribedTrack(mid=t.mid, participant_id=p, track_id=track.id, source=source, kind=track.kind)  # type: ignore[arg-type]
        for t, p, track, source in entries
    ]
    await websocket.send_text(encode(ServerOffer(sdp=pc.localDescription.sdp, tracks=tracks, fresh=True)))
    await pc.setRemoteDescription(RTCSessionDescription(await answers.get(), "answer"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    aiortc_internals.use_host_addresses(["127.0.0.1"])
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
