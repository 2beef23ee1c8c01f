"""The edge's translation of the class domain: every event, refusal and dismissal has a frame."""

from __future__ import annotations

import typing
from datetime import UTC, datetime

import pytest

from classroom import errors as domain
from classroom import events
from classroom.assessment import quiz_events
from classroom.assessment.live_quiz import QuizKind, TakerResult
from classroom.assessment.questions import Kind
from classroom.chat import ChatLine
from classroom.hands import RaisedHand
from classroom.journal import Removal
from classroom.roles import Role, Source
from signaling.ws.frames import DISMISSALS, REFUSAL_CODES, ConnectionTerms, frame_of, refusal
from signaling.ws.messages import ErrorCode, Limits, encode, parse_server_message

TERMS = ConnectionTerms(ice_servers=[], limits=Limits(max_message_bytes=65536, rate_per_second=20, keepalive_timeout_s=45))


AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
TRACK = events.TrackView("cam", Source.CAMERA, "video")
LINE = ChatLine(7, AT, "p1", "Nguyễn Thị Lan", Role.TRAINEE, "Xin chào cả lớp", sender_identity="HV-1")
STATE = events.ClassState(
    events.ClassSettings(), (RaisedHand("p1", AT),), ("p1",), (events.MediaBlock("p1", Source.MICROPHONE, False),)
)
PERSON = events.ParticipantView("p1", Role.TRAINEE, "Nguyễn Thị Lan", "HV-1", (TRACK,))
RESULT = TakerResult("HV001", "Nguyễn Văn An", 2, 1, 50.0)
QUIZ_SAMPLES: dict[type, events.ClassEvent] = {
    quiz_events.QuizStarted: quiz_events.QuizStarted(quiz_events.QuizView(
        "q1", QuizKind.QUIZ, False, datetime(2026, 3, 2, 8, 0, tzinfo=UTC), datetime(2026, 3, 2, 8, 1, tzinfo=UTC),
        60, True, (quiz_events.QuizQuestionView(Kind.SINGLE, "Thủ đô?", ("Huế", "Hà Nội"), (1,)),), ((0, (1,)),),
    )),
    quiz_events.QuizAnswerTaken: quiz_events.QuizAnswerTaken("q1", 0),
    quiz_events.QuizResults: quiz_events.QuizResults("q1", True, ((0, 1),), (RESULT,)),
    quiz_events.QuizEnded: quiz_events.QuizEnded("q1"),
    quiz_events.QuizReleased: quiz_events.QuizReleased("q1", (), RESULT, ((1,),)),
}
SAMPLES: dict[type, events.ClassEvent] = {
    events.Seated: events.Seated(PERSON, events.ClassSummary("c1", "Lớp 1", "room-101"), (PERSON,), STATE, (LINE,)),
    events.Waiting: events.Waiting(events.ClassSummary("c1", "Lớp 1")),
    events.LobbyChanged: events.LobbyChanged(
        (events.WaitingView("s1", "Trần Văn An", None, AT),), (Removal("HV-9", "Lê Văn B", AT),)
    ),
    events.ChatPosted: events.ChatPosted(LINE),
    events.HandsChanged: events.HandsChanged((RaisedHand("p1", AT),)),
    events.FloorChanged: events.FloorChanged(("p1",)),
    events.Reacted: events.Reacted("p1", "clap"),
    events.MediaBlocked: events.MediaBlocked(events.MediaBlock("p1", Source.CAMERA, True), blocked=True),
    events.SettingsChanged: events.SettingsChanged(events.ClassSettings(lobby=True)),
    events.ParticipantJoined: events.ParticipantJoined(PERSON),
    events.ParticipantLeft: events.ParticipantLeft("p1", "left"),
    events.TrackPublished: events.TrackPublished("p1", TRACK),
    events.TrackUnpublished: events.TrackUnpublished("p1", "cam"),
    events.TrackMuted: events.TrackMuted("p1", "cam", True),
    events.ReceiveOffer: events.ReceiveOffer("v=0", (events.ForwardedTrack("0", "p1", "cam", Source.CAMERA, "video"),), True),
    events.PublishAnswer: events.PublishAnswer("v=0"),
    events.NegotiationFailed: events.NegotiationFailed("no answer"),
    events.ClassEnded: events.ClassEnded(),
    events.CheckInChanged: events.CheckInChanged("HV-1", "Nguyễn Thị Lan", AT, None),
    **QUIZ_SAMPLES,
    events.RecordingChanged: events.RecordingChanged(
        events.RecordingStatus(active=True, since=datetime(2026, 12, 2, 8, 0, tzinfo=UTC), by="Cô Lan")
    ),
    events.LinkChanged: events.LinkChanged("fair", True, 320, (("cam", "low"), ("cam2", "paused"))),
    events.LayersChanged: events.LayersChanged((("cam", False), ("cam-l", True))),
    events.LinkQualities: events.LinkQualities((events.ParticipantLink("p1", "poor", "low", 280),)),
}


def test_every_class_event_becomes_a_valid_server_frame() -> None:
    assert set(SAMPLES) == set(typing.get_args(events.ClassEvent))
    for event in SAMPLES.values():
        text = encode(frame_of(event, TERMS))
        parse_server_message(text)  # the frame validates against the protocol's own schema


def test_a_seat_carries_the_roster_the_state_the_chat_and_the_connection_terms() -> None:
    joined = parse_server_message(encode(frame_of(SAMPLES[events.Seated], TERMS)))
    assert joined.class_.title == "Lớp 1" and joined.participants[0].tracks[0].track_id == "cam"
    assert joined.limits.max_message_bytes == 65536
    assert joined.state.floor == ["p1"] and joined.state.blocks[0].may_resume is False
    assert joined.chat[0].text == "Xin chào cả lớp"


def test_chat_lines_keep_identities_on_the_server() -> None:
    text = encode(frame_of(SAMPLES[events.ChatPosted], TERMS))
    assert "HV-1" not in text and "Nguyễn Thị Lan" in text


def _refusals() -> list[type[domain.ClassroomError]]:
    found: list[type[domain.ClassroomError]] = []
    pending: list[type[domain.ClassroomError]] = [domain.LiveClassError]
    import classroom.assessment.errors  # noqa: F401  (its refusals are LiveClassErrors too)
    while pending:
        cls = pending.pop()
        found += cls.__subclasses__()
        pending += cls.__subclasses__()
    return found


def test_every_refusal_of_the_live_class_has_a_protocol_code() -> None:
    assert set(_refusals()) <= set(REFUSAL_CODES)
    for cls, code in REFUSAL_CODES.items():
        assert code.value == cls.code  # the domain's stable code is the wire's


def test_a_refusal_keeps_its_message_and_names_the_request() -> None:
    error = refusal(domain.UnknownTrack("cam"), ref="mute")
    assert (error.code, error.ref, error.fatal) == (ErrorCode.UNKNOWN_TRACK, "mute", False)
    assert "cam" in error.message
    assert refusal(domain.ClassFull(3), fatal=True).fatal


def test_an_unknown_domain_error_is_not_disguised_as_a_refusal() -> None:
    with pytest.raises(domain.DatabaseError):
        refusal(domain.DatabaseError("down"))


def test_every_dismissal_has_a_close() -> None:
    assert set(DISMISSALS) == set(events.Dismissal)
    assert DISMISSALS[events.Dismissal.REPLACED][0] is ErrorCode.REPLACED
