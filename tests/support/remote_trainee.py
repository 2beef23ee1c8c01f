"""A trainee run in another network namespace: joins, watches the lecturer, reports as JSON.

    ip netns exec NS python -m tests.support.remote_trainee --ws WS_URL --token T --turn-url URL

Like a browser, it uses the ICE servers of its join reply (its own short-lived TURN
credentials); `--turn-url` picks which of the TURN URLs (aiortc uses one TURN server).
Prints one JSON line: frames decoded, their size, the type of the local candidate its media
used, its TURN username and the time from connecting to the first decoded frame.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from aiortc import RTCIceServer

from classroom.roles import Role, Source
from signaling.ws.client import ClassClient, WebSocketChannel


def nominated_local_types(client: ClassClient) -> list[str]:
    types = []
    pc = client.subscribe_pc
    if pc is not None:
        for transceiver in pc.getTransceivers():
            pair = transceiver.receiver.transport.transport._connection._nominated.get(1)
            if pair is not None:
                types.append(pair.local_candidate.type)
    return types


async def watch(
    ws: str, token: str, turn_url: str | None, frames: int, timeout: float, no_ice_servers: bool = False
) -> dict[str, object]:
    started = time.monotonic()
    client = ClassClient(await WebSocketChannel.connect(ws), timeout=timeout)
    joined = await client.join(token, name="Học viên ở nhà")
    turn = next((s for s in joined.ice_servers if s.username), None)
    if turn_url is not None:
        if turn is None or turn_url not in turn.urls:
            raise SystemExit(f"no TURN server {turn_url} in the join reply: {joined.ice_servers}")
        client.use_ice_servers([RTCIceServer(urls=[turn_url], username=turn.username, credential=turn.credential)])
    elif no_ice_servers:
        client.use_ice_servers([])  # direct only (host candidates), e.g. to compare with TURN
    lecturer = next(p for p in joined.participants if p.role == Role.LECTURER)
    video = await client.wait_for_track(lecturer.id, Source.CAMERA, timeout=timeout)
    first = await asyncio.wait_for(video.track.recv(), timeout)
    first_at = time.monotonic() - started
    sizes = {(first.width, first.height)}
    for _ in range(frames - 1):
        frame = await asyncio.wait_for(video.track.recv(), timeout)
        sizes.add((frame.width, frame.height))
    result = {
        "frames": frames,
        "sizes": sorted(sizes),
        "local_candidate_types": nominated_local_types(client),
        "turn_username": turn.username if turn else None,
        "first_frame_s": first_at,
    }
    await client.close()
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ws", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--turn-url")
    parser.add_argument("--frames", type=int, default=10)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--no-ice-servers", action="store_true", help="ignore the join reply's STUN/TURN servers")
    args = parser.parse_args()
    result = asyncio.run(watch(args.ws, args.token, args.turn_url, args.frames, args.timeout, args.no_ice_servers))
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
