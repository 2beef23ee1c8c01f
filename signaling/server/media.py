"""Builds the live-class hub and the media relay from the settings (the composition root).

Kept apart from signaling/server/app.py so the REST-only parts of the server, and the CLI, never
import aiortc.
"""

from __future__ import annotations

import asyncio
import gc

from typing import Callable

from classroom.assessment.quiz_bank import DatabaseQuizBank
from classroom.directory import DatabaseDirectory, DatabaseJournal
from classroom.hub import ClassHub
from classroom.participant_media import MediaPeerFactory, OfferSender
from classroom.recording.catalog import course_of, recording_factory
from classroom.recording.recording import RecordingFactory, StoragePolicy
from classroom.recording.schedule import AutoRecorder, CourseRecordingSchedule, audit_refusals
from classroom.relay import aiortc_internals
from classroom.relay.ice import IcePolicy, IceServerConfig
from classroom.relay.peer import MediaPeer, RelayConfig
from classroom.seat_limits import SeatLimits
from signaling.auth.turn_credentials import TurnCredentialIssuer
from signaling.errors import SettingsError
from signaling.server.services import Services
from signaling.server.settings import Settings
from signaling.ws.frames import ConnectionTerms
from signaling.ws.messages import IceServerInfo, Limits


def ice_policy(settings: Settings) -> IcePolicy:
    return IcePolicy(
        host_addresses=tuple(settings.ice_host_addresses()),
        servers=tuple(
            IceServerConfig(
                urls=tuple(s.urls),
                username=s.username,
                credential=s.credential.get_secret_value() if s.credential else None,
            )
            for s in settings.ice.servers
        ),
        public_address=settings.ice.public_address,
    )


def media_peers(relay: RelayConfig) -> MediaPeerFactory:
    """Each participant's media: a `MediaPeer` of the relay."""

    def peer(participant_id: str, send_offer: OfferSender, report_failure: Callable[[str], None]) -> MediaPeer:
        return MediaPeer(participant_id, relay, send_offer, report_failure)

    return peer


def storage_policy(settings: Settings) -> StoragePolicy:
    rec = settings.recording
    assert rec.folder is not None  # derived from data_dir
    return StoragePolicy(
        folder=rec.folder,
        quota_bytes=int(rec.quota_gb * 1e9) if rec.quota_gb is not None else None,
        min_free_bytes=rec.min_free_mb << 20,
    )


def recordings(settings: Settings, services: Services) -> RecordingFactory | None:
    """How this process records classes (None: recording is off)."""
    if not settings.recording.enabled:
        return None
    return recording_factory(
        storage_policy(settings), lambda class_id: course_of(services.db, class_id), audit=services.audit
    )


def build_hub(
    settings: Settings,
    services: Services,
    wrap_media: Callable[[MediaPeerFactory], MediaPeerFactory] = lambda media: media,
    worker: int = 0,
) -> ClassHub:
    """The hub for this process; also points aioice at the configured host addresses.
    `wrap_media` lets a media worker place some subscribers on other workers; `worker` is
    its index (its single UDP port and ICE-TCP port are the configured ones + index)."""
    aiortc_internals.check_versions()
    policy = ice_policy(settings)
    aiortc_internals.use_host_addresses(policy.host_addresses)
    aiortc_internals.use_receive_buffer()
    use_media_ports(settings, policy.host_addresses, worker)
    return ClassHub(
        DatabaseDirectory(services.db),
        wrap_media(media_peers(RelayConfig(ice=policy))),
        settings.signaling.max_participants_per_class,
        journal=DatabaseJournal(services.db),
        floor_limit=settings.signaling.floor_limit,
        quiz_bank=DatabaseQuizBank(services.db),
        recordings=recordings(settings, services),
        auto_record=AutoRecorder(
            CourseRecordingSchedule(services.db),
            lambda delay, start: asyncio.get_running_loop().call_later(delay, start),
            on_refused=audit_refusals(services.audit),
        ),
        seat_limits=seat_limits(settings),
    )


def seat_limits(settings: Settings) -> SeatLimits:
    """How many of each role a class seats; trainees are `max_participants_per_class`."""
    limits = settings.signaling
    return SeatLimits(
        trainees=limits.max_participants_per_class,
        lecturers=limits.max_lecturers_per_class,
        rooms=limits.max_rooms_per_class,
        observers=limits.max_observers_per_class,
    )


def use_media_ports(settings: Settings, addresses: tuple[str, ...], worker: int = 0) -> None:
    """The relay's UDP ports (one for everyone, a range, or unset: any port) and its ICE-TCP port.

    Processes cannot share one port, so with several media workers worker i takes
    `udp_port + i` and `tcp_port + i` (docs/media-network.md); a range is shared as it is."""
    ice = settings.ice
    if ice.udp_port is not None:
        port = ice.udp_port + worker
        try:
            aiortc_internals.use_single_port(port, addresses)
        except OSError as e:
            raise SettingsError(f"ice.udp_port: port {port}: {e.strerror} (is another server using it?)") from None
    elif ice.udp_port_min is not None and ice.udp_port_max is not None:
        aiortc_internals.use_port_range(ice.udp_port_min, ice.udp_port_max)
    if ice.tcp_port is not None:
        port = ice.tcp_port + worker
        try:
            aiortc_internals.use_tcp_port(port, addresses)
        except OSError as e:
            raise SettingsError(f"ice.tcp_port: port {port}: {e.strerror} (is another server using it?)") from None


def connection_terms(settings: Settings) -> ConnectionTerms:
    """What every `joined` tells a client besides the roster: ICE servers and limits."""
    limits = settings.signaling
    return ConnectionTerms(
        ice_servers=[
            IceServerInfo(urls=list(s.urls), username=s.username, credential=s.credential)
            for s in ice_policy(settings).servers
        ],
        limits=Limits(
            max_message_bytes=limits.max_message_bytes,
            rate_per_second=limits.rate_per_second,
            keepalive_timeout_s=limits.keepalive_timeout_s,
        ),
        turn=turn_issuer(settings),
    )


def turn_issuer(settings: Settings) -> TurnCredentialIssuer | None:
    turn = settings.ice.turn
    if turn is None:
        return None
    return TurnCredentialIssuer(urls=tuple(turn.urls), secret=turn.secret.get_secret_value(), ttl_s=turn.ttl_s)


def freeze_startup_objects() -> None:
    """Exclude everything alive after start-up from the garbage collector's full collections.

    Full collections stop the event loop while they walk every tracked object; modules,
    classes and functions (tens of thousands) never become garbage, so walking them is pure
    pause time for the media forwarded meanwhile.
    """
    gc.collect()
    gc.freeze()
