"""The WS-Discovery codec: round trips, messages as other implementations write them, scope
matching, truncation, trailing junk and random bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from devices.errors import ProtocolError
from devices.onvif.wsd import (
    NETWORK_VIDEO_TRANSMITTER,
    ONVIF_DEVICE,
    STREAMING_SCOPE,
    Probe,
    ProbeMatch,
    ProbeMatches,
    new_message_id,
    scope_matches,
)

MATCH = ProbeMatch(
    address="urn:uuid:5f5a69c2-e0ae-504f-829b-00AABBCCDDEE",
    types=(NETWORK_VIDEO_TRANSMITTER, ONVIF_DEVICE),
    scopes=(STREAMING_SCOPE, "onvif://www.onvif.org/name/Lecture%20Hall", "onvif://www.onvif.org/hardware/SRG-X120"),
    xaddrs=("http://10.0.0.5/onvif/device_service", "http://[fe80::1]/onvif/device_service"),
    metadata_version=3,
)

# A Probe as the ONVIF Core spec's examples and most clients write it (other prefixes, an
# ONVIF type in the `dn` namespace).
FOREIGN_PROBE = b"""<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"
          xmlns:dn="http://www.onvif.org/ver10/network/wsdl">
  <Header>
    <wsa:MessageID xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">uuid:84ede3de-7dec-11d0-c360-f01234567890</wsa:MessageID>
    <wsa:To xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">urn:schemas-xmlsoap-org:ws:2005:04:discovery</wsa:To>
    <wsa:Action xmlns:wsa="http://schemas.xmlsoap.org/ws/2004/08/addressing">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</wsa:Action>
  </Header>
  <Body>
    <Probe xmlns="http://schemas.xmlsoap.org/ws/2005/04/discovery">
      <Types>dn:NetworkVideoTransmitter</Types>
      <Scopes />
    </Probe>
  </Body>
</Envelope>"""


def test_probe_round_trip() -> None:
    probe = Probe(new_message_id(), (NETWORK_VIDEO_TRANSMITTER,), (STREAMING_SCOPE,))
    assert Probe.parse(probe.serialize()) == probe
    empty = Probe("urn:uuid:1")
    assert Probe.parse(empty.serialize()) == empty


def test_probe_matches_round_trip() -> None:
    reply = ProbeMatches(new_message_id(), "urn:uuid:probe", (MATCH, MATCH))
    assert ProbeMatches.parse(reply.serialize()) == reply
    assert MATCH.scope_value("name") == "Lecture Hall"
    assert MATCH.scope_value("location") is None


def test_reads_a_probe_written_by_another_implementation() -> None:
    probe = Probe.parse(FOREIGN_PROBE)
    assert probe.message_id == "uuid:84ede3de-7dec-11d0-c360-f01234567890"
    assert probe.types == (NETWORK_VIDEO_TRANSMITTER,) and probe.scopes == ()
    assert MATCH.answers(probe)


@pytest.mark.parametrize(
    ("probe", "answered"),
    [
        (Probe("m"), True),
        (Probe("m", (ONVIF_DEVICE,)), True),
        (Probe("m", (("urn:other", "Printer"),)), False),
        (Probe("m", scopes=("onvif://www.onvif.org/Profile",)), True),
        (Probe("m", scopes=("ONVIF://WWW.onvif.org/name/Lecture%20Hall",)), True),
        (Probe("m", scopes=("onvif://www.onvif.org/Profile/Stream",)), False),
        (Probe("m", scopes=(STREAMING_SCOPE, "onvif://www.onvif.org/location/hanoi")), False),
    ],
)
def test_a_device_answers_probes_that_match_its_types_and_scopes(probe: Probe, answered: bool) -> None:
    assert MATCH.answers(probe) is answered


def test_scope_matching_is_by_whole_path_segments() -> None:
    assert scope_matches("onvif://www.onvif.org/type", "onvif://www.onvif.org/type/ptz")
    assert not scope_matches("onvif://www.onvif.org/ty", "onvif://www.onvif.org/type/ptz")
    assert not scope_matches("http://www.onvif.org/type", "onvif://www.onvif.org/type/ptz")
    assert not scope_matches("onvif://[::1", "onvif://www.onvif.org/type")


def test_one_kind_is_not_taken_for_the_other() -> None:
    with pytest.raises(ProtocolError, match="not a WS-Discovery ProbeMatches"):
        ProbeMatches.parse(Probe("m").serialize())
    with pytest.raises(ProtocolError, match="not a WS-Discovery Probe"):
        Probe.parse(ProbeMatches("m", "r", ()).serialize())


def test_every_truncation_and_trailing_junk_is_refused() -> None:
    data = ProbeMatches("m", "r", (MATCH,)).serialize()
    for end in range(len(data)):
        with pytest.raises(ProtocolError):
            ProbeMatches.parse(data[:end])
    with pytest.raises(ProtocolError):
        ProbeMatches.parse(data + b"<trailing/>")


def test_bad_fields_are_protocol_errors() -> None:
    data = ProbeMatches("m", "r", (MATCH,)).serialize()
    with pytest.raises(ProtocolError, match="MetadataVersion"):
        ProbeMatches.parse(data.replace(b">3</d:MetadataVersion>", b">three</d:MetadataVersion>"))
    with pytest.raises(ProtocolError, match="undeclared"):
        Probe.parse(FOREIGN_PROBE.replace(b"dn:Network", b"zz:Network"))


@given(st.binary(max_size=600))
def test_random_bytes_only_raise_protocol_error(data: bytes) -> None:
    for parse in (Probe.parse, ProbeMatches.parse):
        try:
            parse(data)
        except ProtocolError:
            pass


@given(st.integers(0, 2000), st.binary(min_size=1, max_size=8))
def test_corrupted_messages_only_raise_protocol_error(at: int, junk: bytes) -> None:
    data = bytearray(ProbeMatches("m", "r", (MATCH,)).serialize())
    at %= len(data)
    data[at : at + len(junk)] = junk
    try:
        ProbeMatches.parse(bytes(data))
    except ProtocolError:
        pass
