"""Running a class, without a wire or WebRTC: chat, hands, the floor, moderation, the lobby.

The harness of test_live_class.py drives a real `LiveClass` with recording media peers; a
journal in memory stands in for the database (tests/classroom/test_journal.py checks the
database one against the same expectations).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from classroom.chat import CHAT_MAX_CHARS, ChatLine
from classroom.errors import (
    ChatOff,
    ClassLocked,
    FloorFull,
    InvalidChat,
    NotAdmitted,
    NotAllowed,
    RemovedFromClass,
    TooFast,
    UnknownParticipant,
)
from classroom.events import (
    ChatPosted,
    ClassSettings,
    Dismissal,
    FloorChanged,
    HandsChanged,
    LobbyChanged,
    MediaBlocked,
    Seated,
    Waiting,
)
from classroom.journal import ChatDraft, Removal
from classroom.live_class import LiveClass
from classroom.roles import Role, Source
from tests.classroom.test_live_class import Harness, Inbox
from tests.support.clock import ManualClock


class MemoryJournal:
    def __init__(self) -> None:
        self.lines: list[ChatLine] = []
        self.removed: dict[str, Removal] = {}

    async def add_chat(self, class_id: str, draft: ChatDraft) -> ChatLine:
        line = ChatLine(id=len(self.lines) + 1, **draft.__dict__)
        self.lines.append(line)
        return line

    async def chat_history(self, class_id: str, limit: int) -> list[ChatLine]:
        return self.lines[-limit:]

    async def remove(self, class_id: str, removal: Removal) -> None:
        self.removed[removal.identity] = removal

    async def readmit(self, class_id: str, identity: str) -> bool:
        return self.removed.pop(identity, None) is not None

    async def removals(self, class_id: str) -> list[Removal]:
        return list(self.removed.values())


class ClassHarness(Harness):
    def __init__(self, floor_limit: int = 1, settings: ClassSettings | None = None, journal: MemoryJournal | None = None):
        super().__init__()
        self.clock = ManualClock(0.0, wall_start=datetime(2026, 12, 2, 8, 0, tzinfo=UTC))
        self.journal = journal or MemoryJournal()
        self.live = LiveClass(
            self.live.summary,
            self.live._media,
            10,
            journal=self.journal,
            chat_history=self.journal.lines,
            removals=self.journal.removed.values(),
            floor_limit=floor_limit,
            settings=settings or ClassSettings(),
            clock=self.clock.wall,
        )

    async def arrive(self, role: Role, name: str, external_id: str | None = None, client_id: str | None = None):
        inbox = Inbox()
        seat = await self.live.join(role, name, external_id, client_id, inbox)
        return seat, inbox


# ---- chat ---------------------------------------------------------------------------------------


async def test_chat_reaches_everyone_is_kept_and_late_joiners_read_it() -> None:
    h = ClassHarness()
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    trainee, trainee_inbox = await h.join(Role.TRAINEE, "Anh Minh")
    await h.live.post_chat(trainee, "  Em chào cô ạ\x07 ")
    (posted,) = lecturer_inbox.of(ChatPosted)
    assert posted.line.text == "Em chào cô ạ" and posted.line.sender_role is Role.TRAINEE
    assert trainee_inbox.of(ChatPosted) == [posted]
    assert [line.text for line in h.journal.lines] == ["Em chào cô ạ"]
    _, late_inbox = await h.join(Role.OBSERVER, "Thanh tra")
    (seated,) = late_inbox.of(Seated)
    assert [line.text for line in seated.chat] == ["Em chào cô ạ"]


async def test_a_private_line_is_seen_by_its_two_sides_only_even_after_a_reload() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    minh, minh_inbox = await h.join(Role.TRAINEE, "Anh Minh", external_id="HV-1")
    _, other_inbox = await h.join(Role.TRAINEE, "Chị Hoa", external_id="HV-2")
    await h.live.post_chat(lecturer, "Em ở lại sau buổi học nhé", to_id=minh.id)
    assert len(minh_inbox.of(ChatPosted)) == 1 and other_inbox.of(ChatPosted) == []
    with pytest.raises(NotAllowed, match="only the lecturer"):
        await h.live.post_chat(minh, "riêng", to_id=lecturer.id)
    reloaded, reloaded_inbox = await h.join(Role.TRAINEE, "Anh Minh", external_id="HV-1")
    assert [line.text for line in reloaded_inbox.of(Seated)[0].chat] == ["Em ở lại sau buổi học nhé"]
    _, hoa_again = await h.join(Role.TRAINEE, "Chị Hoa", external_id="HV-2")
    assert hoa_again.of(Seated)[0].chat == ()


async def test_chat_limits_and_the_lecturer_s_switch() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    trainee, _ = await h.join(Role.TRAINEE, "Anh Minh")
    observer, _ = await h.join(Role.OBSERVER, "Thanh tra")
    with pytest.raises(InvalidChat):
        await h.live.post_chat(trainee, "\x00\x01 ")
    with pytest.raises(InvalidChat):
        await h.live.post_chat(trainee, "x" * (CHAT_MAX_CHARS + 1))
    with pytest.raises(NotAllowed):
        await h.live.post_chat(observer, "xin chào")
    with pytest.raises(UnknownParticipant):
        await h.live.post_chat(lecturer, "riêng", to_id="nobody")
    h.live.change_settings(lecturer, chat=False)
    with pytest.raises(ChatOff):
        await h.live.post_chat(trainee, "cô ơi")
    await h.live.post_chat(lecturer, "Giảng viên vẫn nói được")
    h.live.change_settings(lecturer, chat=True)
    for _ in range(5):
        await h.live.post_chat(trainee, "spam")
    with pytest.raises(TooFast):
        await h.live.post_chat(trainee, "spam")


# ---- hands and the floor ------------------------------------------------------------------------


async def test_hands_queue_in_the_order_they_went_up() -> None:
    h = ClassHarness()
    lecturer, inbox = await h.join(Role.LECTURER, "Cô Lan")
    a, _ = await h.join(Role.TRAINEE, "A")
    b, _ = await h.join(Role.TRAINEE, "B")
    c, _ = await h.join(Role.TRAINEE, "C")
    for who in (b, a, c):
        h.clock.advance(60)
        h.live.raise_hand(who, True)
    h.live.raise_hand(b, True)  # already up: keeps its place
    assert [hand.participant_id for hand in h.live.hands.queue()] == [b.id, a.id, c.id]
    assert h.live.hands.queue()[0].raised_at == datetime(2026, 12, 2, 8, 1, tzinfo=UTC)
    h.live.raise_hand(a, False)
    h.live.lower_hand_of(lecturer, b.id)
    assert [hand.participant_id for hand in inbox.of(HandsChanged)[-1].hands] == [c.id]
    with pytest.raises(NotAllowed):
        h.live.raise_hand(lecturer, True)
    with pytest.raises(NotAllowed):
        h.live.lower_hand_of(a, c.id)


async def test_the_floor_sends_a_trainee_to_everyone_until_it_is_taken_back() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    a, _ = await h.join(Role.TRAINEE, "A")
    b, b_inbox = await h.join(Role.TRAINEE, "B")
    room, _ = await h.join(Role.ROOM, "Phòng A2")
    await h.publish(a, ("a-cam", Source.CAMERA), ("a-mic", Source.MICROPHONE))
    assert (a.id, "a-cam") not in h.peers[b.id].subscribed
    h.live.raise_hand(a, True)
    h.live.give_floor(lecturer, a.id)
    assert {(a.id, "a-cam"), (a.id, "a-mic")} <= set(h.peers[b.id].subscribed)
    assert b_inbox.of(FloorChanged)[-1].holders == (a.id,)
    assert a.id not in h.live.hands  # giving the floor answers the raised hand
    h.live.take_back_floor(lecturer, a.id)
    assert not any(key[0] == a.id for key in h.peers[b.id].subscribed)
    assert (a.id, "a-cam") in h.peers[room.id].subscribed  # the room still sees every trainee


async def test_floor_limits_and_who_may_give_it() -> None:
    h = ClassHarness(floor_limit=1)
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    a, _ = await h.join(Role.TRAINEE, "A")
    b, _ = await h.join(Role.TRAINEE, "B")
    with pytest.raises(NotAllowed):
        h.live.give_floor(a, a.id)
    h.live.give_floor(lecturer, a.id)
    with pytest.raises(FloorFull):
        h.live.give_floor(lecturer, b.id)
    with pytest.raises(NotAllowed):
        h.live.take_back_floor(b, a.id)  # a trainee cannot act on others
    h.live.take_back_floor(a, a.id)  # but hands their own floor back
    h.live.give_floor(lecturer, b.id)
    assert h.live.floor.holders() == (b.id,)
    with pytest.raises(NotAllowed):
        h.live.give_floor(lecturer, lecturer.id)


async def test_a_trainee_on_the_floor_shares_a_screen_only_when_the_lecturer_allows() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    a, _ = await h.join(Role.TRAINEE, "A")
    h.live.give_floor(lecturer, a.id)
    with pytest.raises(NotAllowed):
        h.live.declare_tracks(a, [("scr", Source.SCREEN)])
    h.live.change_settings(lecturer, floor_screen_share=True)
    await h.publish(a, ("scr", Source.SCREEN))
    assert (a.id, "scr") in h.peers[lecturer.id].subscribed
    h.live.take_back_floor(lecturer, a.id)
    assert "scr" not in a.published and h.peers[a.id].ended == ["scr"]


# ---- moderation ---------------------------------------------------------------------------------


async def test_a_blocked_microphone_is_not_forwarded_until_allowed() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    a, a_inbox = await h.join(Role.TRAINEE, "A")
    await h.publish(a, ("a-mic", Source.MICROPHONE), ("a-cam", Source.CAMERA))
    h.live.block(lecturer, a.id, Source.MICROPHONE, may_resume=False)
    assert (a.id, "a-mic") not in h.peers[lecturer.id].subscribed
    assert (a.id, "a-cam") in h.peers[lecturer.id].subscribed
    assert a_inbox.of(MediaBlocked)[-1].blocked
    with pytest.raises(NotAllowed, match="muted you"):
        h.live.mute(a, "a-mic", False)
    # a new microphone track is not forwarded either
    await h.publish(a, ("a-mic-2", Source.MICROPHONE))
    assert (a.id, "a-mic-2") not in h.peers[lecturer.id].subscribed
    h.live.allow(lecturer, a.id, Source.MICROPHONE)
    assert {(a.id, "a-mic"), (a.id, "a-mic-2")} <= set(h.peers[lecturer.id].subscribed)


async def test_a_trainee_may_unmute_when_the_lecturer_said_so_and_mute_all_spares_the_lecturer() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    a, _ = await h.join(Role.TRAINEE, "A")
    b, _ = await h.join(Role.TRAINEE, "B")
    await h.publish(lecturer, ("l-mic", Source.MICROPHONE))
    await h.publish(a, ("a-mic", Source.MICROPHONE))
    await h.publish(b, ("b-mic", Source.MICROPHONE))
    h.live.block(lecturer, None, Source.MICROPHONE, may_resume=True)
    assert set(h.live.state().blocks) == {
        type(h.live.state().blocks[0])(a.id, Source.MICROPHONE, True),
        type(h.live.state().blocks[0])(b.id, Source.MICROPHONE, True),
    }
    assert (lecturer.id, "l-mic") in h.peers[a.id].subscribed
    h.live.mute(a, "a-mic", False)
    assert (a.id, "a-mic") in h.peers[lecturer.id].subscribed
    assert (b.id, "b-mic") not in h.peers[lecturer.id].subscribed
    with pytest.raises(NotAllowed):
        h.live.block(a, b.id, Source.MICROPHONE, may_resume=True)  # a trainee cannot act on others
    with pytest.raises(NotAllowed):
        h.live.block(lecturer, lecturer.id, Source.MICROPHONE, may_resume=True)


async def test_a_removed_trainee_cannot_rejoin_until_readmitted() -> None:
    h = ClassHarness()
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    a, a_inbox = await h.join(Role.TRAINEE, "A", external_id="HV-7")
    await h.live.remove(lecturer, a.id)
    assert a_inbox.dismissed is Dismissal.REMOVED and not h.live.seated(a)
    assert lecturer_inbox.of(LobbyChanged)[-1].removed[0].identity == "HV-7"
    with pytest.raises(RemovedFromClass):
        await h.live.join(Role.TRAINEE, "A", "HV-7", None, Inbox())
    # kept with the class: a fresh live class (after the room emptied, a restart) refuses too
    again = ClassHarness(journal=h.journal)
    with pytest.raises(RemovedFromClass):
        await again.live.join(Role.TRAINEE, "A", "HV-7", None, Inbox())
    await h.live.readmit(lecturer, "HV-7")
    assert h.journal.removed == {}
    seat = await h.live.join(Role.TRAINEE, "A", "HV-7", None, Inbox())
    assert seat.participant is not None
    with pytest.raises(NotAllowed):
        await h.live.remove(seat.participant, lecturer.id)


async def test_a_shared_link_is_removed_by_its_browser() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan")
    seat, _ = await h.arrive(Role.TRAINEE, "Khách", client_id="browser-1")
    await h.live.remove(lecturer, seat.participant.id)
    with pytest.raises(RemovedFromClass):
        await h.arrive(Role.TRAINEE, "Khách", client_id="browser-1")
    other, _ = await h.arrive(Role.TRAINEE, "Người khác", client_id="browser-2")
    assert other.participant is not None


async def test_a_locked_class_keeps_newcomers_out_but_not_its_lecturer() -> None:
    h = ClassHarness()
    lecturer, _ = await h.join(Role.LECTURER, "Cô Lan", external_id="GV-1")
    h.live.change_settings(lecturer, locked=True)
    with pytest.raises(ClassLocked):
        await h.arrive(Role.TRAINEE, "Muộn")
    with pytest.raises(ClassLocked):
        await h.arrive(Role.OBSERVER, "Thanh tra")
    back, _ = await h.arrive(Role.LECTURER, "Cô Lan", external_id="GV-1")  # a page reload
    assert back.participant is not None
    room, _ = await h.arrive(Role.ROOM, "Phòng A2")  # the room gets in too
    assert room.participant is not None
    with pytest.raises(NotAllowed):
        h.live.change_settings(room.participant, locked=False)


# ---- the lobby ----------------------------------------------------------------------------------


async def test_the_lobby_holds_shared_links_until_admitted_or_refused() -> None:
    h = ClassHarness(settings=ClassSettings(lobby=True))
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    waiting, waiting_inbox = await h.arrive(Role.TRAINEE, "Khách 1", client_id="b1")
    assert waiting.participant is None and waiting_inbox.of(Waiting)
    with pytest.raises(NotAdmitted):
        h.live.occupant(waiting)
    (view,) = lecturer_inbox.of(LobbyChanged)[-1].waiting
    assert (view.seat_id, view.name) == (waiting.id, "Khách 1")
    personal, _ = await h.arrive(Role.TRAINEE, "Anh Minh", external_id="HV-1")
    assert personal.participant is not None  # personal links get in at once
    h.live.admit(lecturer, waiting.id)
    assert waiting.participant is not None and waiting_inbox.of(Seated)
    assert lecturer_inbox.of(LobbyChanged)[-1].waiting == ()
    refused, refused_inbox = await h.arrive(Role.TRAINEE, "Khách 2", client_id="b2")
    h.live.refuse(lecturer, refused.id)
    assert refused_inbox.dismissed is Dismissal.REFUSED and refused.participant is None
    with pytest.raises(NotAllowed):
        h.live.admit(personal.participant, "anyone")
    with pytest.raises(UnknownParticipant):
        h.live.admit(lecturer, refused.id)


async def test_turning_the_lobby_off_lets_everyone_in_and_leaving_the_lobby_is_quiet() -> None:
    h = ClassHarness(settings=ClassSettings(lobby=True, auto_admit_personal=False))
    lecturer, lecturer_inbox = await h.join(Role.LECTURER, "Cô Lan")
    first, _ = await h.arrive(Role.TRAINEE, "Anh Minh", external_id="HV-1")
    second, _ = await h.arrive(Role.TRAINEE, "Khách", client_id="b1")
    assert first.participant is None  # personal links wait too when the lecturer says so
    await h.live.leave_seat(second, "disconnected")
    assert [w.seat_id for w in lecturer_inbox.of(LobbyChanged)[-1].waiting] == [first.id]
    h.live.change_settings(lecturer, lobby=False)
    assert first.participant is not None and not h.live.lobby
