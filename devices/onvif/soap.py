"""SOAP 1.2 envelopes as plain data: parse bytes into a namespace-aware tree, write envelopes.

Sans-I/O (no sockets, no asyncio): the simulator and the WS-Discovery codec share it. The
driver never uses it — all of its SOAP stays inside onvif-zeep-async. Parsing is defensive
because both users read bytes from the network: a Document Type Declaration is refused
(SOAP 1.2 Part 1 §5: "A SOAP message MUST NOT contain a Document Type Declaration"), so no
entity expansion can happen, and every parser failure becomes our own ProtocolError.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

from devices.errors import ProtocolError

SOAP_ENV = "http://www.w3.org/2003/05/soap-envelope"
ONVIF_ERROR = "http://www.onvif.org/ver10/error"

# Prefixes the simulator's replies use; every one is declared on the Envelope, so zeep can
# resolve them (ipycam's replies use `ptz:` without declaring it, which zeep rejects).
NAMESPACES: dict[str, str] = {
    "s": SOAP_ENV,
    "ter": ONVIF_ERROR,
    "tt": "http://www.onvif.org/ver10/schema",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "wsse": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd",
    "wsu": "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd",
}

MAX_MESSAGE_BYTES = 1 << 20


@dataclass(frozen=True)
class Node:
    """One XML element: namespace and local name, attributes, text and children.

    `nsmap` holds the prefixes in scope at this element, so QName-valued text such as
    `dn:NetworkVideoTransmitter` can be resolved (see `resolve`).
    """

    namespace: str
    name: str
    attrib: dict[str, str]
    text: str
    children: tuple[Node, ...]
    nsmap: dict[str, str] = field(repr=False)

    def child(self, name: str) -> Node | None:
        """The first child with this local name, whatever its namespace."""
        return next((c for c in self.children if c.name == name), None)

    def find(self, path: str) -> Node | None:
        """Follow a '/'-separated path of local names."""
        node: Node | None = self
        for step in path.split("/"):
            node = node.child(step) if node is not None else None
        return node

    def findall(self, name: str) -> Iterator[Node]:
        return (c for c in self.children if c.name == name)

    def findtext(self, path: str) -> str | None:
        node = self.find(path)
        return node.text if node is not None else None

    def resolve(self, qname: str) -> tuple[str, str]:
        """Turn `prefix:local` (text content) into (namespace, local) with this element's prefixes."""
        prefix, _, local = qname.rpartition(":")
        try:
            return self.nsmap[prefix], local
        except KeyError:
            raise ProtocolError(f"undeclared namespace prefix {prefix!r} in {qname!r}") from None


def parse_xml(data: bytes) -> Node:
    """Parse one XML document into a Node tree; anything malformed raises ProtocolError."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise ProtocolError(f"XML message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    if b"<!DOCTYPE" in data.upper():
        raise ProtocolError("XML message carries a Document Type Declaration")
    parser: ET.XMLPullParser = ET.XMLPullParser(events=("start-ns", "start", "end"))
    pending: dict[str, str] = {}
    scopes: list[dict[str, str]] = [{"xml": "http://www.w3.org/XML/1998/namespace"}]
    built: list[list[Node]] = [[]]
    try:
        parser.feed(data)
        parser.close()
        for event, item in cast(Iterator[tuple[str, Any]], parser.read_events()):
            if event == "start-ns":
                prefix, uri = item
                pending[prefix] = uri
            elif event == "start":
                scopes.append({**scopes[-1], **pending})
                pending = {}
                built.append([])
            else:
                element: ET.Element = item
                namespace, _, name = element.tag.rpartition("}")
                children = built.pop()
                built[-1].append(
                    Node(
                        namespace=namespace.lstrip("{"),
                        name=name,
                        attrib={k.rpartition("}")[2]: v for k, v in element.attrib.items()},
                        text=(element.text or "").strip(),
                        children=tuple(children),
                        nsmap=scopes.pop(),
                    )
                )
    except (ET.ParseError, ValueError, LookupError) as exc:
        raise ProtocolError(f"malformed XML: {exc}") from exc
    if len(built) != 1 or len(built[0]) != 1:
        raise ProtocolError("XML message has no single root element")
    return built[0][0]


@dataclass(frozen=True)
class Envelope:
    """A parsed SOAP 1.2 envelope: its header blocks and its one body element."""

    header: Node | None
    body: Node

    @classmethod
    def parse(cls, data: bytes) -> Envelope:
        root = parse_xml(data)
        if (root.namespace, root.name) != (SOAP_ENV, "Envelope"):
            raise ProtocolError(f"root element is {{{root.namespace}}}{root.name}, not a SOAP 1.2 Envelope")
        body = root.child("Body")
        if body is None or len(body.children) != 1:
            raise ProtocolError("SOAP Body must hold exactly one element")
        return cls(header=root.child("Header"), body=body.children[0])


def text(value: object) -> str:
    """Escape a value for element content."""
    return escape(str(value))


def attr(value: object) -> str:
    """Quote and escape a value for an attribute (the quotes included)."""
    return quoteattr(str(value))


def envelope(body: str, header: str = "", namespaces: dict[str, str] = NAMESPACES) -> str:
    """Wrap body (and header) XML in a SOAP 1.2 Envelope declaring every prefix in `namespaces`."""
    decls = " ".join(f'xmlns:{p}="{uri}"' for p, uri in namespaces.items())
    head = f"<s:Header>{header}</s:Header>" if header else ""
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<s:Envelope {decls}>{head}<s:Body>{body}</s:Body></s:Envelope>'


def fault(code: str, subcode: str | None, reason: str) -> str:
    """A SOAP 1.2 Fault body. `code` is Sender or Receiver; `subcode` an ONVIF `ter:` name."""
    sub = f"<s:Subcode><s:Value>ter:{subcode}</s:Value></s:Subcode>" if subcode else ""
    return (
        f"<s:Fault><s:Code><s:Value>s:{code}</s:Value>{sub}</s:Code>"
        f'<s:Reason><s:Text xml:lang="en">{text(reason)}</s:Text></s:Reason></s:Fault>'
    )
