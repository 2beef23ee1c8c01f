"""`classbridge room-agent`: the process on the room PC (installed with `classbridge[room]`)."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

import typer

log = logging.getLogger("signaling.agent")


def _join_link_class(link: str) -> tuple[str, str]:
    """(class id, token) of a join link `…/join#t=<token>` (the id is read from the token)."""
    import jwt

    fragment = urlsplit(link).fragment
    token = fragment[2:] if fragment.startswith("t=") else link
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
        return str(claims["class_id"]), token
    except (jwt.PyJWTError, KeyError) as exc:
        raise typer.BadParameter(f"not a join link or token: {exc}") from exc


def room_agent(
    server: Annotated[str, typer.Option(help="The classbridge server, e.g. https://lop.truong.edu.vn")] = "",
    room: Annotated[str, typer.Option(help="This room's name in the rooms file, e.g. room-101")] = "",
    key_file: Annotated[
        Path | None, typer.Option(help="File holding the room key (else $CLASSBRIDGE_ROOM_KEY)")
    ] = None,
    camera: Annotated[
        str,
        typer.Option(
            help="rtsp://… URL of the room camera; onvif:ROOM/DEVICE to ask a camera of --rooms-file "
            "for it; or a capture device index/path (OpenCV)"
        ),
    ] = "",
    rooms_file: Annotated[Path | None, typer.Option(help="The rooms file, for --camera onvif:ROOM/DEVICE")] = None,
    microphone: Annotated[str, typer.Option(help="Capture device: name (or part of it) or index")] = "",
    speakers: Annotated[str, typer.Option(help="Playback device: name (or part of it) or index")] = "",
    no_audio: Annotated[bool, typer.Option("--no-audio", help="Publish no microphone, play nothing")] = False,
    join_link: Annotated[
        str, typer.Option(help="Join this one class with a room-role join link instead of the schedule")
    ] = "",
    name: Annotated[str, typer.Option(help="Name shown in the class")] = "Phòng học",
    poll_interval: Annotated[float, typer.Option(min=1.0, help="Seconds between schedule checks")] = 10.0,
    report_interval: Annotated[float, typer.Option(min=1.0, help="Seconds between status reports to the server")] = 10.0,
    status_interval: Annotated[float, typer.Option(min=0.0, help="Print the status every N s (0: never)")] = 30.0,
    ice_host: Annotated[
        list[str] | None, typer.Option(help="Host address to offer for WebRTC (repeat; default: every interface)")
    ] = None,
    ca_file: Annotated[Path | None, typer.Option(help="CA certificate to trust for the server")] = None,
    list_audio_devices: Annotated[
        bool, typer.Option("--list-audio-devices", help="List PortAudio devices and exit")
    ] = False,
    log_level: Annotated[str, typer.Option(help="debug, info, warning")] = "info",
) -> None:
    """Join the room's scheduled classes with its camera, microphones and speakers."""
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("aioice").setLevel(max(logging.WARNING, logging.getLogger().level))
    if list_audio_devices:
        from signaling.agent.audio import list_devices

        devices = list_devices()
        for device in devices:
            print(f"{device.index:3d}  in={device.inputs:<3d} out={device.outputs:<3d} {device.default_rate} Hz  {device.name}")
        if not devices:
            print("PortAudio sees no audio device (is the sound server running for this user?)", file=sys.stderr)
            raise typer.Exit(1)
        return
    if not server or not room:
        raise typer.BadParameter("--server and --room are required")
    from signaling.agent.agent import AgentConfig, RoomAgent
    from signaling.agent.camera import CameraSource, OnvifCameraSource, OpenCvSource, RoomCamera, RtspSource
    from signaling.agent.schedule import FixedClass, RoomSchedule, Schedule

    if ice_host:
        from classroom.relay.aiortc_internals import use_host_addresses

        use_host_addresses(ice_host)
    schedule: Schedule
    if join_link:
        class_id, token = _join_link_class(join_link)
        schedule = FixedClass(room, class_id, token)
    else:
        key = key_file.read_text().strip() if key_file else os.environ.get("CLASSBRIDGE_ROOM_KEY", "")
        if not key:
            raise typer.BadParameter("a room key is needed: --key-file or $CLASSBRIDGE_ROOM_KEY")
        schedule = RoomSchedule(server, room, key, verify=str(ca_file) if ca_file else True)
    source: CameraSource | None = None
    if camera.startswith(("rtsp://", "rtsps://")):
        source = RtspSource(camera)
    elif camera.startswith("onvif:"):
        if rooms_file is None:
            raise typer.BadParameter("--camera onvif:ROOM/DEVICE needs --rooms-file")
        source = OnvifCameraSource(rooms_file, camera.removeprefix("onvif:"))
    elif camera:
        source = OpenCvSource(int(camera) if camera.isdigit() else camera)
    config = AgentConfig(
        server=server,
        room=room,
        name=name,
        microphone=microphone or None,
        speakers=speakers or None,
        audio=not no_audio,
        poll_interval=poll_interval,
        report_interval=report_interval,
    )
    agent = RoomAgent(config, schedule, RoomCamera(source) if source else None)

    async def report() -> None:
        while status_interval:
            await asyncio.sleep(status_interval)
            print("status " + json.dumps(agent.status(), ensure_ascii=False), flush=True)

    async def main() -> None:
        reporter = asyncio.create_task(report())
        try:
            await agent.run()
        finally:
            reporter.cancel()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
