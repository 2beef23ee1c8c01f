"""The simulated camera's SOAP application: one request envelope in, one reply envelope out.

Device (ver10), Media (ver10) and PTZ (ver20) operations with WS-Security UsernameToken
checks, over one shared PtzState. Sans-I/O — devices/sim/onvif/simulator.py carries the bytes
over HTTP and adds the fault knobs — so every operation can be tested without a socket.
Replies declare every namespace prefix they use (see soap.NAMESPACES), so zeep parses them.
"""

from __future__ import annotations

import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from devices.errors import ProtocolError
from devices.onvif import soap
from devices.sim.onvif.ptz_state import PtzRefused, PtzState, Vector
from devices.onvif.soap import Envelope, Node, attr, text
from devices.sim.onvif.wsse import TokenVerifier, UsernameToken

SPACES = "http://www.onvif.org/ver10/tptz"
GENERIC = {
    "abs_pt": f"{SPACES}/PanTiltSpaces/PositionGenericSpace",
    "abs_z": f"{SPACES}/ZoomSpaces/PositionGenericSpace",
    "rel_pt": f"{SPACES}/PanTiltSpaces/TranslationGenericSpace",
    "rel_z": f"{SPACES}/ZoomSpaces/TranslationGenericSpace",
    "cont_pt": f"{SPACES}/PanTiltSpaces/VelocityGenericSpace",
    "cont_z": f"{SPACES}/ZoomSpaces/VelocityGenericSpace",
    "speed_pt": f"{SPACES}/PanTiltSpaces/GenericSpeedSpace",
    "speed_z": f"{SPACES}/ZoomSpaces/ZoomGenericSpeedSpace",
}
# ONVIF Core §5.9.4: these may be called before authentication.
PRE_AUTH = frozenset({"GetSystemDateAndTime"})
SERVICE_NAMESPACES = {
    "device": ("http://www.onvif.org/ver10/device/wsdl", "2", "60"),
    "media": ("http://www.onvif.org/ver10/media/wsdl", "2", "60"),
    "ptz": ("http://www.onvif.org/ver20/ptz/wsdl", "2", "60"),
}


class SoapFault(Exception):
    def __init__(self, code: str, subcode: str, reason: str) -> None:
        super().__init__(reason)
        self.code, self.subcode = code, subcode

    @property
    def http_status(self) -> int:
        # SOAP 1.2 Part 2 §7.5.1.2: env:Sender → 400, anything else → 500.
        return 400 if self.code == "Sender" else 500


@dataclass(frozen=True)
class Profile:
    token: str
    encoding: str
    width: int
    height: int
    ptz: bool


@dataclass
class CameraService:
    """`clock` is the camera's wall clock in POSIX seconds (tests shift it to simulate skew)."""

    base_url: str  # http://127.0.0.1:PORT
    verifier: TokenVerifier
    ptz: PtzState
    clock: Callable[[], float] = time.time
    manufacturer: str = "classbridge"
    model: str = "Simulated PTZ camera"
    serial_number: str = "SIM-0001"
    rtsp_port: int = 8554
    services_supported: bool = True  # False: GetServices is refused (tests the GetCapabilities fallback)
    nodes_supported: bool = True  # False: GetNodes is refused, as some cameras and emulators do
    default_spaces: bool = True  # False: PTZConfigurations name no Default*Space (they are optional)
    profiles: tuple[Profile, ...] = (
        Profile("main", "H264", 1920, 1080, ptz=True),
        Profile("sub", "JPEG", 640, 360, ptz=False),
    )
    endpoint: str = field(default_factory=lambda: f"urn:uuid:{uuid.uuid4()}")
    # The operations asked for, latest last (bounded, so a long-running simulator stays small).
    history: deque[str] = field(default_factory=lambda: deque(maxlen=1000))

    def xaddr(self, service: str) -> str:
        return f"{self.base_url}/onvif/{service}_service"

    def handle(self, service: str, data: bytes) -> tuple[int, str]:
        """Answer one request to `/onvif/<service>_service`: (HTTP status, SOAP envelope)."""
        try:
            try:
                request = Envelope.parse(data)
            except ProtocolError as exc:
                raise SoapFault("Sender", "WellFormed", str(exc)) from None
            operation = request.body.name
            self.history.append(operation)
            handler = OPERATIONS.get(service, {}).get(operation)
            if handler is None:
                raise SoapFault("Receiver", "ActionNotSupported", f"{operation} is not supported by the {service} service")
            if operation not in PRE_AUTH:
                self._authenticate(request.header)
            return 200, soap.envelope(handler(self, request.body))
        except PtzRefused as exc:
            return 400, soap.envelope(soap.fault("Sender", exc.subcode, str(exc)))
        except SoapFault as exc:
            return exc.http_status, soap.envelope(soap.fault(exc.code, exc.subcode, str(exc)))

    def _authenticate(self, header: Node | None) -> None:
        try:
            token = UsernameToken.from_header(header)
        except ProtocolError as exc:
            raise SoapFault("Sender", "NotAuthorized", f"Sender not Authorized: {exc}") from None
        reason = self.verifier.check(token, self.clock())
        if reason is not None:
            raise SoapFault("Sender", "NotAuthorized", f"Sender not Authorized: {reason}")

    # -- request helpers -------------------------------------------------------------------------

    def _profile(self, body: Node, need_ptz: bool = False) -> Profile:
        token = body.findtext("ProfileToken")
        profile = next((p for p in self.profiles if p.token == token), None)
        if profile is None:
            raise SoapFault("Sender", "NoProfile", f"no media profile {token!r}")
        if need_ptz and not profile.ptz:
            raise SoapFault("Sender", "NoPTZProfile", f"profile {token!r} has no PTZ configuration")
        return profile

    # -- Device service ----------------------------------------------------------------------------

    def get_system_date_and_time(self, body: Node) -> str:
        now = datetime.fromtimestamp(self.clock(), UTC)
        return (
            "<tds:GetSystemDateAndTimeResponse><tds:SystemDateAndTime>"
            "<tt:DateTimeType>Manual</tt:DateTimeType><tt:DaylightSavings>false</tt:DaylightSavings>"
            "<tt:TimeZone><tt:TZ>UTC0</tt:TZ></tt:TimeZone>"
            f"<tt:UTCDateTime><tt:Time><tt:Hour>{now.hour}</tt:Hour><tt:Minute>{now.minute}</tt:Minute>"
            f"<tt:Second>{now.second}</tt:Second></tt:Time><tt:Date><tt:Year>{now.year}</tt:Year>"
            f"<tt:Month>{now.month}</tt:Month><tt:Day>{now.day}</tt:Day></tt:Date></tt:UTCDateTime>"
            "</tds:SystemDateAndTime></tds:GetSystemDateAndTimeResponse>"
        )

    def get_device_information(self, body: Node) -> str:
        return (
            f"<tds:GetDeviceInformationResponse><tds:Manufacturer>{text(self.manufacturer)}</tds:Manufacturer>"
            f"<tds:Model>{text(self.model)}</tds:Model><tds:FirmwareVersion>1.0</tds:FirmwareVersion>"
            f"<tds:SerialNumber>{text(self.serial_number)}</tds:SerialNumber>"
            f"<tds:HardwareId>{text(self.model)}</tds:HardwareId></tds:GetDeviceInformationResponse>"
        )

    def get_services(self, body: Node) -> str:
        if not self.services_supported:
            raise SoapFault("Receiver", "ActionNotSupported", "GetServices is not supported")
        services = "".join(
            f"<tds:Service><tds:Namespace>{ns}</tds:Namespace><tds:XAddr>{self.xaddr(name)}</tds:XAddr>"
            f"<tds:Version><tt:Major>{major}</tt:Major><tt:Minor>{minor}</tt:Minor></tds:Version></tds:Service>"
            for name, (ns, major, minor) in SERVICE_NAMESPACES.items()
        )
        return f"<tds:GetServicesResponse>{services}</tds:GetServicesResponse>"

    def get_capabilities(self, body: Node) -> str:
        return (
            "<tds:GetCapabilitiesResponse><tds:Capabilities>"
            f"<tt:Device><tt:XAddr>{self.xaddr('device')}</tt:XAddr></tt:Device>"
            f"<tt:Media><tt:XAddr>{self.xaddr('media')}</tt:XAddr><tt:StreamingCapabilities>"
            "<tt:RTPMulticast>false</tt:RTPMulticast><tt:RTP_TCP>true</tt:RTP_TCP>"
            "<tt:RTP_RTSP_TCP>true</tt:RTP_RTSP_TCP></tt:StreamingCapabilities></tt:Media>"
            f"<tt:PTZ><tt:XAddr>{self.xaddr('ptz')}</tt:XAddr></tt:PTZ>"
            "</tds:Capabilities></tds:GetCapabilitiesResponse>"
        )

    # -- Media service -----------------------------------------------------------------------------

    def get_profiles(self, body: Node) -> str:
        profiles = "".join(_profile_xml(p, self.default_spaces) for p in self.profiles)
        return f"<trt:GetProfilesResponse>{profiles}</trt:GetProfilesResponse>"

    def get_stream_uri(self, body: Node) -> str:
        profile = self._profile(body)
        host = self.base_url.split("//", 1)[1].rsplit(":", 1)[0]
        return _media_uri("GetStreamUriResponse", f"rtsp://{host}:{self.rtsp_port}/{profile.token}")

    def get_snapshot_uri(self, body: Node) -> str:
        profile = self._profile(body)
        return _media_uri("GetSnapshotUriResponse", f"{self.base_url}/snapshot/{profile.token}.jpg")

    # -- PTZ service -------------------------------------------------------------------------------

    def get_nodes(self, body: Node) -> str:
        if not self.nodes_supported:
            raise SoapFault("Receiver", "ActionNotSupported", "GetNodes is not supported")
        def space(tag: str, uri: str, x: tuple[float, float], y: tuple[float, float] | None = None) -> str:
            yr = f"<tt:YRange><tt:Min>{y[0]}</tt:Min><tt:Max>{y[1]}</tt:Max></tt:YRange>" if y else ""
            return (f"<tt:{tag}><tt:URI>{uri}</tt:URI><tt:XRange><tt:Min>{x[0]}</tt:Min><tt:Max>{x[1]}</tt:Max>"
                    f"</tt:XRange>{yr}</tt:{tag}>")

        unit, signed = (0.0, 1.0), (-1.0, 1.0)
        spaces = "".join((
            space("AbsolutePanTiltPositionSpace", GENERIC["abs_pt"], signed, signed),
            space("AbsoluteZoomPositionSpace", GENERIC["abs_z"], unit),
            space("RelativePanTiltTranslationSpace", GENERIC["rel_pt"], signed, signed),
            space("RelativeZoomTranslationSpace", GENERIC["rel_z"], signed),
            space("ContinuousPanTiltVelocitySpace", GENERIC["cont_pt"], signed, signed),
            space("ContinuousZoomVelocitySpace", GENERIC["cont_z"], signed),
            space("PanTiltSpeedSpace", GENERIC["speed_pt"], unit),
            space("ZoomSpeedSpace", GENERIC["speed_z"], unit),
        ))
        return (
            '<tptz:GetNodesResponse><tptz:PTZNode token="node0" FixedHomePosition="false">'
            f"<tt:Name>PTZ head</tt:Name><tt:SupportedPTZSpaces>{spaces}</tt:SupportedPTZSpaces>"
            f"<tt:MaximumNumberOfPresets>{self.ptz.max_presets}</tt:MaximumNumberOfPresets>"
            "<tt:HomeSupported>true</tt:HomeSupported></tptz:PTZNode></tptz:GetNodesResponse>"
        )

    def get_status(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        pan_tilt, zoom = self.ptz.moving()
        utc = datetime.fromtimestamp(self.clock(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return (
            f"<tptz:GetStatusResponse><tptz:PTZStatus><tt:Position>{_vector_xml(self.ptz.position())}</tt:Position>"
            f"<tt:MoveStatus><tt:PanTilt>{'MOVING' if pan_tilt else 'IDLE'}</tt:PanTilt>"
            f"<tt:Zoom>{'MOVING' if zoom else 'IDLE'}</tt:Zoom></tt:MoveStatus>"
            f"<tt:UtcTime>{utc}</tt:UtcTime></tptz:PTZStatus></tptz:GetStatusResponse>"
        )

    def continuous_move(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.continuous(_read_vector(body.child("Velocity")))
        return "<tptz:ContinuousMoveResponse/>"

    def stop(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.stop(pan_tilt=_bool(body, "PanTilt"), zoom=_bool(body, "Zoom"))
        return "<tptz:StopResponse/>"

    def absolute_move(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.absolute(_read_vector(body.child("Position")), _read_speed(body))
        return "<tptz:AbsoluteMoveResponse/>"

    def relative_move(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.relative(_read_vector(body.child("Translation")), _read_speed(body))
        return "<tptz:RelativeMoveResponse/>"

    def get_presets(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        presets = "".join(
            f"<tptz:Preset token={attr(p.token)}><tt:Name>{text(p.name)}</tt:Name>"
            f"<tt:PTZPosition>{_vector_xml(p.position)}</tt:PTZPosition></tptz:Preset>"
            for p in self.ptz.presets.values()
        )
        return f"<tptz:GetPresetsResponse>{presets}</tptz:GetPresetsResponse>"

    def set_preset(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        token = self.ptz.set_preset(body.findtext("PresetName"), body.findtext("PresetToken"))
        return f"<tptz:SetPresetResponse><tptz:PresetToken>{text(token)}</tptz:PresetToken></tptz:SetPresetResponse>"

    def goto_preset(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.goto_preset(body.findtext("PresetToken") or "", _read_speed(body))
        return "<tptz:GotoPresetResponse/>"

    def remove_preset(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.remove_preset(body.findtext("PresetToken") or "")
        return "<tptz:RemovePresetResponse/>"

    def goto_home_position(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.goto_home(_read_speed(body))
        return "<tptz:GotoHomePositionResponse/>"

    def set_home_position(self, body: Node) -> str:
        self._profile(body, need_ptz=True)
        self.ptz.set_home()
        return "<tptz:SetHomePositionResponse/>"


Handler = Callable[[CameraService, Node], str]
OPERATIONS: dict[str, dict[str, Handler]] = {
    "device": {
        "GetSystemDateAndTime": CameraService.get_system_date_and_time,
        "GetDeviceInformation": CameraService.get_device_information,
        "GetServices": CameraService.get_services,
        "GetCapabilities": CameraService.get_capabilities,
    },
    "media": {
        "GetProfiles": CameraService.get_profiles,
        "GetStreamUri": CameraService.get_stream_uri,
        "GetSnapshotUri": CameraService.get_snapshot_uri,
    },
    "ptz": {
        "GetNodes": CameraService.get_nodes,
        "GetStatus": CameraService.get_status,
        "ContinuousMove": CameraService.continuous_move,
        "Stop": CameraService.stop,
        "AbsoluteMove": CameraService.absolute_move,
        "RelativeMove": CameraService.relative_move,
        "GetPresets": CameraService.get_presets,
        "SetPreset": CameraService.set_preset,
        "GotoPreset": CameraService.goto_preset,
        "RemovePreset": CameraService.remove_preset,
        "GotoHomePosition": CameraService.goto_home_position,
        "SetHomePosition": CameraService.set_home_position,
    },
}


def _number(node: Node, name: str) -> float:
    try:
        return float(node.attrib[name])
    except (KeyError, ValueError):
        raise SoapFault("Sender", "InvalidArgVal", f"{node.name} needs a numeric {name!r} attribute") from None


def _read_vector(node: Node | None) -> dict[str, float]:
    """A PTZVector/PTZSpeed element as {axis: value}, naming only the axes it carries."""
    if node is None:
        raise SoapFault("Sender", "InvalidArgVal", "missing PTZ vector")
    values: dict[str, float] = {}
    if (pan_tilt := node.child("PanTilt")) is not None:
        values.update(pan=_number(pan_tilt, "x"), tilt=_number(pan_tilt, "y"))
    if (zoom := node.child("Zoom")) is not None:
        values["zoom"] = _number(zoom, "x")
    return values


def _read_speed(body: Node) -> float:
    """The slowest axis of an optional Speed element (the simulator moves axes together)."""
    speed = body.child("Speed")
    return min(_read_vector(speed).values(), default=1.0) if speed is not None else 1.0


def _bool(body: Node, name: str) -> bool:
    """Stop's PanTilt/Zoom flags: absent means true (ONVIF PTZ §5.3.5)."""
    return (body.findtext(name) or "true").lower() in ("true", "1")


def _vector_xml(v: Vector) -> str:
    return (f'<tt:PanTilt x="{v.pan:.6f}" y="{v.tilt:.6f}" space="{GENERIC["abs_pt"]}"/>'
            f'<tt:Zoom x="{v.zoom:.6f}" space="{GENERIC["abs_z"]}"/>')


def _media_uri(response: str, uri: str) -> str:
    return (f"<trt:{response}><trt:MediaUri><tt:Uri>{text(uri)}</tt:Uri>"
            "<tt:InvalidAfterConnect>false</tt:InvalidAfterConnect>"
            "<tt:InvalidAfterReboot>false</tt:InvalidAfterReboot><tt:Timeout>PT0S</tt:Timeout>"
            f"</trt:MediaUri></trt:{response}>")


def _profile_xml(p: Profile, default_spaces: bool = True) -> str:
    codec = ("<tt:H264><tt:GovLength>60</tt:GovLength><tt:H264Profile>Main</tt:H264Profile></tt:H264>"
             if p.encoding == "H264" else "")
    ptz = ""
    if p.ptz:
        defaults = "".join(
            f"<tt:{tag}>{GENERIC[key]}</tt:{tag}>" for tag, key in (
                ("DefaultAbsolutePantTiltPositionSpace", "abs_pt"), ("DefaultAbsoluteZoomPositionSpace", "abs_z"),
                ("DefaultRelativePanTiltTranslationSpace", "rel_pt"), ("DefaultRelativeZoomTranslationSpace", "rel_z"),
                ("DefaultContinuousPanTiltVelocitySpace", "cont_pt"), ("DefaultContinuousZoomVelocitySpace", "cont_z"),
            )
        ) if default_spaces else ""
        ptz = (
            '<tt:PTZConfiguration token="ptz0"><tt:Name>PTZ</tt:Name><tt:UseCount>1</tt:UseCount>'
            f"<tt:NodeToken>node0</tt:NodeToken>{defaults}"
            f'<tt:DefaultPTZSpeed><tt:PanTilt x="1" y="1" space="{GENERIC["speed_pt"]}"/>'
            f'<tt:Zoom x="1" space="{GENERIC["speed_z"]}"/></tt:DefaultPTZSpeed>'
            "<tt:DefaultPTZTimeout>PT10S</tt:DefaultPTZTimeout>"
            f"<tt:PanTiltLimits><tt:Range><tt:URI>{GENERIC['abs_pt']}</tt:URI>"
            "<tt:XRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:XRange>"
            "<tt:YRange><tt:Min>-1</tt:Min><tt:Max>1</tt:Max></tt:YRange></tt:Range></tt:PanTiltLimits>"
            f"<tt:ZoomLimits><tt:Range><tt:URI>{GENERIC['abs_z']}</tt:URI>"
            "<tt:XRange><tt:Min>0</tt:Min><tt:Max>1</tt:Max></tt:XRange></tt:Range></tt:ZoomLimits>"
            "</tt:PTZConfiguration>"
        )
    return (
        f'<trt:Profiles token={attr(p.token)} fixed="true"><tt:Name>{text(p.token)}</tt:Name>'
        '<tt:VideoSourceConfiguration token="vsc0"><tt:Name>sensor</tt:Name><tt:UseCount>2</tt:UseCount>'
        '<tt:SourceToken>vs0</tt:SourceToken><tt:Bounds x="0" y="0" width="1920" height="1080"/>'
        "</tt:VideoSourceConfiguration>"
        f'<tt:VideoEncoderConfiguration token={attr("enc-" + p.token)}><tt:Name>{text(p.token)}</tt:Name>'
        f"<tt:UseCount>1</tt:UseCount><tt:Encoding>{p.encoding}</tt:Encoding>"
        f"<tt:Resolution><tt:Width>{p.width}</tt:Width><tt:Height>{p.height}</tt:Height></tt:Resolution>"
        "<tt:Quality>5</tt:Quality><tt:RateControl><tt:FrameRateLimit>30</tt:FrameRateLimit>"
        "<tt:EncodingInterval>1</tt:EncodingInterval><tt:BitrateLimit>4096</tt:BitrateLimit></tt:RateControl>"
        f"{codec}<tt:Multicast><tt:Address><tt:Type>IPv4</tt:Type><tt:IPv4Address>0.0.0.0</tt:IPv4Address>"
        "</tt:Address><tt:Port>0</tt:Port><tt:TTL>1</tt:TTL><tt:AutoStart>false</tt:AutoStart></tt:Multicast>"
        f"<tt:SessionTimeout>PT60S</tt:SessionTimeout></tt:VideoEncoderConfiguration>{ptz}</trt:Profiles>"
    )
