"""Which H.264 the agent offers the relay: the camera's own profile-level-id when it can pass.

aiortc offers H.264 only as baseline and constrained baseline at level 3.1. To forward a
camera's stream untouched, the agent offers the camera's exact profile-level-id (its level
included, e.g. 42e028 for 1080p) by adding it to aiortc's codec table: the one private aiortc
touch of the agent, kept here. The relay accepts any offer whose *profile* it knows (aiortc
compares profiles, not levels), so baseline and constrained baseline pass; other profiles
(main, high) are re-encoded by the agent and its status says why.
"""

from __future__ import annotations

from aiortc import RTCRtpSender
from aiortc.codecs import CODECS
from aiortc.rtcrtpparameters import RTCRtcpFeedback, RTCRtpCodecCapability, RTCRtpCodecParameters

from signaling.agent.h264 import Profile

PASSABLE_PROFILES = frozenset({"constrained baseline", "baseline"})
DEFAULT_PROFILE_LEVEL_ID = "42e01f"  # what aiortc's own encoder produces: constrained baseline 3.1


def passable(profile: Profile | None) -> bool:
    return profile is not None and profile.name in PASSABLE_PROFILES


def _h264_parameters(profile_level_id: str) -> dict[str, str | int | None]:
    return {"level-asymmetry-allowed": "1", "packetization-mode": "1", "profile-level-id": profile_level_id}


def _register(profile_level_id: str) -> None:
    video = CODECS["video"]
    if any(c.mimeType == "video/H264" and c.parameters.get("profile-level-id") == profile_level_id for c in video):
        return
    pt = max(c.payloadType or 0 for c in video) + 1
    # aiortc matches an answer to the first compatible entry: ours goes before its own H.264.
    first_h264 = next(i for i, c in enumerate(video) if c.mimeType == "video/H264")
    video[first_h264:first_h264] = [
        RTCRtpCodecParameters(
            mimeType="video/H264",
            clockRate=90000,
            payloadType=pt,
            rtcpFeedback=[
                RTCRtcpFeedback(type="nack"),
                RTCRtcpFeedback(type="nack", parameter="pli"),
                RTCRtcpFeedback(type="goog-remb"),
            ],
            parameters=_h264_parameters(profile_level_id),
        ),
        RTCRtpCodecParameters(mimeType="video/rtx", clockRate=90000, payloadType=pt + 1, parameters={"apt": pt}),
    ]


def video_preferences(profile: Profile | None) -> list[RTCRtpCodecCapability]:
    """H.264 capabilities to offer, the camera's profile-level-id first when it can pass."""
    wanted = profile.profile_level_id if passable(profile) and profile is not None else DEFAULT_PROFILE_LEVEL_ID
    _register(wanted)
    capabilities = RTCRtpSender.getCapabilities("video").codecs
    h264 = [c for c in capabilities if c.mimeType == "video/H264" and c.parameters.get("profile-level-id") == wanted]
    rtx = [c for c in capabilities if c.mimeType == "video/rtx"]
    return h264 + rtx
