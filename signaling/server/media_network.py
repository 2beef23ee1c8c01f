"""Where browsers send media, as opposed to where they load pages from.

Behind a reverse proxy the HTTP side listens on 127.0.0.1 while join links are public; media
does not go through the proxy (it is UDP, straight to the relay), so the relay must offer an
address browsers can reach. Offering only loopback there fails silently in every browser;
the server refuses to start instead, with the fix in the message.
"""

from __future__ import annotations

import ipaddress
import json
from urllib.parse import urlsplit

from signaling.server.settings import Settings, interface_addresses, is_loopback


def public_url_is_loopback(public_url: str) -> bool:
    host = urlsplit(public_url).hostname or ""
    return is_loopback(host)


def offered_media_addresses(settings: Settings) -> list[str]:
    """The addresses browsers are told to send media to."""
    if settings.ice.public_address:
        return [settings.ice.public_address]
    return settings.ice_host_addresses()


def media_address_problem(settings: Settings) -> str | None:
    """Why browsers reaching `public_url` could not reach the relay, with the fix; None if fine."""
    if settings.public_url is None or public_url_is_loopback(settings.public_url):
        return None
    offered = offered_media_addresses(settings)
    if not all(ipaddress.ip_address(a).is_loopback for a in offered):
        return None
    candidates = interface_addresses()
    example = json.dumps(candidates[:1] or ["192.0.2.10"])
    return (
        f"join links are public ({settings.public_url}) but the media relay would offer browsers "
        f"only {', '.join(offered)}, so their media would fail. Media does not pass through a "
        "reverse proxy: set ice.host_addresses to the address of this machine that browsers reach "
        f"(this machine has: {', '.join(candidates) or 'no other address'}), e.g. "
        f"CLASSBRIDGE_ICE__HOST_ADDRESSES='{example}', plus ice.public_address if that address is "
        "behind NAT, and open the relay's UDP ports in the firewall (docs/media-network.md)."
    )
