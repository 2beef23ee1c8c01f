"""Real WebRTC peers (aiortc) through the real server over loopback.

The server runs as its own process under the codec audit: the module fixture asserts at the end
that it never created a decoder or an encoder, while the participants here decode what it
forwarded.
"""

from __future__ import annotations

import asyncio

import httpx
import pytest
from websockets.exceptions import ConnectionClosed

from classroom.roles import Source
from signaling.ws.client import ServerError
from signaling.ws.messages import ErrorCode
from tests.support.media import PatternTrack, ToneTrack, audio_level, frames

pytestmark = pytest.mark.webrtc


async def test_lecturer_reaches_three_trainees_and_a_trainee_reaches_the_lecturer(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Giảng viên")
    cleanup.append(lecturer)
    trainees = []
    for i in range(3):
        trainees.append(await server.client(cid, links["trainee"], name=f"Học viên {i + 1}"))
    cleanup.extend(trainees)
    await lecturer.publish([(PatternTrack(), Source.CAMERA), (ToneTrack(), Source.MICROPHONE)])
    lecturer_id = lecturer.joined.participant.id

    async def watch(trainee):
        video = await trainee.wait_for_track(lecturer_id, Source.CAMERA)
        audio = await trainee.wait_for_track(lecturer_id, Source.MICROPHONE)
        decoded = await frames(video.track, 15)
        sound = await frames(audio.track, 25)
        return decoded, sound

    for decoded, sound in await asyncio.gather(*(watch(t) for t in trainees)):
        assert {(f.width, f.height) for f in decoded} == {(320, 240)}
        assert max(audio_level(f) for f in sound[-10:]) > 0.05

    # A trainee speaks: the lecturer hears it, the other trainees don't receive it.
    await trainees[0].publish([(ToneTrack(660), Source.MICROPHONE)])
    heard = await lecturer.wait_for_track(trainees[0].joined.participant.id, Source.MICROPHONE)
    sound = await frames(heard.track, 25)
    assert max(audio_level(f) for f in sound[-10:]) > 0.05
    await asyncio.sleep(0.5)
    for other in trainees[1:]:
        assert {r.info.participant_id for r in other.received()} == {lecturer_id}


async def test_late_joiner_gets_a_picture_within_a_second(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Lecturer")
    cleanup.append(lecturer)
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    early = await server.client(cid, links["trainee"], name="Early")
    cleanup.append(early)
    await frames((await early.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)).track, 5)
    await asyncio.sleep(2)  # the stream's key frames are long gone

    loop = asyncio.get_running_loop()
    started = loop.time()
    late = await server.client(cid, links["trainee"], name="Late")
    cleanup.append(late)
    video = await late.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    await frames(video.track, 1)
    elapsed = loop.time() - started
    assert elapsed < 1.0, f"first picture after {elapsed:.2f} s"


async def test_tokens_are_checked_at_join(server):
    a = server.create_class("A")
    b = server.create_class("B")
    with pytest.raises(ServerError) as wrong:
        await server.client(b["id"], a["links"]["trainee"], name="x")  # A's link on B's socket
    assert wrong.value.error.code is ErrorCode.WRONG_CLASS
    token = a["links"]["trainee"].split("#t=")[1]
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(ServerError) as bad:
        await server.client(a["id"], f"x#t={tampered}", name="x")
    assert bad.value.error.code is ErrorCode.TOKEN_INVALID


async def test_ending_a_class_disconnects_everyone_and_refuses_new_joins(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    trainee = await server.client(cid, links["trainee"], name="T")
    cleanup.append(trainee)
    server.end_class(cid)
    await trainee.next_event("class_ended")
    with pytest.raises(ServerError) as refused:
        await server.client(cid, links["lecturer"], name="L")
    assert refused.value.error.code is ErrorCode.CLASS_ENDED


async def test_a_bad_client_does_not_disturb_the_others(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Lecturer")
    good = await server.client(cid, links["trainee"], name="Good")
    bad = await server.client(cid, links["trainee"], name="Bad")
    cleanup.extend([lecturer, good, bad])
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    video = await good.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)
    await frames(video.track, 3)

    await bad.send_raw("{not json")
    assert (await bad.next_event("error")).code is ErrorCode.BAD_JSON
    await bad.send_raw({"type": "teleport"})
    assert (await bad.next_event("error")).code is ErrorCode.UNKNOWN_TYPE
    await bad.send_raw({"type": "mute", "track_id": "x", "muted": "very"})
    assert (await bad.next_event("error")).code is ErrorCode.BAD_MESSAGE
    await bad.send_raw({"type": "offer", "transport": "publish", "sdp": "garbage"})
    assert (await bad.next_event("error")).code is ErrorCode.INVALID_SDP
    try:  # a flood: over the rate limit, then past the violation budget
        for _ in range(300):
            await bad.send_raw({"type": "ping"})
            await asyncio.sleep(0)
    except ConnectionClosed:
        pass  # closed while still flooding
    last = None
    while last is None or last.code is not ErrorCode.RATE_LIMITED or not last.fatal:
        last = await bad.next_event("error")
    await bad.next_event("closed")

    # The others noticed nothing: frames keep coming, and the bad client simply left.
    await frames(video.track, 10)
    gone = await lecturer.next_event("participant_left")
    assert gone.participant_id == bad.joined.participant.id
    assert not [e for e in _drain(good) if e.type == "error"]


def _drain(client):
    items = []
    while not client.events.empty():
        items.append(client.events.get_nowait())
    return items


async def test_oversized_frame_gets_too_large_and_closes_that_socket(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    other = await server.client(cid, links["trainee"], name="Other")
    big = await server.client(cid, links["trainee"], name="Big")
    cleanup.extend([other, big])
    await big.send_raw({"type": "ping", "pad": "x" * 70_000})
    error = await big.next_event("error")
    assert error.code is ErrorCode.TOO_LARGE and error.fatal
    await big.next_event("closed")
    await other.ping()
    assert (await other.next_event("pong")).type == "pong"


async def test_reload_with_the_same_client_id_replaces_the_old_seat(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Lecturer")
    first = await server.client(cid, links["trainee"], name="T", client_id="browser-1")
    cleanup.extend([lecturer, first])
    await lecturer.next_event("participant_joined")
    second = await server.client(cid, links["trainee"], name="T", client_id="browser-1")
    cleanup.append(second)
    assert (await first.next_event("error")).code is ErrorCode.REPLACED
    left = await lecturer.next_event("participant_left")
    assert left.participant_id == first.joined.participant.id and left.reason == "replaced"
    assert [p.id for p in second.joined.participants] == [lecturer.joined.participant.id]


async def test_metrics_count_what_was_forwarded(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Lecturer")
    trainee = await server.client(cid, links["trainee"], name="Trainee")
    cleanup.extend([lecturer, trainee])
    await lecturer.publish([(PatternTrack(), Source.CAMERA)])
    await frames((await trainee.wait_for_track(lecturer.joined.participant.id, Source.CAMERA)).track, 5)
    text = httpx.get(f"{server.url}/metrics").text
    samples = parse_metrics(text)
    assert sum(v for (name, _), v in samples.items() if name == "classbridge_forwarded_packets_total") > 0
    assert sum(v for (name, _), v in samples.items() if name == "classbridge_participants") >= 2
    assert "# HELP classbridge_slow_subscriber_drops_total" in text


def parse_metrics(text: str) -> dict[tuple[str, str], float]:
    samples = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name_labels, value = line.rsplit(" ", 1)
            name, _, labels = name_labels.partition("{")
            samples[(name, labels)] = float(value)
    return samples
