"""Builds the live-class hub and the media relay from the settings (the composition root).

Kept apart from signaling/server/app.py so the REST-only parts of the server, and the CLI, never
import aiortc.
"""

from __future__ import annotations

import gc

from classroom.directory import DatabaseDirectory
from classroom.hub import ClassHub
from classroom.live_class import Welcome
from classroom.relay import aiortc_internals
from classroom.relay.ice import IcePolicy, IceServerConfig
from classroom.relay.peer import RelayConfig
from signaling.ws.messages import IceServerInfo, Limits
from signaling.server.services import Services
from signaling.server.settings import Settings


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


def build_hub(settings: Settings, services: Services) -> ClassHub:
    """The hub for this process; also points aioice at the configured host addresses."""
    aiortc_internals.check_versions()
    policy = ice_policy(settings)
    aiortc_internals.use_host_addresses(policy.host_addresses)
    limits = settings.signaling
    welcome = Welcome(
        ice_servers=[IceServerInfo(urls=list(s.urls), username=s.username, credential=s.credential) for s in policy.servers],
        limits=Limits(
            max_message_bytes=limits.max_message_bytes,
            rate_per_second=limits.rate_per_second,
            keepalive_timeout_s=limits.keepalive_timeout_s,
        ),
    )
    return ClassHub(
        DatabaseDirectory(services.db),
        RelayConfig(ice=policy),
        welcome,
        limits.max_participants_per_class,
    )


def freeze_startup_objects() -> None:
    """Exclude everything alive after start-up from the garbage collector's full collections.

    Full collections stop the event loop while they walk every tracked object; modules,
    classes and functions (tens of thousands) never become garbage, so walking them is pure
    pause time for the media forwarded meanwhile.
    """
    gc.collect()
    gc.freeze()
