"""The class domain's events, refusals and dismissals as frames of the signaling protocol.

The live class speaks in its own terms (classroom/events.py, classroom/errors.py); this is
the one place that knows how each of them looks on the wire (signaling/ws/messages.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel

from classroom import errors as domain
from classroom.assessment import errors as quiz_errors
from classroom.assessment import quiz_events
from classroom.assessment.live_quiz import TakerResult
from classroom import events
from classroom.chat import ChatLine
from classroom.hands import RaisedHand
from signaling.auth.turn_credentials import TurnCredentialIssuer
from signaling.ws.messages import (
    BlockInfo,
    Blocked,
    ChatLineInfo,
    ChatPosted,
    CheckIn,
    ClassEnded,
    ClassSettingsInfo,
    ClassStateInfo,
    FloorInfo,
    HandsInfo,
    LobbyInfo,
    RaisedHandInfo,
    Reaction,
    RecordingInfo,
    RecordingStateInfo,
    RemovalInfo,
    SettingsInfo,
    WaitingInfo,
    WaitingInLobby,
    QuizAnsweredInfo,
    QuizEnded,
    QuizInfo,
    QuizQuestionInfo,
    QuizReleased,
    QuizResultInfo,
    QuizResults,
    QuizSaved,
    QuizStarted,
    Error,
    ErrorCode,
    IceServerInfo,
    Joined,
    LayerActivity,
    Layers,
    Limits,
    Link,
    LinkQuality,
    LiveClassInfo,
    MessageError,
    ParticipantInfo,
    ParticipantJoined,
    ParticipantLeft,
    ParticipantLink,
    ServerAnswer,
    ServerOffer,
    SubscribedTrack,
    TrackInfo,
    TrackLayer,
    TrackMuted,
    TrackPublished,
    TrackUnpublished,
    encode,
)


@dataclass(frozen=True)
class ConnectionTerms:
    """What every `joined` carries besides the roster: the ICE servers and the limits.

    With a TURN server sharing our secret, each participant also gets credentials of its own.
    """

    ice_servers: list[IceServerInfo]
    limits: Limits
    turn: TurnCredentialIssuer | None = None

    def ice_servers_for(self, participant_id: str) -> list[IceServerInfo]:
        if self.turn is None:
            return self.ice_servers
        issued = self.turn.issue(participant_id)
        mine = IceServerInfo(urls=list(self.turn.urls), username=issued.username, credential=issued.credential)
        return [*self.ice_servers, mine]


def track_info(track: events.TrackView) -> TrackInfo:
    return TrackInfo(track_id=track.track_id, source=track.source, kind=track.kind, muted=track.muted)


@lru_cache(maxsize=4096)
def participant_info(view: events.ParticipantView) -> ParticipantInfo:
    """Cached: every `joined` carries the whole roster, so a class of N that fills up would
    otherwise build N² of these (views are frozen, and so are the frames)."""
    return ParticipantInfo(
        id=view.id,
        role=view.role,
        name=view.name,
        external_id=view.external_id,
        tracks=[track_info(t) for t in view.tracks],
        agent=view.agent,
    )


def class_info(summary: events.ClassSummary) -> LiveClassInfo:
    return LiveClassInfo(id=summary.id, title=summary.title, room=summary.room)


def settings_info(settings: events.ClassSettings) -> ClassSettingsInfo:
    return ClassSettingsInfo(
        chat=settings.chat,
        locked=settings.locked,
        lobby=settings.lobby,
        auto_admit_personal=settings.auto_admit_personal,
        floor_screen_share=settings.floor_screen_share,
    )


def hands_info(hands: tuple[RaisedHand, ...]) -> list[RaisedHandInfo]:
    return [RaisedHandInfo(participant_id=h.participant_id, raised_at=h.raised_at) for h in hands]


def chat_line_info(line: ChatLine) -> ChatLineInfo:
    """A chat line as clients see it: identities (school ids, browser ids) stay on the server."""
    return ChatLineInfo(
        id=line.id,
        at=line.at,
        sender_id=line.sender_id,
        sender_name=line.sender_name,
        sender_role=line.sender_role,
        text=line.text,
        to_id=line.to_id,
        to_name=line.to_name,
    )


def recording_info(status: events.RecordingStatus) -> RecordingStateInfo:
    return RecordingStateInfo(active=status.active, since=status.since, by=status.by, reason=status.reason)  # type: ignore[arg-type]


def state_info(state: events.ClassState) -> ClassStateInfo:
    return ClassStateInfo(
        settings=settings_info(state.settings),
        hands=hands_info(state.hands),
        floor=list(state.floor),
        blocks=[BlockInfo(participant_id=b.participant_id, source=b.source, may_resume=b.may_resume) for b in state.blocks],
        recording=recording_info(state.recording),
    )


def quiz_info(quiz: quiz_events.QuizView) -> QuizInfo:
    return QuizInfo(
        id=quiz.id,
        kind=quiz.kind.value,
        anonymous=quiz.anonymous,
        started_at=quiz.started_at,
        deadline=quiz.deadline,
        time_limit_s=quiz.time_limit_s,
        open=quiz.open,
        questions=[
            QuizQuestionInfo(
                kind=q.kind.value,
                text=q.text,
                options=list(q.options),
                correct=None if q.correct is None else list(q.correct),
            )
            for q in quiz.questions
        ],
        answered=[QuizAnsweredInfo(question=n, choice=list(c)) for n, c in quiz.answered],
    )


def result_info(result: TakerResult) -> QuizResultInfo:
    return QuizResultInfo(
        identity=result.identity, name=result.name, answered=result.answered, correct=result.correct, score=result.score
    )


def frame_of(event: events.ClassEvent, terms: ConnectionTerms) -> BaseModel:
    """The server message that tells a client about `event`."""
    match event:
        case events.Seated(participant, summary, others, state, chat):
            return Joined(
                participant=participant_info(participant),
                class_=class_info(summary),
                participants=[participant_info(p) for p in others],
                state=state_info(state),
                chat=[chat_line_info(line) for line in chat],
                ice_servers=terms.ice_servers_for(participant.id),
                limits=terms.limits,
            )
        case events.Waiting(summary):
            return WaitingInLobby(class_=class_info(summary))
        case events.LobbyChanged(waiting, removed):
            return LobbyInfo(
                waiting=[WaitingInfo(seat_id=w.seat_id, name=w.name, external_id=w.external_id, since=w.since) for w in waiting],
                removed=[RemovalInfo(identity=r.identity, name=r.name, at=r.at) for r in removed],
            )
        case events.ChatPosted(line):
            return ChatPosted(line=chat_line_info(line))
        case events.HandsChanged(hands):
            return HandsInfo(hands=hands_info(hands))
        case events.FloorChanged(holders):
            return FloorInfo(holders=list(holders))
        case events.Reacted(participant_id, reaction):
            return Reaction(participant_id=participant_id, reaction=reaction)
        case events.MediaBlocked(block, blocked):
            return Blocked(participant_id=block.participant_id, source=block.source, blocked=blocked, may_resume=block.may_resume)
        case events.CheckInChanged(external_id, name, checked_in_at, checked_out_at):
            return CheckIn(external_id=external_id, name=name, checked_in_at=checked_in_at, checked_out_at=checked_out_at)
        case events.SettingsChanged(settings):
            return SettingsInfo(settings=settings_info(settings))
        case events.ParticipantJoined(participant):
            return ParticipantJoined(participant=participant_info(participant))
        case events.ParticipantLeft(participant_id, reason):
            return ParticipantLeft(participant_id=participant_id, reason=reason)
        case events.TrackPublished(participant_id, track):
            return TrackPublished(participant_id=participant_id, track=track_info(track))
        case events.TrackUnpublished(participant_id, track_id):
            return TrackUnpublished(participant_id=participant_id, track_id=track_id)
        case events.TrackMuted(participant_id, track_id, muted):
            return TrackMuted(participant_id=participant_id, track_id=track_id, muted=muted)
        case events.ReceiveOffer(sdp, tracks, fresh):
            return ServerOffer(
                sdp=sdp,
                tracks=[
                    SubscribedTrack(
                        mid=t.mid, participant_id=t.participant_id, track_id=t.track_id, source=t.source, kind=t.kind
                    )
                    for t in tracks
                ],
                fresh=fresh,
            )
        case events.PublishAnswer(sdp):
            return ServerAnswer(sdp=sdp)
        case events.NegotiationFailed(reason):
            return Error(code=ErrorCode.NEGOTIATION_FAILED, message=f"{reason}; a new offer follows")
        case events.ClassEnded():
            return ClassEnded()
        case quiz_events.QuizStarted(quiz):
            return QuizStarted(quiz=quiz_info(quiz))
        case quiz_events.QuizAnswerTaken(quiz_id, question):
            return QuizSaved(quiz_id=quiz_id, question=question)
        case quiz_events.QuizResults(quiz_id, open_, counts, results):
            return QuizResults(
                quiz_id=quiz_id, open=open_, counts=[list(c) for c in counts], results=[result_info(r) for r in results]
            )
        case quiz_events.QuizEnded(quiz_id):
            return QuizEnded(quiz_id=quiz_id)
        case quiz_events.QuizReleased(quiz_id, counts, result, correct):
            return QuizReleased(
                quiz_id=quiz_id,
                counts=[list(c) for c in counts],
                result=result_info(result) if result else None,
                correct=[list(c) for c in correct],
            )
        case events.RecordingChanged(status):
            return RecordingInfo(recording=recording_info(status))
        case events.LinkChanged(quality, reduced, estimate_kbps, tracks):
            return Link(
                quality=quality,  # type: ignore[arg-type]
                reduced=reduced,
                estimate_kbps=estimate_kbps,
                tracks=[TrackLayer(track_id=t, layer=layer) for t, layer in tracks],  # type: ignore[arg-type]
            )
        case events.LayersChanged(tracks):
            return Layers(tracks=[LayerActivity(track_id=t, active=active) for t, active in tracks])
        case events.LinkQualities(participants):
            return LinkQuality(
                participants=[
                    ParticipantLink(
                        id=p.participant_id,
                        quality=p.quality,  # type: ignore[arg-type]
                        layer=p.layer,  # type: ignore[arg-type]
                        estimate_kbps=p.estimate_kbps,
                    )
                    for p in participants
                ]
            )
    raise TypeError(f"no frame for {event!r}")  # unreachable while ClassEvent is matched in full


class _LastEncoded:
    """The last event encoded, by identity: a class sends one event object to each of its
    participants in turn, so a broadcast to N is converted and serialized once, not N times."""

    event: events.ClassEvent | None = None
    terms: ConnectionTerms | None = None
    text: str = ""


def encoded_frame(event: events.ClassEvent, terms: ConnectionTerms) -> str:
    """`frame_of(event, terms)` as the text sent on the wire."""
    last = _LastEncoded
    if last.event is not event or last.terms is not terms:
        last.text = encode(frame_of(event, terms))
        last.event, last.terms = event, terms
    return last.text


# Every refusal of the class domain and the stable code clients see for it.
REFUSAL_CODES: dict[type[domain.ClassroomError], ErrorCode] = {
    domain.ClassNotFound: ErrorCode.CLASS_NOT_FOUND,
    domain.ClassEnded: ErrorCode.CLASS_ENDED,
    domain.ClassFull: ErrorCode.CLASS_FULL,
    domain.NotAllowed: ErrorCode.NOT_ALLOWED,
    domain.UnknownTrack: ErrorCode.UNKNOWN_TRACK,
    domain.InvalidSdp: ErrorCode.INVALID_SDP,
    domain.InvalidCandidate: ErrorCode.INVALID_CANDIDATE,
    domain.ClassLocked: ErrorCode.CLASS_LOCKED,
    domain.RemovedFromClass: ErrorCode.REMOVED,
    domain.NotAdmitted: ErrorCode.NOT_ADMITTED,
    domain.FloorFull: ErrorCode.FLOOR_FULL,
    domain.ChatOff: ErrorCode.CHAT_OFF,
    domain.InvalidChat: ErrorCode.INVALID_CHAT,
    domain.TooFast: ErrorCode.RATE_LIMITED,
    domain.UnknownParticipant: ErrorCode.UNKNOWN_PARTICIPANT,
    quiz_errors.InvalidQuiz: ErrorCode.INVALID_QUIZ,
    quiz_errors.QuizRunning: ErrorCode.QUIZ_RUNNING,
    quiz_errors.UnknownQuiz: ErrorCode.UNKNOWN_QUIZ,
    quiz_errors.QuizClosed: ErrorCode.QUIZ_CLOSED,
    quiz_errors.AlreadyAnswered: ErrorCode.ALREADY_ANSWERED,
    quiz_errors.InvalidQuizAnswer: ErrorCode.INVALID_ANSWER,
    domain.RecordingUnavailable: ErrorCode.RECORDING_UNAVAILABLE,
}


def refusal(error: domain.ClassroomError, *, ref: str | None = None, fatal: bool = False) -> MessageError:
    """The protocol error for a refusal of the class (`fatal`: the connection closes)."""
    code = REFUSAL_CODES.get(type(error))
    if code is None:
        raise error  # not a refusal the protocol knows: a bug, reported as such
    return MessageError(code, error.message, fatal=fatal, ref=ref)


# Why the class let a connection go: the error sent before closing (None: a plain close).
DISMISSALS: dict[events.Dismissal, tuple[ErrorCode | None, str]] = {
    events.Dismissal.REPLACED: (ErrorCode.REPLACED, "you joined this class from another window or device"),
    events.Dismissal.REMOVED: (ErrorCode.REMOVED, "the lecturer removed you from this class"),
    events.Dismissal.REFUSED: (ErrorCode.REFUSED, "the lecturer did not let you in"),
    events.Dismissal.CLASS_ENDED: (None, "class ended"),
    events.Dismissal.SERVER_SHUTDOWN: (None, "server shutting down"),
}
