"""signaling/ws/frames.py's `encoded_frame`: one broadcast event is converted and serialized
once for all its recipients (a class of N filling up sent N² encodings before), and the text
is exactly what `frame_of` + `encode` give."""

from __future__ import annotations

from classroom import events
from classroom.roles import Role
from signaling.ws.frames import encoded_frame, frame_of, participant_info
from tests.signaling.test_frames import SAMPLES, TERMS
from signaling.ws.messages import encode


def test_the_text_is_the_frame_encoded() -> None:
    for event in SAMPLES.values():
        assert encoded_frame(event, TERMS) == encode(frame_of(event, TERMS))


def test_one_event_sent_to_many_is_encoded_once() -> None:
    event = events.ParticipantJoined(events.ParticipantView("p9", Role.TRAINEE, "Lê Văn Cường", None))
    texts = [encoded_frame(event, TERMS) for _ in range(300)]
    assert all(text is texts[0] for text in texts)  # the same string: encoded once
    twin = events.ParticipantJoined(event.participant)
    assert encoded_frame(twin, TERMS) == texts[0]  # another event object: encoded afresh, alike
    assert participant_info(event.participant) is participant_info(twin.participant)
