"""ICE policy for the relay: which servers, which addresses, which remote candidates.

Never left to aiortc's defaults: with no ICE servers configured aiortc would ask Google's
public STUN server, and aioice never offers 127.0.0.1. The deployment names its STUN/TURN
servers (none by default), the host addresses to offer, and optionally a public address for
a server behind 1:1 NAT (advertised instead of the private one, as Janus's nat_1_1_mapping).
Remote candidates that could never pair are dropped before aioice sees them: mDNS names
(resolving them means multicast) and, when we offer only loopback, non-loopback addresses.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from aiortc import RTCBundlePolicy, RTCConfiguration, RTCIceServer


@dataclass(frozen=True)
class IceServerConfig:
    urls: tuple[str, ...]
    username: str | None = None
    credential: str | None = None


@dataclass(frozen=True)
class IcePolicy:
    host_addresses: tuple[str, ...]
    servers: tuple[IceServerConfig, ...] = ()
    public_address: str | None = None
    loopback_only: bool = field(init=False)

    def __post_init__(self) -> None:
        if not self.host_addresses:
            raise ValueError("at least one ICE host address is needed")
        for address in self.host_addresses + ((self.public_address,) if self.public_address else ()):
            ipaddress.ip_address(address)  # raises ValueError naming the bad address
        loopback = all(ipaddress.ip_address(a).is_loopback for a in self.host_addresses)
        object.__setattr__(self, "loopback_only", loopback)

    def rtc_configuration(self) -> RTCConfiguration:
        """Explicit servers (possibly none) and one bundled transport per connection."""
        return RTCConfiguration(
            iceServers=[
                RTCIceServer(urls=list(s.urls), username=s.username, credential=s.credential)
                for s in self.servers
            ],
            bundlePolicy=RTCBundlePolicy.MAX_BUNDLE,
        )

    def accepts_remote(self, address: str) -> bool:
        """Could we ever reach a remote candidate at this address?"""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False  # mDNS (.local) or other names: resolving them would leave loopback
        return ip.is_loopback if self.loopback_only else not ip.is_loopback

    def accepts_candidate_line(self, candidate: str) -> bool:
        """`candidate:...` as in SDP (with or without the a= prefix)."""
        parts = candidate.split()
        return len(parts) >= 8 and self.accepts_remote(parts[4])

    def filter_remote_sdp(self, sdp: str) -> str:
        """Drop remote candidates we could never pair with."""
        lines = sdp.splitlines()
        kept = [
            line
            for line in lines
            if not line.startswith("a=candidate:") or self.accepts_candidate_line(line[2:])
        ]
        return "\r\n".join(kept) + "\r\n"

    def rewrite_local_sdp(self, sdp: str) -> str:
        """Advertise the public address instead of private host addresses (1:1 NAT)."""
        if not self.public_address:
            return sdp
        private = set(self.host_addresses)
        out = []
        for line in sdp.splitlines():
            if line.startswith("a=candidate:"):
                parts = line.split()
                if len(parts) >= 8 and parts[4] in private and parts[7] == "host":
                    parts[4] = self.public_address
                    line = " ".join(parts)
            elif line.startswith("c=IN IP4 ") and line[9:] in private:
                line = "c=IN IP4 " + self.public_address
            out.append(line)
        return "\r\n".join(out) + "\r\n"
