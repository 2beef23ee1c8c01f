"""WS-Discovery (2005/04, the version ONVIF uses) Probe and ProbeMatches as typed messages.

A client multicasts a Probe (SOAP-over-UDP to 239.255.255.250:3702, or sends it straight to
one address: a "directed probe"); every matching device answers with ProbeMatches carrying
its endpoint reference, Types, Scopes and XAddrs (the device-service URLs). Sans-I/O: the
UDP side lives in devices/onvif/discovery.py. Scope matching follows the spec's default
rule (RFC 3986): same scheme and authority, and the probe's path segments are a prefix of
the device's.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from devices.errors import ProtocolError
from devices.onvif.soap import SOAP_ENV, Envelope, Node, envelope, text

WSA = "http://schemas.xmlsoap.org/ws/2004/08/addressing"
WSD = "http://schemas.xmlsoap.org/ws/2005/04/discovery"
DISCOVERY_TO = "urn:schemas-xmlsoap-org:ws:2005:04:discovery"
ANONYMOUS = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
PROBE = f"{WSD}/Probe"
PROBE_MATCHES = f"{WSD}/ProbeMatches"
MULTICAST_ADDRESS = ("239.255.255.250", 3702)

QName = tuple[str, str]  # (namespace, local name)
NETWORK_VIDEO_TRANSMITTER: QName = ("http://www.onvif.org/ver10/network/wsdl", "NetworkVideoTransmitter")
ONVIF_DEVICE: QName = ("http://www.onvif.org/ver10/device/wsdl", "Device")
STREAMING_SCOPE = "onvif://www.onvif.org/Profile/Streaming"

_FIXED = {"s": SOAP_ENV, "a": WSA, "d": WSD}


def new_message_id() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _types_xml(types: tuple[QName, ...]) -> tuple[str, dict[str, str]]:
    """The d:Types text and the prefixes it needs (one per namespace, declared on the Envelope)."""
    prefixes: dict[str, str] = {}
    for ns, _ in types:
        prefixes.setdefault(ns, f"t{len(prefixes)}")
    return " ".join(f"{prefixes[ns]}:{local}" for ns, local in types), {p: ns for ns, p in prefixes.items()}


def _read_types(node: Node | None) -> tuple[QName, ...]:
    return tuple(node.resolve(q) for q in node.text.split()) if node is not None else ()


def _read_list(node: Node | None) -> tuple[str, ...]:
    return tuple(node.text.split()) if node is not None else ()


def _header(env: Envelope, action: str) -> Node:
    if env.header is None or env.header.findtext("Action") != action:
        raise ProtocolError(f"not a WS-Discovery {action.rsplit('/', 1)[-1]} message")
    return env.header


@dataclass(frozen=True)
class Probe:
    message_id: str
    types: tuple[QName, ...] = ()
    scopes: tuple[str, ...] = ()

    def serialize(self) -> bytes:
        types, prefixes = _types_xml(self.types)
        header = (
            f"<a:Action>{PROBE}</a:Action><a:MessageID>{text(self.message_id)}</a:MessageID>"
            f"<a:ReplyTo><a:Address>{ANONYMOUS}</a:Address></a:ReplyTo><a:To>{DISCOVERY_TO}</a:To>"
        )
        body = (
            f"<d:Probe><d:Types>{types}</d:Types>"
            f"<d:Scopes>{text(' '.join(self.scopes))}</d:Scopes></d:Probe>"
        )
        return envelope(body, header, {**_FIXED, **prefixes}).encode()

    @classmethod
    def parse(cls, data: bytes) -> Probe:
        env = Envelope.parse(data)
        header = _header(env, PROBE)
        if (env.body.namespace, env.body.name) != (WSD, "Probe"):
            raise ProtocolError("WS-Discovery Probe without a d:Probe body")
        return cls(
            message_id=header.findtext("MessageID") or "",
            types=_read_types(env.body.child("Types")),
            scopes=_read_list(env.body.child("Scopes")),
        )


@dataclass(frozen=True)
class ProbeMatch:
    """What a device says about itself: `address` is its stable endpoint id (urn:uuid:...)."""

    address: str
    types: tuple[QName, ...]
    scopes: tuple[str, ...]
    xaddrs: tuple[str, ...]
    metadata_version: int = 1

    def answers(self, probe: Probe) -> bool:
        """Whether this device matches every Type and every Scope the probe asks for."""
        return all(t in self.types for t in probe.types) and all(
            any(scope_matches(s, mine) for mine in self.scopes) for s in probe.scopes
        )

    def scope_value(self, kind: str) -> str | None:
        """The value of an `onvif://www.onvif.org/<kind>/<value>` scope (name, hardware, location)."""
        prefix = f"onvif://www.onvif.org/{kind}/"
        return next((unquote(s[len(prefix):]) for s in self.scopes if s.startswith(prefix)), None)


@dataclass(frozen=True)
class ProbeMatches:
    message_id: str
    relates_to: str
    matches: tuple[ProbeMatch, ...]

    def serialize(self) -> bytes:
        all_types = tuple(dict.fromkeys(t for m in self.matches for t in m.types))
        _, prefixes = _types_xml(all_types)
        by_ns = {ns: p for p, ns in prefixes.items()}
        header = (
            f"<a:Action>{PROBE_MATCHES}</a:Action><a:MessageID>{text(self.message_id)}</a:MessageID>"
            f"<a:RelatesTo>{text(self.relates_to)}</a:RelatesTo><a:To>{ANONYMOUS}</a:To>"
        )
        items = "".join(
            f"<d:ProbeMatch><a:EndpointReference><a:Address>{text(m.address)}</a:Address>"
            f"</a:EndpointReference>"
            f"<d:Types>{' '.join(f'{by_ns[ns]}:{local}' for ns, local in m.types)}</d:Types>"
            f"<d:Scopes>{text(' '.join(m.scopes))}</d:Scopes>"
            f"<d:XAddrs>{text(' '.join(m.xaddrs))}</d:XAddrs>"
            f"<d:MetadataVersion>{m.metadata_version}</d:MetadataVersion></d:ProbeMatch>"
            for m in self.matches
        )
        return envelope(f"<d:ProbeMatches>{items}</d:ProbeMatches>", header, {**_FIXED, **prefixes}).encode()

    @classmethod
    def parse(cls, data: bytes) -> ProbeMatches:
        env = Envelope.parse(data)
        header = _header(env, PROBE_MATCHES)
        if (env.body.namespace, env.body.name) != (WSD, "ProbeMatches"):
            raise ProtocolError("WS-Discovery ProbeMatches without a d:ProbeMatches body")
        matches = []
        for item in env.body.findall("ProbeMatch"):
            version = item.findtext("MetadataVersion") or "1"
            if not version.isdigit():
                raise ProtocolError(f"MetadataVersion {version!r} is not a number")
            matches.append(
                ProbeMatch(
                    address=item.findtext("EndpointReference/Address") or "",
                    types=_read_types(item.child("Types")),
                    scopes=_read_list(item.child("Scopes")),
                    xaddrs=_read_list(item.child("XAddrs")),
                    metadata_version=int(version),
                )
            )
        return cls(
            message_id=header.findtext("MessageID") or "",
            relates_to=header.findtext("RelatesTo") or "",
            matches=tuple(matches),
        )


def scope_matches(probe_scope: str, device_scope: str) -> bool:
    """RFC 3986 matching (WS-Discovery 2005/04 §5.1): scheme and authority compared without
    case, then the probe's path segments must be a leading run of the device's."""
    try:
        want, have = urlsplit(probe_scope), urlsplit(device_scope)
    except ValueError:
        return False
    if (want.scheme.lower(), want.netloc.lower()) != (have.scheme.lower(), have.netloc.lower()):
        return False
    want_path = [s for s in want.path.split("/") if s]
    have_path = [s for s in have.path.split("/") if s]
    return have_path[: len(want_path)] == want_path
