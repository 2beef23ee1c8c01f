"""A simulated ONVIF PTZ camera: SOAP over HTTP on 127.0.0.1, plus a WS-Discovery responder.

Technicians run it (`classbridge simulate`) to try a rooms file with no camera at hand; tests
drive the real driver against it. The SOAP application is devices/sim/onvif/camera_service.py;
this module carries bytes (aiohttp) and applies the fault knobs in `faults`, which can be
changed while it runs:

- no_answer: hold the request without answering; delay: answer after that many seconds;
- soap_fault: answer every request with a Sender fault of that ONVIF subcode;
- http_status: answer with that HTTP status and no body (401, 500, 503, ...);
- garbage: answer 200 with bytes that are not XML; drop: close the connection unanswered;
- clock_offset: the camera's clock runs this many seconds ahead (negative: behind), which
  breaks WS-Security digests unless the client adjusts its timestamps.

The discovery responder answers directed (unicast) probes only: it binds 127.0.0.1 and never
joins the multicast group, so nothing leaves the machine.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from devices.rooms_file.device_config import OnvifCameraConfig
from devices.sim.settings import simulated_password, simulated_port
from devices.onvif import soap
from devices.sim.onvif.camera_service import CameraService
from devices.onvif.discovery import ProbeResponder
from devices.sim.onvif.ptz_state import PtzState
from devices.onvif.wsd import NETWORK_VIDEO_TRANSMITTER, ONVIF_DEVICE, STREAMING_SCOPE, ProbeMatch
from devices.sim.onvif.wsse import TokenVerifier

SOAP_CONTENT_TYPE = "application/soap+xml; charset=utf-8"
GARBAGE = b"\x00\xffnot <xml at all\x1b"
# An 8x8 px JPEG, so the snapshot URI points at a real image.
_SNAPSHOT_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1R"
    "V19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2Nj"
    "Y2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAA"
    "AgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6"
    "Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXG"
    "x8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREA"
    "AgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5"
    "OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPE"
    "xcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/9oADAMBAAIRAxEAPwCSiiivGPWP/9k="
)


@dataclass
class OnvifFaults:
    no_answer: bool = False
    delay: float = 0.0
    soap_fault: str | None = None
    http_status: int | None = None
    garbage: bool = False
    drop: bool = False
    clock_offset: float = 0.0


class OnvifSimulator:
    def __init__(
        self,
        *,
        name: str = "onvif-camera",
        port: int = 0,
        username: str = "admin",
        password: str = "admin",
        discovery: bool = True,
        preset_tokens: str = "numeric",
        max_presets: int = 16,
        rate: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        max_skew: float = 300.0,
    ) -> None:
        """`rate` is generic PTZ units per second at full speed; `clock` drives PTZ motion
        (tests pass a clock they step by hand)."""
        self.name = name
        self.host = "127.0.0.1"
        self._port = port
        self._discovery = discovery
        self.faults = OnvifFaults()
        self.ptz = PtzState(clock=clock, rate=rate, max_presets=max_presets, tokens=preset_tokens)
        self.service = CameraService(
            base_url="",
            verifier=TokenVerifier(username, password, max_skew=max_skew),
            ptz=self.ptz,
            clock=lambda: time.time() + self.faults.clock_offset,
            model=f"Simulated PTZ camera ({name})",
        )
        self._runner: web.AppRunner | None = None
        self._udp: asyncio.DatagramTransport | None = None
        self._stopping = asyncio.Event()
        self.requests = 0  # SOAP requests received, knobs included
        self.endpoints: dict[str, str] = {}  # what start() returned

    @classmethod
    def from_config(cls, cfg: OnvifCameraConfig) -> OnvifSimulator:
        """Listens on 127.0.0.1 whatever host the file names; on the file's port only when the
        file names one explicitly (the default 80 would collide across cameras)."""
        return cls(
            name=cfg.name,
            port=simulated_port(cfg),
            username=cfg.username or "admin",
            password=simulated_password(cfg) or "admin",
        )

    async def start(self) -> dict[str, str]:
        self._stopping = asyncio.Event()
        app = web.Application()
        app.router.add_post("/onvif/{service}_service", self._soap)
        app.router.add_get("/snapshot/{token}.jpg", self._snapshot)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._port))
        port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()
        self.service.base_url = f"http://{self.host}:{port}"
        endpoints = {"http": self.service.xaddr("device")}
        if self._discovery:
            match = ProbeMatch(
                address=self.service.endpoint,
                types=(NETWORK_VIDEO_TRANSMITTER, ONVIF_DEVICE),
                scopes=(
                    STREAMING_SCOPE,
                    "onvif://www.onvif.org/type/ptz",
                    f"onvif://www.onvif.org/name/{self.name}",
                    "onvif://www.onvif.org/hardware/classbridge-sim",
                ),
                xaddrs=(self.service.xaddr("device"),),
            )
            self._udp, _ = await asyncio.get_running_loop().create_datagram_endpoint(
                lambda: ProbeResponder(match), local_addr=(self.host, 0)
            )
            udp_port = self._udp.get_extra_info("sockname")[1]
            endpoints["discovery"] = f"udp://{self.host}:{udp_port}"
        self.endpoints = endpoints
        return endpoints

    async def stop(self) -> None:
        self._stopping.set()
        if self._udp is not None:
            self._udp.close()
            self._udp = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _soap(self, request: web.Request) -> web.StreamResponse:
        self.requests += 1
        data = await request.read()
        faults = self.faults
        if faults.no_answer:
            await self._stopping.wait()
            return _hang_up(request)
        if faults.delay:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), faults.delay)
        if faults.drop:
            return _hang_up(request)
        if faults.http_status is not None:
            return web.Response(status=faults.http_status)
        if faults.garbage:
            return web.Response(body=GARBAGE, content_type="application/soap+xml")
        if faults.soap_fault is not None:
            body = soap.envelope(soap.fault("Sender", faults.soap_fault, f"simulated {faults.soap_fault} fault"))
            return web.Response(status=400, text=body, headers={"Content-Type": SOAP_CONTENT_TYPE})
        status, body = self.service.handle(request.match_info["service"], data)
        return web.Response(status=status, text=body, headers={"Content-Type": SOAP_CONTENT_TYPE})

    async def _snapshot(self, request: web.Request) -> web.Response:
        if request.match_info["token"] not in {p.token for p in self.service.profiles}:
            raise web.HTTPNotFound()
        return web.Response(body=_SNAPSHOT_JPEG, content_type="image/jpeg")


def _hang_up(request: web.Request) -> web.StreamResponse:
    """Close the connection without a reply: the client sees the server disconnect."""
    if request.transport is not None:
        request.transport.close()
    return web.Response(status=204)
