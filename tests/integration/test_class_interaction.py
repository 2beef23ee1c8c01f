"""Running a class over the wire: aiortc participants through the real server (one process).

The floor sends a trainee's media to the other trainees and stops it again; a blocked
microphone is no longer forwarded; the lobby and removal hold at the server; a trainee's
moderation attempts, an overlong chat line and a chat flood are refused with their documented
codes while the class carries on.
"""

from __future__ import annotations

import asyncio

import pytest

from classroom.roles import Source
from signaling.ws.client import ClassClient, ServerError, WebSocketChannel
from signaling.ws.messages import (
    Admit,
    Block,
    ChangeSettings,
    Chat,
    ErrorCode,
    FloorRequest,
    Hand,
    Remove,
)
from tests.support.media import PatternTrack, ToneTrack, audio_level, frames
from tests.support.wait import until

pytestmark = pytest.mark.webrtc
ONE_PROCESS = pytest.mark.parametrize("server", [1], indirect=True, ids=["one-process"])


def receives_from(client: ClassClient, participant_id: str, source: Source) -> bool:
    return any(r.info.participant_id == participant_id and r.info.source == source for r in client.received())


async def lecturer_and_two_trainees(server, cleanup) -> tuple[ClassClient, ClassClient, ClassClient]:
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Cô Lan")
    a = await server.client(cid, links["trainee"], name="Anh Minh", client_id="browser-a")
    b = await server.client(cid, links["trainee"], name="Chị Hoa", client_id="browser-b")
    cleanup.extend([lecturer, a, b])
    return lecturer, a, b


@ONE_PROCESS
async def test_the_floor_sends_a_trainee_to_the_other_trainees_and_takes_them_back(server, cleanup):
    lecturer, a, b = await lecturer_and_two_trainees(server, cleanup)
    a_id = a.joined.participant.id
    await a.publish([(PatternTrack(), Source.CAMERA), (ToneTrack(660), Source.MICROPHONE)])
    await lecturer.wait_for_track(a_id, Source.CAMERA)
    assert not receives_from(b, a_id, Source.CAMERA)

    await a.send(Hand(type="hand", raised=True))
    hands = await lecturer.next_event("hands")
    assert [h.participant_id for h in hands.hands] == [a_id]
    await lecturer.send(FloorRequest(type="floor", participant_id=a_id, give=True))
    video = await b.wait_for_track(a_id, Source.CAMERA)
    audio = await b.wait_for_track(a_id, Source.MICROPHONE)
    assert {(f.width, f.height) for f in await frames(video.track, 5)} == {(320, 240)}
    assert max(audio_level(f) for f in (await frames(audio.track, 25))[-10:]) > 0.05
    assert (await b.next_event("floor")).holders == [a_id]

    await lecturer.send(FloorRequest(type="floor", participant_id=a_id, give=False))
    await until(lambda: not receives_from(b, a_id, Source.CAMERA) and not receives_from(b, a_id, Source.MICROPHONE),
                what="B to stop receiving A", describe=lambda: str(b.received()))
    assert receives_from(lecturer, a_id, Source.CAMERA)


@ONE_PROCESS
async def test_a_blocked_microphone_is_no_longer_forwarded(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Cô Lan")
    a = await server.client(cid, links["trainee"], name="Anh Minh", client_id="browser-a")
    cleanup.extend([lecturer, a])
    a_id = a.joined.participant.id
    microphone = ToneTrack(660)
    await a.publish([(microphone, Source.MICROPHONE)])
    await lecturer.wait_for_track(a_id, Source.MICROPHONE)

    await lecturer.send(Block(type="block", participant_id=a_id, source="microphone", may_resume=False))
    told = await a.next_event("blocked")
    assert (told.participant_id, told.source, told.blocked, told.may_resume) == (a_id, Source.MICROPHONE, True, False)
    await until(lambda: not receives_from(lecturer, a_id, Source.MICROPHONE), what="A's microphone to stop",
                describe=lambda: str(lecturer.received()))
    await a.mute(microphone, False)
    refused = await a.next_event("error")
    assert refused.code is ErrorCode.NOT_ALLOWED


@ONE_PROCESS
async def test_the_lobby_and_removal_hold_at_the_server(server, cleanup):
    created = server.create_class()
    cid, links = created["id"], created["links"]
    lecturer = await server.client(cid, links["lecturer"], name="Cô Lan")
    cleanup.append(lecturer)
    await lecturer.send(ChangeSettings(type="settings", lobby=True))
    assert (await lecturer.next_event("settings")).settings.lobby

    guest = ClassClient(await WebSocketChannel.connect(server.ws_url(cid)))
    cleanup.append(guest)
    joining = asyncio.create_task(
        guest.join(links["trainee"].split("#t=", 1)[1], name="Khách", client_id="browser-g", lobby_timeout=30)
    )
    lobby = await lecturer.next_event("lobby")
    while not lobby.waiting:
        lobby = await lecturer.next_event("lobby")
    (waiting,) = lobby.waiting
    assert waiting.name == "Khách"
    await lecturer.send(Admit(type="admit", seat_id=waiting.seat_id, admit=True))
    joined = await joining
    assert guest.waited is not None and joined.participant.name == "Khách"

    await lecturer.send(Remove(type="remove", participant_id=joined.participant.id))
    closed = await guest.next_event("error")
    assert closed.code is ErrorCode.REMOVED and closed.fatal
    with pytest.raises(ServerError) as refused:
        await server.client(cid, links["trainee"], name="Khách", client_id="browser-g")
    assert refused.value.error.code is ErrorCode.REMOVED


@ONE_PROCESS
async def test_a_trainee_cannot_moderate_nor_flood_the_chat(server, cleanup):
    lecturer, a, b = await lecturer_and_two_trainees(server, cleanup)
    b_id = b.joined.participant.id

    await a.send(Block(type="block", participant_id=b_id, source="microphone"))
    assert (await a.next_event("error")).code is ErrorCode.NOT_ALLOWED
    await a.send(Remove(type="remove", participant_id=b_id))
    assert (await a.next_event("error")).code is ErrorCode.NOT_ALLOWED
    await a.send_raw({"type": "chat", "text": "x" * 1001})
    assert (await a.next_event("error")).code is ErrorCode.BAD_MESSAGE
    for i in range(8):
        await a.send(Chat(type="chat", text=f"Tin thứ {i + 1}"))
    assert (await a.next_event("error")).code is ErrorCode.RATE_LIMITED

    # the others are unaffected: chat both ways in Vietnamese
    await b.send(Chat(type="chat", text="Em xin hỏi về mục 3 ạ"))
    line = (await lecturer.next_event("chat")).line
    while line.sender_id != b_id:
        line = (await lecturer.next_event("chat")).line
    assert line.text == "Em xin hỏi về mục 3 ạ"
    await lecturer.send(Chat(type="chat", text="Cô sẽ trả lời ngay", to=b_id))
    private = (await b.next_event("chat")).line
    while private.to_id is None:
        private = (await b.next_event("chat")).line
    assert (private.text, private.to_id) == ("Cô sẽ trả lời ngay", b_id)
