"""The SOAP envelope reader/writer: namespaces, prefixes, refusals, and random bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.onvif.soap import NAMESPACES, SOAP_ENV, Envelope, envelope, fault, parse_xml

REQUEST = b"""<?xml version="1.0"?>
<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">
  <env:Header><x:Hdr xmlns:x="urn:x">h</x:Hdr></env:Header>
  <env:Body>
    <p:GetStatus xmlns:p="http://www.onvif.org/ver20/ptz/wsdl" xmlns:tt="http://www.onvif.org/ver10/schema">
      <p:ProfileToken> main </p:ProfileToken>
      <p:Kind>tt:Thing</p:Kind>
      <p:Vec><tt:PanTilt x="0.5" y="-1"/></p:Vec>
    </p:GetStatus>
  </env:Body>
</env:Envelope>"""


def test_parses_an_envelope_whatever_the_prefixes() -> None:
    env = Envelope.parse(REQUEST)
    assert (env.body.namespace, env.body.name) == ("http://www.onvif.org/ver20/ptz/wsdl", "GetStatus")
    assert env.body.findtext("ProfileToken") == "main"
    assert env.body.find("Vec/PanTilt").attrib == {"x": "0.5", "y": "-1"}  # type: ignore[union-attr]
    assert env.header is not None and env.header.findtext("Hdr") == "h"
    kind = env.body.child("Kind")
    assert kind is not None and kind.resolve(kind.text) == ("http://www.onvif.org/ver10/schema", "Thing")
    with pytest.raises(ProtocolError, match="undeclared"):
        kind.resolve("nope:Thing")


def test_what_we_write_we_read_back() -> None:
    text = envelope("<tt:Thing>a &amp; b</tt:Thing>", header="<tt:H/>")
    env = Envelope.parse(text.encode())
    assert (env.body.namespace, env.body.name, env.body.text) == (NAMESPACES["tt"], "Thing", "a & b")
    reply = Envelope.parse(envelope(fault("Sender", "NotAuthorized", "<no>")).encode())
    assert reply.body.findtext("Code/Value") == "s:Sender"
    assert reply.body.findtext("Code/Subcode/Value") == "ter:NotAuthorized"
    assert reply.body.findtext("Reason/Text") == "<no>"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "malformed"),
        (REQUEST + b"<junk/>", "malformed"),
        (b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "c">]><a>&b;</a>', "Document Type"),
        (b"<a/>", "not a SOAP 1.2 Envelope"),
        (f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body/></s:Envelope>'.encode(), "exactly one"),
        (b"<a>" * 10 + b"x" * (1 << 20), "exceeds"),
    ],
)
def test_refuses_what_is_not_one_soap_envelope(data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError, match=message):
        Envelope.parse(data)


def test_every_truncation_is_refused() -> None:
    for end in range(len(REQUEST)):
        with pytest.raises(ProtocolError):
            Envelope.parse(REQUEST[:end])


@given(st.binary(max_size=400))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    try:
        Envelope.parse(data)
    except ProtocolError:
        pass


@given(st.text(alphabet="<>/=\"' :abxs&;!?-", max_size=80))
def test_random_markup_only_raises_protocol_error(text: str) -> None:
    try:
        parse_xml(text.encode())
    except ProtocolError:
        pass
