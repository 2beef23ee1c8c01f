"""A joined client's messages carried out by its live class.

The parsed message (signaling/ws/messages.py) becomes one call on `LiveClass`; a refusal of
the class becomes a `MessageError` naming the message it answers. `ping` and `leave` are the
connection's own business and never reach here; while the client waits in the lobby, the
class refuses everything else (`not_admitted`).
"""

from __future__ import annotations

from classroom.assessment.live_quiz import QuizKind, QuizSpec
from classroom.assessment.papers import DrawRule
from classroom.assessment.questions import Difficulty, Kind, Question, clean
from classroom.errors import LiveClassError
from classroom.live_class import LiveClass, Seat
from classroom.roles import Source
from signaling.ws.frames import refusal
from signaling.ws.messages import (
    Admit,
    Allow,
    Block,
    Candidate,
    ChangeSettings,
    Chat,
    FloorRequest,
    Hand,
    React,
    Readmit,
    Remove,
    ClientAnswer,
    ClientOffer,
    ClientRequest,
    EndClass,
    ErrorCode,
    MessageError,
    Mute,
    Publish,
    ReceiveMedia,
    QuizAnswer,
    QuizEnd,
    QuizRelease,
    QuizStart,
    Record,
    Unpublish,
    View,
)


def quiz_spec(message: QuizStart) -> QuizSpec:
    """The launch as the class domain takes it (typed questions made `Question`s)."""
    return QuizSpec(
        kind=QuizKind(message.kind),
        time_limit_s=message.time_limit_s,
        questions=tuple(
            Question(kind=Kind(q.kind), text=clean(q.text), options=tuple(clean(o) for o in q.options),
                     correct=tuple(q.correct))
            for q in message.questions
        ),
        question_ids=tuple(message.question_ids),
        draw=tuple(
            DrawRule(d.count, d.topic, Difficulty(d.difficulty) if d.difficulty else None) for d in message.draw
        ),
        anonymous=message.anonymous,
        shuffle=message.shuffle,
    )


async def carry_out(live: LiveClass, seat: Seat, message: ClientRequest) -> None:
    """Do what a joined participant asked, or raise MessageError."""
    try:
        participant = live.occupant(seat)
        if not live.seated(participant):
            return  # replaced or removed while the message was in flight
        match message:
            case Publish(tracks=tracks):
                live.declare_tracks(participant, ((t.track_id, t.source) for t in tracks if t.layer_of is None))
                live.declare_layers(
                    participant,
                    ((t.track_id, t.source, t.layer_of, t.quality) for t in tracks if t.layer_of is not None),
                )
            case Unpublish(track_ids=track_ids):
                live.withdraw_tracks(participant, track_ids)
            case ClientOffer(sdp=sdp):
                await live.publish_offer(participant, sdp)
            case ClientAnswer(sdp=sdp):
                await live.receive_answer(participant, sdp)
            case Candidate(transport=transport, candidate=candidate):
                await live.add_candidate(
                    participant,
                    transport,
                    candidate.candidate if candidate else None,
                    candidate.sdpMid if candidate else None,
                    candidate.sdpMLineIndex if candidate else None,
                )
            case Mute(track_id=track_id, muted=muted):
                live.mute(participant, track_id, muted)
            case ReceiveMedia(video=video, save_data=save_data):
                live.receive_video(participant, video, save_data)
            case View(tracks=tiles):
                live.set_view(participant, ((t.track_id, t.width, t.height) for t in tiles))
            case EndClass():
                await live.end_by(participant)
            case Chat(text=text, to=to):
                await live.post_chat(participant, text, to)
            case Hand(raised=raised, participant_id=None) | Hand(raised=raised, participant_id=participant.id):
                live.raise_hand(participant, raised)
            case Hand(raised=False, participant_id=str(target)):
                live.lower_hand_of(participant, target)
            case Hand():
                raise MessageError(ErrorCode.NOT_ALLOWED, "nobody raises someone else's hand", ref=message.type)
            case FloorRequest(participant_id=target, give=True):
                live.give_floor(participant, target)
            case FloorRequest(participant_id=target, give=False):
                live.take_back_floor(participant, target)
            case React(reaction=reaction):
                live.react(participant, reaction)
            case Block(participant_id=target, source=source, may_resume=may_resume):
                live.block(participant, target, Source(source), may_resume)
            case Allow(participant_id=target, source=source):
                live.allow(participant, target, Source(source))
            case Remove(participant_id=target):
                await live.remove(participant, target)
            case Readmit(identity=identity):
                await live.readmit(participant, identity)
            case ChangeSettings():
                changes = {k: v for k, v in message.model_dump(exclude={"type"}).items() if v is not None}
                live.change_settings(participant, **changes)
            case Admit(seat_id=seat_id, admit=True):
                live.admit(participant, seat_id)
            case Admit(seat_id=seat_id, admit=False):
                live.refuse(participant, seat_id)
            case QuizStart():
                await live.quizzes.start(participant, quiz_spec(message))
            case QuizAnswer(quiz_id=quiz_id, question=question, choice=choice):
                live.quizzes.answer(participant, quiz_id, question, tuple(choice))
            case QuizEnd(quiz_id=quiz_id):
                live.quizzes.end(participant, quiz_id)
            case QuizRelease(quiz_id=quiz_id):
                live.quizzes.release(participant, quiz_id)
            case Record(on=True):
                live.start_recording(participant)
            case Record(on=False):
                live.stop_recording(participant)
            case _:
                raise MessageError(ErrorCode.ALREADY_JOINED, "already joined", ref=message.type)
    except LiveClassError as error:
        raise refusal(error, ref=message.type) from None
