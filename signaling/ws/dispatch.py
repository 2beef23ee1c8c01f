"""A joined client's messages carried out by its live class.

The parsed message (signaling/ws/messages.py) becomes one call on `LiveClass`; a refusal of
the class becomes a `MessageError` naming the message it answers. `ping` and `leave` are the
connection's own business and never reach here.
"""

from __future__ import annotations

from classroom.errors import LiveClassError
from classroom.live_class import LiveClass, Participant
from signaling.ws.frames import refusal
from signaling.ws.messages import (
    Candidate,
    ClientAnswer,
    ClientOffer,
    ClientRequest,
    EndClass,
    ErrorCode,
    MessageError,
    Mute,
    Publish,
    ReceiveMedia,
    Unpublish,
)


async def carry_out(live: LiveClass, participant: Participant, message: ClientRequest) -> None:
    """Do what a joined participant asked, or raise MessageError."""
    if not live.seated(participant):
        return  # replaced or removed while the message was in flight
    try:
        match message:
            case Publish(tracks=tracks):
                live.declare_tracks(participant, ((t.track_id, t.source) for t in tracks))
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
            case ReceiveMedia(video=video):
                live.receive_video(participant, video)
            case EndClass():
                await live.end_by(participant)
            case _:
                raise MessageError(ErrorCode.ALREADY_JOINED, "already joined", ref=message.type)
    except LiveClassError as error:
        raise refusal(error, ref=message.type) from None
