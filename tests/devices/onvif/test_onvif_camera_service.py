"""The simulator's SOAP application without any socket: bytes in, status and envelope out."""

from __future__ import annotations

import base64

import pytest

from devices.sim.onvif.camera_service import CameraService
from devices.sim.onvif.ptz_state import PtzState
from devices.onvif.soap import NAMESPACES, Envelope, envelope
from devices.sim.onvif.wsse import TokenVerifier, password_digest
from tests.support.clock import ManualClock

WALL = 1_795_860_000.0  # 2026-11-28T10:00:00Z
CREATED = "2026-11-28T10:00:00Z"


@pytest.fixture
def service(clock: ManualClock) -> CameraService:
    return CameraService(
        base_url="http://127.0.0.1:8080",
        verifier=TokenVerifier("tech", "s3cret"),
        ptz=PtzState(clock=clock),
        clock=lambda: WALL,
    )


def request(body: str, password: str | None = "s3cret", nonce: bytes = b"0123456789abcdef") -> bytes:
    header = ""
    if password is not None:
        header = (
            "<wsse:Security><wsse:UsernameToken><wsse:Username>tech</wsse:Username>"
            f'<wsse:Password Type="...#PasswordDigest">{password_digest(nonce, CREATED, password)}</wsse:Password>'
            f"<wsse:Nonce>{base64.b64encode(nonce).decode()}</wsse:Nonce>"
            f"<wsu:Created>{CREATED}</wsu:Created></wsse:UsernameToken></wsse:Security>"
        )
    return envelope(body, header).encode()


def answer(service: CameraService, where: str, data: bytes) -> tuple[int, Envelope]:
    status, text = service.handle(where, data)
    return status, Envelope.parse(text.encode())


def test_clock_needs_no_auth(service: CameraService) -> None:
    status, reply = answer(service, "device", request("<tds:GetSystemDateAndTime/>", password=None))
    assert status == 200
    utc = reply.body.find("SystemDateAndTime/UTCDateTime")
    assert utc is not None
    assert (utc.findtext("Date/Year"), utc.findtext("Time/Hour"), utc.findtext("Time/Second")) == ("2026", "10", "0")


@pytest.mark.parametrize(("password", "nonce"), [(None, b"n" * 16), ("guess", b"n" * 16)])
def test_everything_else_needs_a_good_token(service: CameraService, password: str | None, nonce: bytes) -> None:
    status, reply = answer(service, "device", request("<tds:GetDeviceInformation/>", password, nonce))
    assert status == 400
    assert reply.body.findtext("Code/Subcode/Value") == "ter:NotAuthorized"


def test_a_replayed_request_is_refused(service: CameraService) -> None:
    data = request("<tds:GetDeviceInformation/>")
    assert answer(service, "device", data)[0] == 200
    status, reply = answer(service, "device", data)
    assert status == 400 and "nonce replayed" in str(reply.body.findtext("Reason/Text"))


def test_unknown_operations_and_services(service: CameraService) -> None:
    for where, body in (("device", "<tds:Reboot/>"), ("ptz", "<tds:GetDeviceInformation/>"), ("imaging", "<x/>")):
        status, reply = answer(service, where, request(body))
        assert status == 500 and reply.body.findtext("Code/Subcode/Value") == "ter:ActionNotSupported"


def test_malformed_requests_are_sender_faults(service: CameraService) -> None:
    for data in (b"", b"<not-soap/>", b"\xff\xfe"):
        status, reply = answer(service, "device", data)
        assert status == 400 and reply.body.findtext("Code/Subcode/Value") == "ter:WellFormed"


def test_services_and_capabilities_point_at_each_service(service: CameraService) -> None:
    _, reply = answer(service, "device", request("<tds:GetServices><tds:IncludeCapability>false</tds:IncludeCapability></tds:GetServices>"))
    assert [s.findtext("XAddr") for s in reply.body.findall("Service")] == [
        "http://127.0.0.1:8080/onvif/device_service",
        "http://127.0.0.1:8080/onvif/media_service",
        "http://127.0.0.1:8080/onvif/ptz_service",
    ]
    service.services_supported = False
    status, _ = answer(service, "device", request("<tds:GetServices/>", nonce=b"x" * 16))
    assert status == 500
    _, reply = answer(service, "device", request("<tds:GetCapabilities/>", nonce=b"y" * 16))
    assert reply.body.findtext("Capabilities/PTZ/XAddr") == "http://127.0.0.1:8080/onvif/ptz_service"


def test_ptz_requests_move_the_head(service: CameraService, clock: ManualClock) -> None:
    move = (
        '<tptz:ContinuousMove><tptz:ProfileToken>main</tptz:ProfileToken><tptz:Velocity>'
        '<tt:PanTilt x="0.5" y="0"/></tptz:Velocity></tptz:ContinuousMove>'
    )
    assert answer(service, "ptz", request(move))[0] == 200
    clock.advance(1)
    _, reply = answer(service, "ptz", request(
        "<tptz:GetStatus><tptz:ProfileToken>main</tptz:ProfileToken></tptz:GetStatus>", nonce=b"s" * 16
    ))
    pan_tilt = reply.body.find("PTZStatus/Position/PanTilt")
    assert pan_tilt is not None and float(pan_tilt.attrib["x"]) == 0.5
    assert reply.body.findtext("PTZStatus/MoveStatus/PanTilt") == "MOVING"
    # Stop with no flags stops both axes (ONVIF PTZ: absent means true).
    answer(service, "ptz", request("<tptz:Stop><tptz:ProfileToken>main</tptz:ProfileToken></tptz:Stop>", nonce=b"t" * 16))
    assert service.ptz.moving() == (False, False)


def absolute_move(pan_tilt: str) -> str:
    return (
        "<tptz:AbsoluteMove><tptz:ProfileToken>main</tptz:ProfileToken>"
        f"<tptz:Position><tt:PanTilt {pan_tilt}/></tptz:Position></tptz:AbsoluteMove>"
    )


GOTO_PRESET_4 = (
    "<tptz:GotoPreset><tptz:ProfileToken>main</tptz:ProfileToken>"
    "<tptz:PresetToken>4</tptz:PresetToken></tptz:GotoPreset>"
)


@pytest.mark.parametrize(
    ("body", "subcode"),
    [
        ("<tptz:GetStatus><tptz:ProfileToken>sub</tptz:ProfileToken></tptz:GetStatus>", "ter:NoPTZProfile"),
        ("<tptz:GetStatus><tptz:ProfileToken>zzz</tptz:ProfileToken></tptz:GetStatus>", "ter:NoProfile"),
        ("<tptz:ContinuousMove><tptz:ProfileToken>main</tptz:ProfileToken></tptz:ContinuousMove>", "ter:InvalidArgVal"),
        (absolute_move('x="a" y="0"'), "ter:InvalidArgVal"),
        (absolute_move('x="3" y="0"'), "ter:InvalidPosition"),
        (GOTO_PRESET_4, "ter:NoToken"),
    ],
)
def test_ptz_refusals_are_sender_faults(service: CameraService, body: str, subcode: str) -> None:
    status, reply = answer(service, "ptz", request(body))
    assert status == 400 and reply.body.findtext("Code/Subcode/Value") == subcode


def test_preset_names_are_escaped(service: CameraService) -> None:
    name = '<b>&"quoted"'
    answer(service, "ptz", request(
        "<tptz:SetPreset><tptz:ProfileToken>main</tptz:ProfileToken><tptz:PresetName>&lt;b&gt;&amp;&quot;quoted&quot;"
        "</tptz:PresetName></tptz:SetPreset>"
    ))
    _, reply = answer(service, "ptz", request(
        "<tptz:GetPresets><tptz:ProfileToken>main</tptz:ProfileToken></tptz:GetPresets>", nonce=b"p" * 16
    ))
    [preset] = reply.body.findall("Preset")
    assert (preset.attrib["token"], preset.findtext("Name")) == ("1", name)


def test_replies_declare_their_prefixes(service: CameraService) -> None:
    _, text = service.handle("media", request("<trt:GetProfiles/>"))
    for prefix in ("tt", "trt"):
        assert f'xmlns:{prefix}="{NAMESPACES[prefix]}"' in text
    assert service.history[-1] == "GetProfiles"
